//! Queries on `signing_keys`.

use super::entity::{ActiveModel, Column, Entity as SigningKeys, Model};
use crate::backend::clock::to_db;
use sea_orm::sea_query::OnConflict;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// Stores `secret` as key `kid` unless a key with that id exists, in one statement, then reads
/// the key back: instances racing at start all end up with the same key. `true` when this call
/// stored it.
pub async fn insert_if_absent(
    db: &impl ConnectionTrait,
    kid: &str,
    algorithm: &str,
    secret: &str,
    now: u64,
) -> Result<(Model, bool), DbErr> {
    let row = ActiveModel {
        kid: Set(kid.to_owned()),
        algorithm: Set(algorithm.to_owned()),
        secret: Set(secret.to_owned()),
        created_at: Set(to_db(now)),
    };
    let inserted = SigningKeys::insert(row)
        .on_conflict(OnConflict::column(Column::Kid).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    let key = SigningKeys::find_by_id(kid.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("signing key {kid}")))?;
    Ok((key, inserted > 0))
}
