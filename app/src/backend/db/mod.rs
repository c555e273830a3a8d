//! The database connection: SQLite by default (WAL, busy timeout, foreign keys, full sync), or
//! Postgres, through the same SeaORM code. Migrations run at start-up, on Postgres under an
//! advisory lock so that instances starting together on an empty database take turns.

pub mod migration;
mod writer;

pub use writer::Writer;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Connections in the pool, for SQLite and Postgres alike.
const POOL_SIZE: u32 = 4;
/// How long a writer waits for SQLite's lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the pool; for a SQLite file, creates the file and its folder first.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(dir) =
        sqlite_file(url).and_then(|path| std::path::Path::new(path).parent().map(ToOwned::to_owned))
    {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(&dir).map_err(|e| {
                DbErr::Custom(format!("cannot create the folder {}: {e}", dir.display()))
            })?;
        }
    }
    let mut options = ConnectOptions::new(url);
    options
        // SeaORM opens one SQLite connection unless told otherwise; with WAL, readers run in
        // parallel, and SQLite serialises the writers itself (busy timeout below).
        .max_connections(POOL_SIZE)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a registration answered 201 is in the WAL on disk, even if the machine fails.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
        })
        // A local file cannot go stale under a pooled connection: no ping before every query.
        .map_sqlx_sqlite_pool_opts(|pool| pool.test_before_acquire(false));
    let db = Database::connect(options).await?;
    db.ping().await?;
    Ok(db)
}

/// Any fixed number: the key of the Postgres advisory lock held while migrating ("gatehous").
const MIGRATION_LOCK: i64 = 0x6761_7465_686f_7573;

/// Brings the schema up to date; a second run changes nothing. On Postgres, two instances that
/// start at once would both create the same tables (and one fail): each migrates holding an
/// advisory lock, on a connection of its own since the lock belongs to the session, so the second
/// waits and then finds nothing to do.
pub async fn migrate(db: &DatabaseConnection, url: &str) -> Result<(), DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        // SQLite serialises writers itself; one file is one instance's (or shared through WAL).
        return migration::Migrator::up(db, None).await;
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(1)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    let session = Database::connect(options).await?;
    session
        .execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .await?;
    let migrated = migration::Migrator::up(&session, None).await;
    // Closing the session releases the lock even if the unlock fails.
    let unlocked = session
        .execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
        .await;
    session.close().await?;
    migrated.and(unlocked.map(drop))
}

/// The file path of a `sqlite:` URL, if it names a file.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn the_file_of_a_sqlite_url_is_found() {
        assert_eq!(
            sqlite_file("sqlite://data/gatehouse.db?mode=rwc"),
            Some("data/gatehouse.db")
        );
        assert_eq!(sqlite_file("sqlite:/tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/test"), None);
    }
}
