//! Migration 16 on a database that already holds roles (docs/adr/0015): every role lists no
//! security levels (`[]`) and needs any of them (`ANY_OF`), so it is held as before — by the
//! users it is assigned to.

use rusqlite::Connection;

#[test]
fn migration_16_gives_existing_roles_no_security_levels_and_any_of() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // The database as the version before role security levels left it (migrations 1–15).
    shopfloor_store::migrate_sqlite_through(&path.to_string_lossy(), 15).unwrap();
    let conn = Connection::open(&path).unwrap();
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
