-- Names and paths are compared by their key (shopfloor_core::name_key: NFKC, full case folding,
-- default-ignorable characters removed; issue 22 #7, docs/adr/0010-name-comparison.md). Paths
-- get a stored key like names, indexed for look-ups by path. The keys themselves are computed in
-- Rust: the migration's Rust step (crates/shopfloor_store/src/rekey.rs) fills `path_key` and
-- re-keys every `name_key` written under the old rule (lower case only) in this transaction.
-- Mirrors migrations/sqlite/0008_name_keys.sql.
ALTER TABLE material_classes ADD COLUMN path_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE materials ADD COLUMN path_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE locations ADD COLUMN path_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX ix_material_classes_path_key ON material_classes (path_key);
CREATE INDEX ix_materials_path_key ON materials (path_key);
CREATE INDEX ix_locations_path_key ON locations (path_key);

-- sf_fold(text) keys the text columns that have no stored key (symbols, ERP ids, notes) as close
-- to shopfloor_core::name_key as SQL can: default-ignorable characters removed, NFKC, lower case
-- (under ICU where the server has it), NFKC again. It differs from the Rust key only where full
-- case folding differs from lower case (`ß`, final `ς`, Cherokee); names and paths never go
-- through it. NFKC needs a UTF8 database: elsewhere sf_fold stays as migration 1 defined it.
DO $$
DECLARE
    ignorable CONSTANT text := '[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFF8\U0001BCA0-\U0001BCA3\U0001D173-\U0001D17A\U000E0000-\U000E0FFF]';
    body text;
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RETURN;
    END IF;
    body := 'normalize(regexp_replace($1, ' || quote_literal(ignorable) || ', '''', ''g''), NFKC)';
    IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN
        body := 'lower(' || body || ' COLLATE "und-x-icu")';
    ELSE
        body := 'lower(' || body || ')';
    END IF;
    EXECUTE 'CREATE OR REPLACE FUNCTION sf_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS '
        || quote_literal('SELECT normalize(' || body || ', NFKC)');
END
$$;
