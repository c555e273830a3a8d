//! Queries on `link_tokens`. Using a link is one conditional update, so of two requests with one
//! link (on one instance or two) exactly one uses it.

use super::entity::{ActiveModel, Column, Entity as LinkTokens, Model};
use crate::backend::clock::to_db;
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use super::entity::Model as LinkRecord;

/// How long links live (CONTRACT §1), in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkLifetimes {
    /// `RESET_LINK_TTL_SECONDS`.
    pub reset: u64,
    /// `VERIFY_LINK_TTL_SECONDS`: confirmation of the address, or of a new one.
    pub verify: u64,
}

impl LinkLifetimes {
    pub fn of(&self, purpose: Purpose) -> u64 {
        match purpose {
            Purpose::Reset => self.reset,
            Purpose::Verify | Purpose::ChangeEmail => self.verify,
        }
    }
}

/// What a link does when it is followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Confirms the address the account has.
    Verify,
    /// Sets a new password.
    Reset,
    /// Moves the account to the address the link was mailed to.
    ChangeEmail,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Reset => "reset",
            Self::ChangeEmail => "change_email",
        }
    }
}

/// A link to store: its hash, whose it is, what it does.
pub struct NewLink<'a> {
    pub hash: String,
    pub user_id: Uuid,
    pub purpose: Purpose,
    /// The address it is mailed to.
    pub email: &'a str,
    pub expires_at: u64,
}

pub async fn insert(db: &impl ConnectionTrait, link: NewLink<'_>, now: u64) -> Result<(), DbErr> {
    let row = ActiveModel {
        hash: Set(link.hash),
        user_id: Set(link.user_id),
        purpose: Set(link.purpose.as_str().to_owned()),
        email: Set(link.email.to_owned()),
        created_at: Set(to_db(now)),
        expires_at: Set(to_db(link.expires_at)),
        used_at: Set(None),
    };
    LinkTokens::insert(row)
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// The live link with this hash and purpose (not used, not expired), without using it.
pub async fn find_live(
    db: &impl ConnectionTrait,
    hash: &str,
    purpose: Purpose,
    now: u64,
) -> Result<Option<Model>, DbErr> {
    LinkTokens::find_by_id(hash.to_owned())
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(to_db(now)))
        .one(db)
        .await
}

/// Uses the live link with this hash, if it has one of `purposes`: its row for the one caller
/// that did, `None` when it is unknown, used, expired or of another purpose.
pub async fn use_once(
    db: &impl ConnectionTrait,
    hash: &str,
    purposes: &[Purpose],
    now: u64,
) -> Result<Option<Model>, DbErr> {
    let result = LinkTokens::update_many()
        .col_expr(Column::UsedAt, Expr::value(to_db(now)))
        .filter(Column::Hash.eq(hash))
        .filter(Column::Purpose.is_in(purposes.iter().map(|p| p.as_str())))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(to_db(now)))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Ok(None);
    }
    LinkTokens::find_by_id(hash.to_owned()).one(db).await
}

/// Kills every live link of the user with this purpose; returns how many it killed.
pub async fn kill_all(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Purpose,
    now: u64,
) -> Result<u64, DbErr> {
    let result = LinkTokens::update_many()
        .col_expr(Column::UsedAt, Expr::value(to_db(now)))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Purpose.eq(purpose.as_str()))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Deletes links that can no longer be used.
pub async fn purge_dead(db: &impl ConnectionTrait, now: u64) -> Result<u64, DbErr> {
    let result = LinkTokens::delete_many()
        .filter(
            Condition::any()
                .add(Column::UsedAt.is_not_null())
                .add(Column::ExpiresAt.lte(to_db(now))),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
