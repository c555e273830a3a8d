//! Queries on `sign_in_rates`. Counting is one statement, an insert-or-update that returns the
//! new count, so requests arriving at once on several instances each get their own number.

use crate::backend::clock::to_db;
use sea_orm::{ConnectionTrait, DbErr, Statement};

/// `$1` client, `$2` now, `$3` the start of a window that has ended (now minus its length).
const COUNT_SQL: &str = "INSERT INTO sign_in_rates (client, window_started_at, requests) \
     VALUES ($1, $2, 1) \
     ON CONFLICT (client) DO UPDATE SET \
     requests = CASE WHEN sign_in_rates.window_started_at <= $3 THEN 1 \
     ELSE sign_in_rates.requests + 1 END, \
     window_started_at = CASE WHEN sign_in_rates.window_started_at <= $3 THEN $2 \
     ELSE sign_in_rates.window_started_at END \
     RETURNING requests, window_started_at";

/// One request's place in its client's window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    /// This request's number in the window, from 1.
    pub requests: i64,
    /// Unix seconds.
    pub window_started_at: i64,
}

/// Counts a sign-in request from `client` at `now`, in windows of `window` seconds.
///
/// # Errors
/// When the database fails.
pub async fn count(
    db: &impl ConnectionTrait,
    client: &str,
    now: u64,
    window: u64,
) -> Result<Counted, DbErr> {
    let statement = Statement::from_sql_and_values(
        db.get_database_backend(),
        COUNT_SQL,
        [
            client.into(),
            to_db(now).into(),
            to_db(now.saturating_sub(window)).into(),
        ],
    );
    let row = db
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the counted row".into()))?;
    Ok(Counted {
        requests: row.try_get("", "requests")?,
        window_started_at: row.try_get("", "window_started_at")?,
    })
}

/// Deletes the rows of windows that started before `cutoff`; returns how many.
///
/// # Errors
/// When the database fails.
pub async fn purge_before(db: &impl ConnectionTrait, cutoff: u64) -> Result<u64, DbErr> {
    let statement = Statement::from_sql_and_values(
        db.get_database_backend(),
        "DELETE FROM sign_in_rates WHERE window_started_at < $1",
        [to_db(cutoff).into()],
    );
    Ok(db.execute_raw(statement).await?.rows_affected())
}
