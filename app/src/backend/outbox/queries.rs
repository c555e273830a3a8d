//! Queries on `outbox`. A sender claims due mail with one statement that also leases it (on
//! Postgres with `FOR UPDATE SKIP LOCKED`, so senders on several instances never wait for each
//! other nor take the same row); a lease that runs out (the sender died) frees the row again.

use super::entity::{ActiveModel, Column, Entity as Outbox, Model};
use crate::backend::clock::to_db;
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Statement,
};
use uuid::Uuid;

pub use super::entity::Model as OutboxMail;

/// What a mail is for. The per-address limits of CONTRACT §6 count mail by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    /// A link to confirm the account's address.
    Verify,
    /// A link to reset the password.
    Reset,
    /// A link to confirm a new address, sent to that address.
    ChangeEmail,
    /// Notices of a change, sent to the account's (old) address.
    EmailChanging,
    PasswordChanged,
    PasswordReset,
    AccountDeleted,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Reset => "reset",
            Self::ChangeEmail => "change_email",
            Self::EmailChanging => "email_changing",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::AccountDeleted => "account_deleted",
        }
    }
}

/// A mail as the outbox takes it.
pub struct NewMail {
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

/// Puts a mail in the outbox, due at once; returns its id.
pub async fn enqueue(db: &impl ConnectionTrait, mail: NewMail, now: u64) -> Result<Uuid, DbErr> {
    let id = Uuid::new_v4();
    let row = ActiveModel {
        id: Set(id),
        kind: Set(mail.kind.as_str().to_owned()),
        recipient: Set(mail.recipient),
        subject: Set(mail.subject),
        text_body: Set(mail.text_body),
        html_body: Set(mail.html_body),
        created_at: Set(to_db(now)),
        attempts: Set(0),
        next_attempt_at: Set(to_db(now)),
        claimed_until: Set(None),
        sent_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
    };
    Outbox::insert(row).exec_without_returning(db).await?;
    Ok(id)
}

/// Mail of `kind` to `recipient` queued since `since` (Unix seconds), sent or not.
pub async fn count_since(
    db: &impl ConnectionTrait,
    recipient: &str,
    kind: MailKind,
    since: u64,
) -> Result<u64, DbErr> {
    Outbox::find()
        .filter(Column::Recipient.eq(recipient))
        .filter(Column::Kind.eq(kind.as_str()))
        .filter(Column::CreatedAt.gt(to_db(since)))
        .count(db)
        .await
}

const CLAIM_SQL: &str = "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox \
       WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
       AND (claimed_until IS NULL OR claimed_until <= $2) \
       ORDER BY created_at LIMIT $3{lock}) \
     RETURNING id, kind, recipient, subject, text_body, html_body, created_at, attempts, \
       next_attempt_at, claimed_until, sent_at, failed_at, last_error";

/// Claims up to `limit` due mails until `lease_until`: no other sender takes them before then.
pub async fn claim(
    db: &impl ConnectionTrait,
    now: u64,
    lease_until: u64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let backend = db.get_database_backend();
    // SQLite runs one writer at a time: the statement alone is atomic there.
    let lock = match backend {
        DatabaseBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let statement = Statement::from_sql_and_values(
        backend,
        CLAIM_SQL.replace("{lock}", lock),
        [
            to_db(lease_until).into(),
            to_db(now).into(),
            i64::try_from(limit).unwrap_or(i64::MAX).into(),
        ],
    );
    Outbox::find().from_raw_sql(statement).all(db).await
}

/// The mail went out: kept as a record (the limits count it), without its bodies.
pub async fn sent(db: &impl ConnectionTrait, id: Uuid, now: u64) -> Result<(), DbErr> {
    close(db, id, Column::SentAt, now, None).await
}

/// The attempt failed: try again at `next_attempt_at`.
pub async fn retry_at(
    db: &impl ConnectionTrait,
    id: Uuid,
    next_attempt_at: u64,
    error: &str,
) -> Result<(), DbErr> {
    Outbox::update_many()
        .col_expr(Column::NextAttemptAt, Expr::value(to_db(next_attempt_at)))
        .col_expr(Column::ClaimedUntil, Expr::value(Option::<i64>::None))
        .col_expr(Column::LastError, Expr::value(cut(error)))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(drop)
}

/// The last attempt failed too: given up on, and its bodies dropped.
pub async fn give_up(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: u64,
    error: &str,
) -> Result<(), DbErr> {
    close(db, id, Column::FailedAt, now, Some(cut(error))).await
}

/// Records a mail's last word (`outcome` is `sent_at` or `failed_at`), releases its lease and drops
/// its bodies: a link's token is not kept longer than its mail needs it.
async fn close(
    db: &impl ConnectionTrait,
    id: Uuid,
    outcome: Column,
    now: u64,
    error: Option<String>,
) -> Result<(), DbErr> {
    Outbox::update_many()
        .col_expr(outcome, Expr::value(to_db(now)))
        .col_expr(Column::ClaimedUntil, Expr::value(Option::<i64>::None))
        .col_expr(Column::TextBody, Expr::value(""))
        .col_expr(Column::HtmlBody, Expr::value(""))
        .col_expr(Column::LastError, Expr::value(error))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await
        .map(drop)
}

/// Deletes the records of mail sent or given up on before `before`.
pub async fn purge_done(db: &impl ConnectionTrait, before: u64) -> Result<u64, DbErr> {
    let before = to_db(before);
    let result = Outbox::delete_many()
        .filter(
            Condition::any()
                .add(Column::SentAt.lt(before))
                .add(Column::FailedAt.lt(before)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The column holds 500 characters.
fn cut(error: &str) -> String {
    error.chars().take(500).collect()
}
