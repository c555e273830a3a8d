//! Queries on `sessions`. Ending a session is one conditional update, so two instances ending
//! the same session (or a logout racing a refresh) cannot disagree about it.

use super::entity::{ActiveModel, Column, Entity as Sessions, Model};
use crate::backend::clock::to_db;
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

pub use super::entity::Model as Session;

/// How long sessions live (docs/operations.md, "Configuration"), in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetimes {
    /// `SESSION_IDLE_SECONDS`: a session not refreshed for this long ends.
    pub idle: u64,
    /// `SESSION_MAX_SECONDS`: a session ends this long after its sign-in.
    pub max: u64,
}

impl Lifetimes {
    /// The last refresh a session may have had and still be alive at `now`.
    pub fn idle_cutoff(&self, now: u64) -> i64 {
        to_db(now.saturating_sub(self.idle))
    }
}

/// Everything that decides how long sessions and their refresh tokens live (docs/operations.md, "Configuration").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub lifetimes: Lifetimes,
    /// `REFRESH_REUSE_GRACE_SECONDS`.
    pub reuse_grace: u64,
}

/// Why a session ended, as the table records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// Its own logout.
    Logout,
    /// Ended from another session (a logout with scope `others` or `global`, or `DELETE`).
    EndedElsewhere,
    /// A retired refresh token came back after the grace window: treated as stolen.
    RefreshTokenReplayed,
    /// The password was changed from another session.
    PasswordChanged,
    /// The password was reset by a mailed link.
    PasswordReset,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::EndedElsewhere => "ended_elsewhere",
            Self::RefreshTokenReplayed => "refresh_token_replayed",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
        }
    }
}

impl Model {
    /// Not ended, not idle too long, not past its maximum age.
    pub fn is_alive(&self, now: u64, lifetimes: Lifetimes) -> bool {
        self.ended_at.is_none()
            && self.expires_at > to_db(now)
            && self.last_used_at > lifetimes.idle_cutoff(now)
    }

    /// When it ends unless refreshed first (Unix seconds).
    pub fn ends_at(&self, lifetimes: Lifetimes) -> i64 {
        self.expires_at
            .min(self.last_used_at.saturating_add(to_db(lifetimes.idle)))
    }
}

/// The rows of live sessions, as a condition: the same rule as [`Model::is_alive`].
fn alive(now: u64, lifetimes: Lifetimes) -> Condition {
    Condition::all()
        .add(Column::EndedAt.is_null())
        .add(Column::ExpiresAt.gt(to_db(now)))
        .add(Column::LastUsedAt.gt(lifetimes.idle_cutoff(now)))
}

/// Characters of a `User-Agent` that a session keeps (docs/api.md, "Sessions"; the column's width).
pub const USER_AGENT_CHARS: usize = 200;
/// Characters of the client's address (an IPv6 address is at most 45).
const CLIENT_CHARS: usize = 64;

/// Who signs in, from where, and how (the session's `amr`).
pub struct Device<'a> {
    pub user_agent: &'a str,
    pub client: &'a str,
    pub amr: &'a str,
}

/// Starts a session for `user_id` at `now_ms` (Unix milliseconds). Its id is a UUIDv7: ordered by
/// creation within this process, which breaks a tie of two sign-ins in one millisecond.
pub async fn start(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    device: Device<'_>,
    now_ms: u64,
    lifetimes: Lifetimes,
) -> Result<Session, DbErr> {
    let now = now_ms / 1000;
    let session = Session {
        id: Uuid::now_v7(),
        user_id,
        created_at: to_db(now_ms),
        last_used_at: to_db(now),
        expires_at: to_db(now.saturating_add(lifetimes.max)),
        user_agent: device.user_agent.chars().take(USER_AGENT_CHARS).collect(),
        client: device.client.chars().take(CLIENT_CHARS).collect(),
        ended_at: None,
        end_reason: None,
        amr: device.amr.to_owned(),
    };
    let row = ActiveModel {
        id: Set(session.id),
        user_id: Set(session.user_id),
        created_at: Set(session.created_at),
        last_used_at: Set(session.last_used_at),
        expires_at: Set(session.expires_at),
        user_agent: Set(session.user_agent.clone()),
        client: Set(session.client.clone()),
        ended_at: Set(None),
        end_reason: Set(None),
        amr: Set(session.amr.clone()),
    };
    Sessions::insert(row).exec_without_returning(db).await?;
    Ok(session)
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Session>, DbErr> {
    Sessions::find_by_id(id).one(db).await
}

/// Records a refresh at `now`, if the session is still alive then: `false` when it is not (ended
/// meanwhile, on this instance or another).
pub async fn touch(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: u64,
    lifetimes: Lifetimes,
) -> Result<bool, DbErr> {
    let result = Sessions::update_many()
        .col_expr(Column::LastUsedAt, Expr::value(to_db(now)))
        .filter(Column::Id.eq(id))
        .filter(alive(now, lifetimes))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Which of a user's live sessions to end.
#[derive(Clone, Copy, Debug)]
pub enum Which {
    One(Uuid),
    AllBut(Uuid),
    All,
}

/// Ends the live sessions of `user_id` that `which` names; returns how many ended.
pub async fn end(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    which: Which,
    reason: EndReason,
    now: u64,
    lifetimes: Lifetimes,
) -> Result<u64, DbErr> {
    let mut update = Sessions::update_many()
        .col_expr(Column::EndedAt, Expr::value(to_db(now)))
        .col_expr(Column::EndReason, Expr::value(reason.as_str()))
        .filter(Column::UserId.eq(user_id))
        .filter(alive(now, lifetimes));
    update = match which {
        Which::One(id) => update.filter(Column::Id.eq(id)),
        Which::AllBut(id) => update.filter(Column::Id.ne(id)),
        Which::All => update,
    };
    Ok(update.exec(db).await?.rows_affected)
}

/// The live sessions of `user_id`, newest first (by the millisecond, then by creation order).
pub async fn live_of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: u64,
    lifetimes: Lifetimes,
) -> Result<Vec<Model>, DbErr> {
    Sessions::find()
        .filter(Column::UserId.eq(user_id))
        .filter(alive(now, lifetimes))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .all(db)
        .await
}

/// Deletes every session that is no longer alive, with its refresh tokens (the foreign key
/// cascades); returns how many sessions. Their access tokens are refused already: nothing is
/// left to check them against.
pub async fn purge_dead(
    db: &impl ConnectionTrait,
    now: u64,
    lifetimes: Lifetimes,
) -> Result<u64, DbErr> {
    let dead = Condition::any()
        .add(Column::EndedAt.is_not_null())
        .add(Column::ExpiresAt.lte(to_db(now)))
        .add(Column::LastUsedAt.lte(lifetimes.idle_cutoff(now)));
    Ok(Sessions::delete_many()
        .filter(dead)
        .exec(db)
        .await?
        .rows_affected)
}
