//! Turns for write transactions on SQLite. SQLite runs one writer at a time; the others wait in
//! its busy handler, which sleeps in growing steps (up to 100 ms) and lets a late comer overtake:
//! with eight sessions refreshing non-stop, p99 was 0.6–1 s. Waiting for a turn here instead is
//! first come, first served and wakes the next writer as soon as the last one commits. Postgres
//! locks rows, not the database: there, everyone writes at once.

use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};

#[derive(Clone, Debug, Default)]
pub struct Writer(Option<Arc<Mutex<()>>>);

impl Writer {
    /// One turn at a time on SQLite; no waiting on Postgres.
    pub fn for_database(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => Self(Some(Arc::new(Mutex::new(())))),
            _ => Self(None),
        }
    }

    /// Waits for this process's turn to write; the turn lasts as long as the guard.
    pub async fn turn(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.0 {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }
}
