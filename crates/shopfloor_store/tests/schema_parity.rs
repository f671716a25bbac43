//! Both dialects' migrations build the same schema: the same tables, columns (name, type
//! class, nullability, default), primary keys, foreign keys, check constraints and indexes
//! (name, uniqueness, columns), except each dialect's own trigram index of order names
//! ([`SQLITE_SEARCH`], [`POSTGRES_SEARCH`]) and PostgreSQL's `NULLS LAST` due-date indexes
//! ([`POSTGRES_NULLS_LAST`]). Runs when `TEST_DATABASE_URL` names a PostgreSQL server
//! (`scripts/with-postgres` provides one; `scripts/test` runs it so).

use std::collections::BTreeSet;

/// One fact about the schema, as a comparable line: `table.column: …`, `index …`, and so on.
type Facts = BTreeSet<String>;

fn type_class(t: &str) -> &'static str {
    match t.to_ascii_lowercase().as_str() {
        "text" => "text",
        "integer" | "bigint" => "int",
        "real" | "double precision" => "real",
        _ => "other",
    }
}

fn sqlite_facts(path: &str) -> Facts {
    shopfloor_store::migrate(path).expect("SQLite migrates");
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut facts = Facts::new();
    let tables: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (table, sql) in &tables {
        facts.insert(format!("table {table}"));
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})")).unwrap();
        let cols = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })
            .unwrap()
            .map(Result::unwrap);
        for (name, ty, notnull, default, pk) in cols {
            let notnull = notnull || pk > 0;
            facts.insert(format!(
                "{table}.{name}: {} {} default {}",
                type_class(&ty),
                if notnull { "not null" } else { "null" },
                default.unwrap_or_else(|| "none".into())
            ));
            if pk > 0 {
                facts.insert(format!("{table} primary key ({name})"));
            }
        }
        let mut stmt = conn.prepare(&format!("PRAGMA foreign_key_list({table})")).unwrap();
        for fk in stmt
            .query_map([], |r| Ok((r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?)))
            .unwrap()
            .map(Result::unwrap)
        {
            facts.insert(format!("{table}.{} references {}.{}", fk.1, fk.0, fk.2));
        }
        for word in sql.split_whitespace().filter(|w| w.starts_with("ck_")) {
            facts.insert(format!("{table} check {word}"));
        }
    }
    let indexes: Vec<(String, String, String)> = conn
        .prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, table, sql) in indexes {
        let unique = sql.to_ascii_uppercase().starts_with("CREATE UNIQUE");
        facts.insert(format!("{table} index {name} unique={unique} {}", index_key(&sql)));
    }
    facts
}

/// An index's key columns and, for a partial index, its predicate, from its `CREATE INDEX`
/// text: `(a, b)` or `(a, b) where status = 'pending'`.
fn index_key(sql: &str) -> String {
    let open = sql.find('(').unwrap();
    let mut depth = 0;
    let close = open
        + sql[open..]
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .unwrap()
            .0;
    let key = format!("({})", normalize(&sql[open + 1..close]));
    let rest = sql[close + 1..].trim();
    match rest.strip_prefix("WHERE").or_else(|| rest.strip_prefix("where")) {
        // PostgreSQL writes the predicate back parenthesised, with casts.
        Some(predicate) => format!(
            "{key} where {}",
            normalize(&predicate.replace(['(', ')'], "").replace("::text", ""))
        ),
        None => key,
    }
}

