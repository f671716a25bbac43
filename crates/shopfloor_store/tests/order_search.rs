//! Migration 14 on a database that already holds orders (docs/adr/0014): every order gets the
//! rank of its priority (the order of `PRIORITIES`, as the store writes it) and enters the
//! trigram index of names, which then follows raw inserts, renames and deletes (triggers).

use rusqlite::Connection;
use shopfloor_core::schema::PRIORITIES;

/// A connection that accepts orders without their master data (only the order rows matter here).
fn open(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
    conn
}

fn insert_order(conn: &Connection, id: &str, name: &str, priority: &str) {
    conn.execute(
        "INSERT INTO production_orders (id, name, name_key, product_id, status, schedule_priority, quantity, quantity_produced, \
         quantity_scheduled, unit_of_measure_id, created_date, created_by) VALUES (?1, ?2, ?3, 'm', 'IDLE', ?4, 1, 0, 0, 'u', 0, 'test')",
        rusqlite::params![id, name, shopfloor_core::name_key::name_key(name), priority],
    )
    .unwrap();
}

/// The names whose key contains `text`, through the trigram index alone.
fn indexed(conn: &Connection, text: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT p.name FROM production_order_name_search s JOIN production_order_search_rows m ON m.search_rowid = s.rowid \
             JOIN production_orders p ON p.id = m.production_order_id WHERE production_order_name_search MATCH ?1 ORDER BY p.name",
        )
        .unwrap();
    let rows = stmt.query_map([format!("\"{text}\"")], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn migration_14_ranks_priorities_and_indexes_names_of_existing_orders_and_follows_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // The database as the version before order search left it (migrations 1–13).
    shopfloor_store::migrate_sqlite_through(&path.to_string_lossy(), 13).unwrap();
    let conn = open(&path);
    for (i, priority) in PRIORITIES.iter().enumerate() {
        insert_order(&conn, &format!("id-{i}"), &format!("Old-Order-{priority}"), priority);
    }
    drop(conn);

    // Migration 14 and the ones after it (the later ones do not touch orders).
    let applied = shopfloor_store::migrate(&path.to_string_lossy()).unwrap();
    assert_eq!(applied.first(), Some(&14), "{applied:?}");
    let conn = open(&path);
    let mut stmt = conn
        .prepare("SELECT schedule_priority, schedule_priority_rank FROM production_orders")
        .unwrap();
    let ranks: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ranks.len(), PRIORITIES.len());
    for (priority, rank) in ranks {
        assert_eq!(PRIORITIES[rank as usize], priority, "the migration ranks as the catalogue does");
        assert_eq!(shopfloor_store::search::priority_rank(&priority), Some(rank));
    }
    assert_eq!(indexed(&conn, "order-").len(), 4);
    assert_eq!(indexed(&conn, "order-urg"), ["Old-Order-URGENT"]);

    // Raw writes (whoever writes) keep the index in step.
    insert_order(&conn, "id-new", "New-Thing", "LOW");
    conn.execute(
        "UPDATE production_orders SET name = 'Renamed', name_key = 'renamed' WHERE id = 'id-3'",
        [],
    )
    .unwrap();
    conn.execute("DELETE FROM production_orders WHERE id = 'id-0'", []).unwrap();
    assert_eq!(indexed(&conn, "order-"), ["Old-Order-HIGH", "Old-Order-NORMAL"]);
    assert_eq!(indexed(&conn, "w-thi"), ["New-Thing"]);
    assert_eq!(indexed(&conn, "named"), ["Renamed"]);
    assert!(indexed(&conn, "urgent").is_empty());
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM production_order_search_rows", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 4, "one row number per order");
}
