-- Plant personnel (system.mes.personnel, docs/adr/0013 "personnel"): departments, a tree like
-- material classes, and the people in them. A person's username is unique (the service compares
-- it ignoring case; this index is the second line of defence), and a login user belongs to at
-- most one person (user_id; null for people without a login).
CREATE TABLE departments (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_departments PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    parent_id TEXT COLLATE "C" CONSTRAINT fk_departments_parent REFERENCES departments (id),
    path TEXT COLLATE "C" NOT NULL,
    path_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_departments_name ON departments (COALESCE(parent_id, ''), name_key);
CREATE INDEX ix_departments_parent ON departments (parent_id);
CREATE INDEX ix_departments_path_key ON departments (path_key);

CREATE TABLE people (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_people PRIMARY KEY,
    department_id TEXT COLLATE "C" CONSTRAINT fk_people_department REFERENCES departments (id),
    person_status TEXT COLLATE "C" NOT NULL,
    first_name TEXT COLLATE "C" NOT NULL,
    last_name TEXT COLLATE "C" NOT NULL,
    initials TEXT COLLATE "C" NOT NULL,
    username TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" CONSTRAINT fk_people_user REFERENCES users (id),
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_people_username ON people (username);
CREATE UNIQUE INDEX uq_people_user ON people (user_id);
CREATE INDEX ix_people_department ON people (department_id);
