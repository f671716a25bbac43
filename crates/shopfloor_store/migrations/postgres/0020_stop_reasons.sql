-- Stop reasons: the plant's list of why orders are paused or stopped (issue 21).
CREATE TABLE stop_reasons (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_stop_reasons PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    applies_to TEXT COLLATE "C" NOT NULL DEFAULT 'BOTH',
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_stop_reasons_name ON stop_reasons (name_key);
