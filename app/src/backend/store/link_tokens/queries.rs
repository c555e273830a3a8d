//! Queries on `link_tokens`. Using a link is one conditional update, so of two requests with one
//! link (on one instance or two) exactly one uses it.
//!
//! A link is stored *pending* when its mail is queued: whose it is, what it does, the mail that
//! carries it, and no token. The sender mints the token as it sends the mail ([`mint`]), so no
//! usable token rests in the database, not even inside a mail that waits for its turn; a link
//! killed meanwhile (a password change) can no longer be minted, and its mail is dropped.

use super::entity::{ActiveModel, Column, Entity as LinkTokens, Model};
use crate::backend::clock::to_db;
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use super::entity::Model as LinkRecord;

/// How long links live (docs/operations.md, "Configuration"), in seconds.
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
    pub const ALL: [Purpose; 3] = [Self::Verify, Self::Reset, Self::ChangeEmail];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Reset => "reset",
            Self::ChangeEmail => "change_email",
        }
    }

    /// The purpose stored as `stored` ([`Purpose::as_str`]).
    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == stored)
    }
}

/// A link to store, pending: whose it is, what it does, the mail that will carry it.
pub struct NewLink<'a> {
    pub user_id: Uuid,
    pub purpose: Purpose,
    /// The address it is mailed to.
    pub email: &'a str,
    pub mail_id: Uuid,
    /// Until when it may still be minted: as long as its mail may wait in the outbox.
    pub pending_until: u64,
}

/// The key a pending link is stored under: no token hashes to it (a hash is 64 hex digits).
fn pending_key(mail_id: Uuid) -> String {
    format!("pending:{}", mail_id.simple())
}

/// Stores a pending link (see the module's comment); [`mint`] gives it its token.
pub async fn insert(db: &impl ConnectionTrait, link: NewLink<'_>, now: u64) -> Result<(), DbErr> {
    let row = ActiveModel {
        hash: Set(pending_key(link.mail_id)),
        user_id: Set(link.user_id),
        purpose: Set(link.purpose.as_str().to_owned()),
        email: Set(link.email.to_owned()),
        created_at: Set(to_db(now)),
        expires_at: Set(to_db(link.pending_until)),
        used_at: Set(None),
        mail_id: Set(Some(link.mail_id)),
    };
    LinkTokens::insert(row)
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// Gives the link that mail `mail_id` carries the token whose hash is `hash`, live for its
/// purpose's lifetime from `now`; a token minted for an earlier try of the same mail dies. `false`
/// when the link was killed or used meanwhile (or is past `pending_until`): the mail must not go.
pub async fn mint(
    db: &impl ConnectionTrait,
    mail_id: Uuid,
    hash: String,
    lifetimes: LinkLifetimes,
    now: u64,
) -> Result<bool, DbErr> {
    let Some(link) = LinkTokens::find()
        .filter(Column::MailId.eq(mail_id))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let Some(purpose) = Purpose::parse(&link.purpose) else {
        return Ok(false);
    };
    let result = LinkTokens::update_many()
        .col_expr(Column::Hash, Expr::value(hash))
        .col_expr(Column::CreatedAt, Expr::value(to_db(now)))
        .col_expr(
            Column::ExpiresAt,
            Expr::value(to_db(now.saturating_add(lifetimes.of(purpose)))),
        )
        .filter(Column::MailId.eq(mail_id))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(to_db(now)))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
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

/// Kills every live link of the user with one of these purposes, pending ones included; returns
/// how many it killed.
pub async fn kill_all(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purposes: &[Purpose],
    now: u64,
) -> Result<u64, DbErr> {
    let result = LinkTokens::update_many()
        .col_expr(Column::UsedAt, Expr::value(to_db(now)))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Purpose.is_in(purposes.iter().map(|p| p.as_str())))
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
