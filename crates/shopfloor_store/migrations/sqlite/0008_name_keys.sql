-- Names and paths are compared by their key (shopfloor_core::name_key: NFKC, full case folding,
-- default-ignorable characters removed; issue 22 #7, docs/adr/0010-name-comparison.md). Paths
-- get a stored key like names, indexed for look-ups by path. The keys themselves are computed in
-- Rust: the migration's Rust step (crates/shopfloor_store/src/rekey.rs) fills `path_key` and
-- re-keys every `name_key` written under the old rule (lower case only) in this transaction.
ALTER TABLE material_classes ADD COLUMN path_key TEXT NOT NULL DEFAULT '';
ALTER TABLE materials ADD COLUMN path_key TEXT NOT NULL DEFAULT '';
ALTER TABLE locations ADD COLUMN path_key TEXT NOT NULL DEFAULT '';
CREATE INDEX ix_material_classes_path_key ON material_classes (path_key);
CREATE INDEX ix_materials_path_key ON materials (path_key);
CREATE INDEX ix_locations_path_key ON locations (path_key);
