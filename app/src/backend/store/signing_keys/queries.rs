//! Queries on `signing_keys`.

use super::entity::{ActiveModel, Column, Entity as SigningKeys, Model};
use crate::backend::clock::to_db;
use sea_orm::sea_query::OnConflict;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

pub use super::entity::Model as SigningKey;

/// Stores `secret` as HMAC key `kid` unless a key with that id exists, in one statement, then
/// reads the key back: instances racing at start all end up with the same key. `true` when this
/// call stored it.
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
        public_key: Set(None),
        signs_from: Set(0),
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

/// Every key of `algorithm`, in the order they sign: by `signs_from`, then by age.
pub async fn of_algorithm(
    db: &impl ConnectionTrait,
    algorithm: &str,
) -> Result<Vec<SigningKey>, DbErr> {
    SigningKeys::find()
        .filter(Column::Algorithm.eq(algorithm))
        .order_by_asc(Column::SignsFrom)
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await
}

pub async fn insert(db: &impl ConnectionTrait, key: SigningKey) -> Result<(), DbErr> {
    let row = ActiveModel {
        kid: Set(key.kid),
        algorithm: Set(key.algorithm),
        secret: Set(key.secret),
        created_at: Set(key.created_at),
        public_key: Set(key.public_key),
        signs_from: Set(key.signs_from),
    };
    SigningKeys::insert(row)
        .exec_without_returning(db)
        .await
        .map(drop)
}

/// Deletes the keys `kids`; returns how many.
pub async fn delete(db: &impl ConnectionTrait, kids: &[String]) -> Result<u64, DbErr> {
    if kids.is_empty() {
        return Ok(0);
    }
    let result = SigningKeys::delete_many()
        .filter(Column::Kid.is_in(kids.iter().cloned()))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Any fixed number: the Postgres advisory lock that makes "look at the keys, then add one" a turn
/// of its own ("gh-keys!").
const KEYS_LOCK: i64 = 0x6768_2d6b_6579_7321;

/// Holds the key table for the rest of the transaction `db`, so that two instances starting at
/// once (or a start and `gatehouse keys rotate`) do not both add a key. Postgres: a transaction's
/// advisory lock. SQLite: a no-op write, which takes the database's one write lock.
pub async fn hold(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Postgres => format!("SELECT pg_advisory_xact_lock({KEYS_LOCK})"),
        _ => "UPDATE signing_keys SET kid = kid WHERE kid = ''".to_owned(),
    };
    db.execute_unprepared(&sql).await.map(drop)
}