/// Index key text with the spellings that differ between the dialects taken out.
fn normalize(columns: &str) -> String {
    columns
        .replace("NULLS FIRST", "")
        .replace("''::text", "''")
        .replace("COALESCE", "coalesce")
        .replace('"', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
}

fn postgres_facts(url: &str) -> Facts {
    shopfloor_store::migrate(url).expect("PostgreSQL migrates");
    let url = url.to_string();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut facts = Facts::new();
        for row in c
            .query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", &[])
            .unwrap()
        {
            facts.insert(format!("table {}", row.get::<_, String>(0)));
        }
        for row in c
            .query(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text, column_default::text, is_identity::text
                 FROM information_schema.columns WHERE table_schema = 'public'",
                &[],
            )
            .unwrap()
        {
            let (table, name, ty, nullable, default, _identity): (String, String, String, String, Option<String>, String) =
                (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4), row.get(5));
            facts.insert(format!(
                "{table}.{name}: {} {} default {}",
                type_class(&ty),
                if nullable == "NO" { "not null" } else { "null" },
                // PostgreSQL spells a text default with its cast (`''::text`), SQLite without.
                default.map_or_else(|| "none".into(), |d| d.trim_end_matches("::text").to_string())
            ));
        }
        for row in c
            .query(
                "SELECT con.contype::text, rel.relname::text, con.conname::text,
                        ARRAY(SELECT a.attname::text FROM unnest(con.conkey) k JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k),
                        frel.relname::text,
                        ARRAY(SELECT a.attname::text FROM unnest(con.confkey) k JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k)
                 FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
                 JOIN pg_namespace n ON n.oid = rel.relnamespace LEFT JOIN pg_class frel ON frel.oid = con.confrelid
                 WHERE n.nspname = 'public'",
                &[],
            )
            .unwrap()
        {
            let (kind, table, name, cols, ftable, fcols): (String, String, String, Vec<String>, Option<String>, Vec<String>) =
                (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4), row.get(5));
            match kind.as_str() {
                "p" => {
                    for col in cols {
                        facts.insert(format!("{table} primary key ({col})"));
                    }
                }
                "f" => {
                    facts.insert(format!("{table}.{} references {}.{}", cols.join(","), ftable.unwrap_or_default(), fcols.join(",")));
                }
                "c" => {
                    facts.insert(format!("{table} check {name}"));
                }
                _ => {}
            }
        }
        for row in c
            .query(
                "SELECT i.relname::text, t.relname::text, ix.indisunique, pg_get_indexdef(ix.indexrelid)
                 FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                 WHERE n.nspname = 'public' AND NOT ix.indisprimary",
                &[],
            )
            .unwrap()
        {
            let (name, table, unique, def): (String, String, bool, String) = (row.get(0), row.get(1), row.get(2), row.get(3));
            facts.insert(format!("{table} index {name} unique={unique} {}", index_key(&def)));
        }
        facts
    })
    .join()
    .unwrap()
}

/// The one expected difference (migration 14, docs/adr/0014): order names are searched through
/// each dialect's own trigram index — on SQLite an FTS5 table (with the shadow tables FTS5
/// makes for it) keyed by a table of stable row numbers and kept by triggers, on PostgreSQL one
/// pg_trgm GIN index. Facts naming these objects are set aside, after checking they are there.
const SQLITE_SEARCH: &[&str] = &["production_order_name_search", "production_order_search_rows"];
const POSTGRES_SEARCH: &[&str] = &["ix_production_orders_name_trgm"];

/// The second expected difference (migration 19, docs/adr/0016): PostgreSQL needs indexes
/// declared `NULLS LAST` to serve the board's undated-last sort; SQLite serves it from its plain
/// due-date indexes, so its migration 19 adds nothing.
const POSTGRES_NULLS_LAST: &[&str] = &["ix_production_orders_due_nulls_last", "ix_production_orders_status_due_nulls_last"];

fn without_search_index(facts: Facts, objects: &[&str]) -> Facts {
    for object in objects {
        assert!(facts.iter().any(|f| f.contains(object)), "the search object {object} is missing");
    }
    facts.into_iter().filter(|f| !objects.iter().any(|o| f.contains(o))).collect()
}

#[test]
fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let Some(server) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("schema parity: TEST_DATABASE_URL is not set; run under scripts/with-postgres");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = sqlite_facts(&dir.path().join("parity.db").to_string_lossy());

    let name = format!("t_parity_{}", std::process::id());
    let admin = server.clone();
    let create = name.clone();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {create} WITH (FORCE)")).unwrap();
        c.batch_execute(&format!("CREATE DATABASE {create}")).unwrap();
    })
    .join()
    .unwrap();
    let base = server.split('?').next().unwrap();
    let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
    let pg = postgres_facts(&url);
    let admin = server.clone();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
    })
    .join()
    .unwrap();

    let sqlite = without_search_index(sqlite, SQLITE_SEARCH);
    let pg = without_search_index(without_search_index(pg, POSTGRES_SEARCH), POSTGRES_NULLS_LAST);
    let only_sqlite: Vec<_> = sqlite.difference(&pg).collect();
    let only_pg: Vec<_> = pg.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "the schemas differ:\n only in SQLite:\n  {}\n only in PostgreSQL:\n  {}",
        only_sqlite.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  "),
        only_pg.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
    );
    assert!(sqlite.len() > 300, "the comparison saw the whole schema ({} facts)", sqlite.len());
}
