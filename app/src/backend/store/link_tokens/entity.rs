//! SeaORM entity of `link_tokens`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "link_tokens")]
pub struct Model {
    /// SHA-256 of the token, lower-case hex; `pending:` + the mail's id until the mail that
    /// carries the link is sent (no token exists before then: see `link_tokens::mint`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub user_id: Uuid,
    /// [`Purpose::as_str`](super::Purpose::as_str).
    pub purpose: String,
    /// The address the link was mailed to: a confirmation link confirms it only while the
    /// account still has it; a `change_email` link moves the account to it.
    pub email: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds: the link is dead from then on.
    pub expires_at: i64,
    /// Unix seconds: when it was used, or killed (a reset kills the user's other reset links).
    pub used_at: Option<i64>,
    /// The outbox mail that carries the link: its token is minted when that mail is sent.
    pub mail_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
