-- Plant personnel (system.mes.personnel, docs/adr/0013 "personnel"): departments, a tree like
-- material classes, and the people in them. A person's username is unique (the service compares
-- it ignoring case; this index is the second line of defence), and a login user belongs to at
-- most one person (user_id; null for people without a login).
CREATE TABLE departments (
    id TEXT NOT NULL CONSTRAINT pk_departments PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    parent_id TEXT CONSTRAINT fk_departments_parent REFERENCES departments (id),
    path TEXT NOT NULL,
    path_key TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_departments_name ON departments (COALESCE(parent_id, ''), name_key);
CREATE INDEX ix_departments_parent ON departments (parent_id);
CREATE INDEX ix_departments_path_key ON departments (path_key);

CREATE TABLE people (
    id TEXT NOT NULL CONSTRAINT pk_people PRIMARY KEY,
    department_id TEXT CONSTRAINT fk_people_department REFERENCES departments (id),
    person_status TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    initials TEXT NOT NULL,
    username TEXT NOT NULL,
    user_id TEXT CONSTRAINT fk_people_user REFERENCES users (id),
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_people_username ON people (username);
CREATE UNIQUE INDEX uq_people_user ON people (user_id);
CREATE INDEX ix_people_department ON people (department_id);
