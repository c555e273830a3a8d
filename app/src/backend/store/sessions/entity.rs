//! SeaORM entity of `sessions`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// Unix milliseconds: the sign-in (the other times are in seconds).
    pub created_at: i64,
    /// Unix seconds: the sign-in or the last refresh.
    pub last_used_at: i64,
    /// Unix seconds: the absolute end (`created_at` + `SESSION_MAX_SECONDS`).
    pub expires_at: i64,
    /// The client's `User-Agent`, first 200 characters.
    pub user_agent: String,
    /// The client's address at sign-in.
    pub client: String,
    /// Unix seconds, once ended by someone (logout, another session, a replayed refresh token).
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
    /// How it was signed in: RFC 8176 values, space-separated (`auth::SignInMethod::amr`).
    pub amr: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
