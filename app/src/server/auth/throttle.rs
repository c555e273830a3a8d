//! Login throttling per account (the normalised email, whether or not an account has it), kept in
//! the database so every instance shares it. The policy, documented in the README: `max_failures`
//! wrong passwords within `window` lock the email for `lockout`; then it opens again by itself.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::ActiveValue::Set;
use std::time::Duration;

use super::revocation::to_i64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: u32,
    pub window: Duration,
    pub lockout: Duration,
}

impl Default for ThrottlePolicy {
    /// 10 failures in 15 minutes lock the account's logins for 15 minutes.
    fn default() -> Self {
        Self {
            max_failures: 10,
            window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttle")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub email: String,
    pub failures: i32,
    /// Unix seconds of the first failure of the current window.
    pub window_started_at: i64,
    /// Unix seconds; logins are refused until then.
    pub locked_until: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// `Some(seconds to wait)` while the email is locked.
pub async fn retry_after(
    db: &impl ConnectionTrait,
    email: &str,
    now: u64,
) -> Result<Option<u64>, DbErr> {
    let now = to_i64(now);
    let row = Entity::find_by_id(email.to_owned()).one(db).await?;
    Ok(row
        .filter(|r| r.locked_until > now)
        .map(|r| (r.locked_until - now) as u64))
}

/// Counts one failure, in one statement, so concurrent failures are all counted.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    policy: &ThrottlePolicy,
    email: &str,
    now: u64,
) -> Result<(), DbErr> {
    let now = to_i64(now);
    let window_start = now - to_i64(policy.window.as_secs());
    let locked_until = now + to_i64(policy.lockout.as_secs());
    let max = i32::try_from(policy.max_failures).unwrap_or(i32::MAX);

    let col = |c: Column| Expr::col((Entity, c));
    let window_expired = col(Column::WindowStartedAt).lt(window_start);
    let mut on_conflict = OnConflict::column(Column::Email);
    on_conflict
        .value(
            Column::Failures,
            Expr::case(window_expired.clone(), 1).finally(col(Column::Failures).add(1)),
        )
        .value(
            Column::WindowStartedAt,
            Expr::case(window_expired.clone(), now).finally(col(Column::WindowStartedAt)),
        )
        .value(
            Column::LockedUntil,
            Expr::case(
                window_expired
                    .not()
                    .and(col(Column::Failures).add(1).gte(max)),
                locked_until,
            )
            .finally(col(Column::LockedUntil)),
        );
    let first = ActiveModel {
        email: Set(email.to_owned()),
        failures: Set(1),
        window_started_at: Set(now),
        locked_until: Set(if max <= 1 { locked_until } else { 0 }),
    };
    Entity::insert(first)
        .on_conflict(on_conflict)
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// A good login clears the count.
pub async fn record_success(db: &impl ConnectionTrait, email: &str) -> Result<(), DbErr> {
    Entity::delete_by_id(email.to_owned())
        .exec(db)
        .await
        .map(drop)
}

/// Deletes rows that neither lock nor count any more.
pub async fn purge_stale(
    db: &impl ConnectionTrait,
    policy: &ThrottlePolicy,
    now: u64,
) -> Result<u64, DbErr> {
    let now = to_i64(now);
    let result = Entity::delete_many()
        .filter(Column::LockedUntil.lte(now))
        .filter(Column::WindowStartedAt.lt(now - to_i64(policy.window.as_secs())))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
