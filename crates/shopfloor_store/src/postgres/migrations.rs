//! Embedded, numbered PostgreSQL migrations mirroring the SQLite ones one-to-one, applied in
//! order inside one transaction each. Instances starting together take a session advisory lock
//! so that only one migrates; the others wait and then find the work done.

use crate::rekey::{self, KeyedRows};
use crate::sql::Dialect;
use crate::StoreError;
use postgres::{Client, Transaction};

const MIGRATIONS: &[(u32, &str)] = migrations!("postgres");

/// Key of the session advisory lock held while migrating (the bytes of "sfmigrat").
const MIGRATION_LOCK: i64 = 0x73666d69_67726174;

fn sql_error(e: postgres::Error) -> StoreError {
    StoreError::Postgres(super::driver::describe(&e))
}

/// Applies the missing migrations; returns the versions applied now.
pub fn run(client: &mut Client) -> Result<Vec<u32>, StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(sql_error)?;
    let result = apply(client);
    let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    result
}

fn apply(client: &mut Client) -> Result<Vec<u32>, StoreError> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)")
        .map_err(sql_error)?;
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS {
        let v = i64::from(*version);
        let done = client
            .query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[&v])
            .map_err(sql_error)?
            .is_some();
        if done {
            continue;
        }
        let mut tx = client.transaction().map_err(sql_error)?;
        tx.batch_execute(sql).map_err(|e| StoreError::PgMigration {
            version: *version,
            message: super::driver::describe(&e),
        })?;
        if rekey::AFTER_MIGRATIONS.contains(version) {
            rekey::run(&mut Rows(&mut tx))?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT)",
            &[&v],
        )
        .map_err(sql_error)?;
        tx.commit().map_err(sql_error)?;
        applied.push(*version);
    }
    Ok(applied)
}

/// The re-keying step's view of the migration's transaction.
struct Rows<'a, 'c>(&'a mut Transaction<'c>);

impl KeyedRows for Rows<'_, '_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn query(&mut self, select: &str) -> Result<Vec<Vec<Option<String>>>, StoreError> {
        let rows = self.0.query(select, &[]).map_err(sql_error)?;
        Ok(rows
            .iter()
            .map(|r| (0..r.len()).map(|i| r.get::<_, Option<String>>(i)).collect())
            .collect())
    }

    fn execute(&mut self, statement: &str, params: &[&str]) -> Result<(), StoreError> {
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        self.0.execute(statement, &params).map_err(sql_error)?;
        Ok(())
    }
}
