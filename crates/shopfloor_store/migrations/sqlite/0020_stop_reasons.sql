-- Stop reasons: the plant's list of why orders are paused or stopped (issue 21).
CREATE TABLE stop_reasons (
    id TEXT NOT NULL CONSTRAINT pk_stop_reasons PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    applies_to TEXT NOT NULL DEFAULT 'BOTH',
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_stop_reasons_name ON stop_reasons (name_key);
