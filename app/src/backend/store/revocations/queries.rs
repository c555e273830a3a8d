//! Queries on `revoked_tokens`. Whether a token is revoked is read together with its user, in
//! `users::find_authenticated`, since that runs on every authenticated request.

use super::entity::{ActiveModel, Column, Entity as Revocations};
use crate::backend::clock::to_db;
use sea_orm::sea_query::OnConflict;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Marks `jti` revoked until `expires_at` (Unix seconds); revoking twice is harmless.
pub async fn revoke(
    db: &impl ConnectionTrait,
    jti: Uuid,
    user_id: Uuid,
    expires_at: u64,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        jti: Set(jti),
        user_id: Set(user_id),
        expires_at: Set(to_db(expires_at)),
    };
    Revocations::insert(row)
        .on_conflict(OnConflict::column(Column::Jti).do_nothing().to_owned())
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// Deletes revocations of tokens that expired before `cutoff`; returns how many.
pub async fn purge_expired_before(db: &impl ConnectionTrait, cutoff: u64) -> Result<u64, DbErr> {
    let result = Revocations::delete_many()
        .filter(Column::ExpiresAt.lt(to_db(cutoff)))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
