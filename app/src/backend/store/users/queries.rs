//! Queries on `users`. A duplicate email becomes `EmailTaken` here, at the persistence edge.

use super::entity::{self, ActiveModel, Entity as Users};
use crate::backend::clock::to_db;
use crate::backend::sessions::Lifetimes;
use crate::domain::{Email, UserName};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, SqlErr, Statement,
};
use uuid::Uuid;

pub use entity::Model as User;

#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("the email address is taken")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Inserts a user; the unique index decides between two registrations of one email.
pub async fn insert_user(
    db: &impl ConnectionTrait,
    name: &UserName,
    email: &Email,
    password_hash: String,
) -> Result<User, InsertUserError> {
    // Whole seconds: what the API shows is exactly what is stored, on every backend.
    let now =
        chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap_or_default();
    let user = User {
        id: Uuid::new_v4(),
        name: name.as_str().to_owned(),
        email: email.as_str().to_owned(),
        password_hash,
        email_verified: false,
        created_at: now,
        updated_at: now,
    };
    let row = ActiveModel {
        id: Set(user.id),
        name: Set(user.name.clone()),
        email: Set(user.email.clone()),
        password_hash: Set(user.password_hash.clone()),
        email_verified: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match Users::insert(row).exec_without_returning(db).await {
        Ok(_) => Ok(user),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(InsertUserError::EmailTaken)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<User>, DbErr> {
    Users::find()
        .filter(entity::Column::Email.eq(email.as_str()))
        .one(db)
        .await
}

/// The user a token names, if the token's session is alive and its `jti` not revoked: the whole
/// per-request check, in one query. Written out rather than built with sea-query because it runs
/// on every authenticated request, and building the statement each time cost more than running
/// it (10,500 vs 20,000 req/s on `/api/me`; see the README). `$1`… are positional parameters in
/// both SQLite and Postgres. The liveness rule is `sessions::Session::is_alive`'s.
const FIND_AUTHENTICATED_SQL: &str =
    "SELECT u.id, u.name, u.email, u.password_hash, u.email_verified, u.created_at, u.updated_at, \
     s.expires_at AS session_expires_at, s.last_used_at AS session_last_used_at \
     FROM users u JOIN sessions s ON s.user_id = u.id \
     WHERE u.id = $1 AND s.id = $2 AND s.ended_at IS NULL AND s.expires_at > $3 \
     AND s.last_used_at > $4 AND NOT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $5)";

/// What an access token names, to be checked against the database.
pub struct TokenSubject {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub jti: Uuid,
}

/// A token's user, with when its session ends unless refreshed (Unix seconds).
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    pub session_ends_at: i64,
}

/// `None` when the user is gone, the session ended (or idled out, or reached its maximum age), or
/// the token id is revoked.
pub async fn find_authenticated(
    db: &impl ConnectionTrait,
    subject: &TokenSubject,
    now: u64,
    lifetimes: Lifetimes,
) -> Result<Option<Authenticated>, DbErr> {
    let statement = Statement::from_sql_and_values(
        db.get_database_backend(),
        FIND_AUTHENTICATED_SQL,
        [
            subject.user_id.into(),
            subject.session_id.into(),
            to_db(now).into(),
            lifetimes.idle_cutoff(now).into(),
            subject.jti.into(),
        ],
    );
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let user = User::from_query_result(&row, "")?;
    let expires_at: i64 = row.try_get("", "session_expires_at")?;
    let last_used_at: i64 = row.try_get("", "session_last_used_at")?;
    Ok(Some(Authenticated {
        user,
        session_ends_at: expires_at.min(last_used_at.saturating_add(to_db(lifetimes.idle))),
    }))
}

/// The user with this id.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<User>, DbErr> {
    Users::find_by_id(id).one(db).await
}

pub async fn update_password_hash(
    db: &impl ConnectionTrait,
    id: Uuid,
    password_hash: String,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(id),
        password_hash: Set(password_hash),
        updated_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    Users::update(row).exec(db).await.map(drop)
}

/// Takes the user's row for the rest of the transaction `db` (a no-op update: a row lock on
/// Postgres, the write lock on SQLite), so that a count-then-insert under it (the mail limits)
/// cannot interleave with another. `false` when there is no such user.
pub async fn hold(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let result = Users::update_many()
        .col_expr(
            entity::Column::UpdatedAt,
            Expr::col(entity::Column::UpdatedAt),
        )
        .filter(entity::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn update_name(
    db: &impl ConnectionTrait,
    id: Uuid,
    name: &UserName,
) -> Result<(), DbErr> {
    let row = ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(id),
        name: Set(name.as_str().to_owned()),
        updated_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    Users::update(row).exec(db).await.map(drop)
}

/// Marks the address confirmed, if the user still has `email`; `false` otherwise.
pub async fn confirm_email(
    db: &impl ConnectionTrait,
    id: Uuid,
    email: &str,
) -> Result<bool, DbErr> {
    let result = Users::update_many()
        .col_expr(entity::Column::EmailVerified, Expr::value(true))
        .filter(entity::Column::Id.eq(id))
        .filter(entity::Column::Email.eq(email))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Moves the user to a confirmed new address; the unique index decides against an address taken
/// meanwhile.
pub async fn change_email(
    db: &impl ConnectionTrait,
    id: Uuid,
    email: &str,
) -> Result<(), InsertUserError> {
    let row = ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(id),
        email: Set(email.to_owned()),
        email_verified: Set(true),
        updated_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    match Users::update(row).exec(db).await {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(InsertUserError::EmailTaken)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_user(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    Users::delete_by_id(id).exec(db).await.map(drop)
}

/// The user, held for the rest of the transaction `db` (see [`hold`]); `None` when there is none.
pub async fn find_held(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<User>, DbErr> {
    if !hold(db, id).await? {
        return Ok(None);
    }
    find(db, id).await
}
