//! Revoked token ids, kept in the database (so every instance and every restart sees them) until
//! the token would have expired anyway.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::ActiveValue::Set;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revoked_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub jti: Uuid,
    pub user_id: Uuid,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Marks `jti` revoked; revoking twice is harmless.
pub async fn revoke(
    db: &impl ConnectionTrait,
    jti: Uuid,
    user_id: Uuid,
    expires_at: u64,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        jti: Set(jti),
        user_id: Set(user_id),
        expires_at: Set(to_i64(expires_at)),
    };
    Entity::insert(row)
        .on_conflict(OnConflict::column(Column::Jti).do_nothing().to_owned())
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// Deletes revocations of tokens that have expired by `now` (plus leeway); returns how many.
pub async fn purge_expired(db: &impl ConnectionTrait, now: u64) -> Result<u64, DbErr> {
    let cutoff = to_i64(now.saturating_sub(super::token::LEEWAY_SECONDS));
    let result = Entity::delete_many()
        .filter(Column::ExpiresAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

pub(crate) fn to_i64(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}
