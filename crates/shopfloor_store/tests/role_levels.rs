//! Migration 16 on a database that already holds roles (docs/adr/0015): every role lists no
//! security levels (`[]`) and needs any of them (`ANY_OF`), so it is held as before — by the
//! users it is assigned to.

use rusqlite::Connection;

/// The migrations an earlier version applied (SQLite), before roles had security levels.
const BEFORE: [&str; 15] = [
    include_str!("../migrations/sqlite/0001_init.sql"),
    include_str!("../migrations/sqlite/0002_properties_bill_of_materials.sql"),
    include_str!("../migrations/sqlite/0003_security.sql"),
    include_str!("../migrations/sqlite/0004_order_sort_indexes.sql"),
    include_str!("../migrations/sqlite/0005_import_jobs.sql"),
    include_str!("../migrations/sqlite/0006_import_job_rows_status.sql"),
    include_str!("../migrations/sqlite/0007_import_jobs_create_missing.sql"),
    include_str!("../migrations/sqlite/0008_name_keys.sql"),
    include_str!("../migrations/sqlite/0009_shift_fields.sql"),
    include_str!("../migrations/sqlite/0010_import_jobs_warnings.sql"),
    include_str!("../migrations/sqlite/0011_location_material_properties.sql"),
    include_str!("../migrations/sqlite/0012_webhooks.sql"),
    include_str!("../migrations/sqlite/0013_personnel.sql"),
    include_str!("../migrations/sqlite/0014_order_search.sql"),
    include_str!("../migrations/sqlite/0015_import_jobs_kind.sql"),
];

#[test]
fn migration_16_gives_existing_roles_no_security_levels_and_any_of() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)")
        .unwrap();
    for (i, sql) in BEFORE.iter().enumerate() {
        conn.execute_batch(sql).unwrap();
        conn.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, 0)", [i + 1])
            .unwrap();
    }
    conn.execute(
        "INSERT INTO roles (id, name, name_key, permissions, created_date, created_by) VALUES ('r1', 'Planner', 'planner', '[\"MATERIAL\"]', 0, 'test')",
        [],
    )
    .unwrap();
    drop(conn);

    let applied = shopfloor_store::migrate(&path.to_string_lossy()).unwrap();
    assert_eq!(applied.first(), Some(&16), "{applied:?}");
    let conn = Connection::open(&path).unwrap();
    let row: (String, String, String) = conn
        .query_row(
            "SELECT security_levels, role_requirement_type, permissions FROM roles WHERE id = 'r1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(row, ("[]".to_string(), "ANY_OF".to_string(), "[\"MATERIAL\"]".to_string()));
}
