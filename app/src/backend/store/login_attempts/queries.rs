//! Queries on `login_attempts`. Every change is one statement, so instances and concurrent
//! requests never lose a count: a guess is reserved by a conditional update before any hashing.

use super::entity::{ActiveModel, Column, Entity as Attempts, Model};
use crate::backend::clock::to_db;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// One counter's limits: `max` guesses per `window` seconds, then locked for `lockout` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max: u32,
    pub window: u64,
    pub lockout: u64,
}

fn col(c: Column) -> Expr {
    Expr::col((Attempts, c))
}

fn row(email: &str, client: &str) -> Condition {
    Condition::all()
        .add(Column::Email.eq(email))
        .add(Column::Client.eq(client))
}

/// Takes one guess from the counter of (`email`, `client`), atomically: `Some(row after)` when
/// the guess may be verified, `None` when the counter is locked or its window is full (guesses
/// already failed or still being verified).
pub async fn reserve(
    db: &impl ConnectionTrait,
    email: &str,
    client: &str,
    limits: Limits,
    now: u64,
) -> Result<Option<Model>, DbErr> {
    let now = to_db(now);
    let fresh = ActiveModel {
        email: Set(email.to_owned()),
        client: Set(client.to_owned()),
        attempts: Set(0),
        window_started_at: Set(now),
        locked_until: Set(0),
        trusted_until: Set(0),
    };
    Attempts::insert(fresh)
        .on_conflict(
            OnConflict::columns([Column::Email, Column::Client])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;

    let window_over = col(Column::WindowStartedAt).lt(now - to_db(limits.window));
    let max = i32::try_from(limits.max).unwrap_or(i32::MAX);
    let reserved = Attempts::update_many()
        .col_expr(
            Column::Attempts,
            Expr::case(window_over.clone(), 1)
                .finally(col(Column::Attempts).add(1))
                .into(),
        )
        .col_expr(
            Column::WindowStartedAt,
            Expr::case(window_over.clone(), now)
                .finally(col(Column::WindowStartedAt))
                .into(),
        )
        .filter(row(email, client))
        .filter(Column::LockedUntil.lte(now))
        .filter(
            Condition::any()
                .add(window_over)
                .add(Column::Attempts.lt(max)),
        )
        .exec_with_returning(db)
        .await?;
    Ok(reserved.into_iter().next())
}

/// The counter as it is now, if it exists.
pub async fn find(
    db: &impl ConnectionTrait,
    email: &str,
    client: &str,
) -> Result<Option<Model>, DbErr> {
    Attempts::find().filter(row(email, client)).one(db).await
}

/// A reserved guess failed: it stays counted, and a full window locks the counter.
pub async fn fail(
    db: &impl ConnectionTrait,
    email: &str,
    client: &str,
    limits: Limits,
    now: u64,
) -> Result<(), DbErr> {
    let max = i32::try_from(limits.max).unwrap_or(i32::MAX);
    let locked_until = to_db(now.saturating_add(limits.lockout));
    Attempts::update_many()
        .col_expr(
            Column::LockedUntil,
            Expr::case(col(Column::Attempts).gte(max), locked_until)
                .finally(col(Column::LockedUntil))
                .into(),
        )
        .filter(row(email, client))
        .exec(db)
        .await
        .map(drop)
}

/// Gives a reserved guess back: it was not verified (the service was busy), or it was right.
pub async fn release(db: &impl ConnectionTrait, email: &str, client: &str) -> Result<(), DbErr> {
    Attempts::update_many()
        .col_expr(
            Column::Attempts,
            Expr::case(col(Column::Attempts).gt(0), col(Column::Attempts).sub(1))
                .finally(0)
                .into(),
        )
        .filter(row(email, client))
        .exec(db)
        .await
        .map(drop)
}

/// A good login from `client`: its count starts again, and it is trusted until `trusted_until`.
pub async fn trust(
    db: &impl ConnectionTrait,
    email: &str,
    client: &str,
    now: u64,
    trusted_until: u64,
) -> Result<(), DbErr> {
    Attempts::update_many()
        .col_expr(Column::Attempts, Expr::val(0))
        .col_expr(Column::WindowStartedAt, Expr::val(to_db(now)))
        .col_expr(Column::LockedUntil, Expr::val(0_i64))
        .col_expr(Column::TrustedUntil, Expr::val(to_db(trusted_until)))
        .filter(row(email, client))
        .exec(db)
        .await
        .map(drop)
}

/// Deletes counters that neither lock, count nor trust any more; returns how many.
pub async fn purge_stale(db: &impl ConnectionTrait, window: u64, now: u64) -> Result<u64, DbErr> {
    let now_db = to_db(now);
    let result = Attempts::delete_many()
        .filter(Column::LockedUntil.lte(now_db))
        .filter(Column::TrustedUntil.lte(now_db))
        .filter(Column::WindowStartedAt.lt(now_db - to_db(window)))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Deletes every counter of `email`, its trusted addresses included: they go with the account
/// (a deletion, a change of address), so whoever has the address next inherits nothing.
pub async fn forget_email(db: &impl ConnectionTrait, email: &str) -> Result<u64, DbErr> {
    let result = Attempts::delete_many()
        .filter(Column::Email.eq(email))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
