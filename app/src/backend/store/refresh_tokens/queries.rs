//! Queries on `refresh_tokens`. Retiring a token is one conditional update: of two refreshes
//! with the same token, on one instance or two, exactly one retires it.

use super::entity::{ActiveModel, Column, Entity as RefreshTokens, Model};
use crate::backend::clock::to_db;
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Stores the hash of a session's new live token.
pub async fn insert(
    db: &impl ConnectionTrait,
    hash: String,
    session_id: Uuid,
    now: u64,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        hash: Set(hash),
        session_id: Set(session_id),
        created_at: Set(to_db(now)),
        retired_at: Set(None),
    };
    RefreshTokens::insert(row)
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// Retires the token with this hash if it is live: `true` for the one caller that did.
pub async fn retire(db: &impl ConnectionTrait, hash: &str, now: u64) -> Result<bool, DbErr> {
    let result = RefreshTokens::update_many()
        .col_expr(Column::RetiredAt, Expr::value(to_db(now)))
        .filter(Column::Hash.eq(hash))
        .filter(Column::RetiredAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn find(db: &impl ConnectionTrait, hash: &str) -> Result<Option<Model>, DbErr> {
    RefreshTokens::find_by_id(hash.to_owned()).one(db).await
}
