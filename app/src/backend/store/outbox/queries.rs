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

/// What a mail is for. The per-address limits of docs/api.md, "The account over email" count mail by kind.
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
    /// Not a mail: an answered "forgot your password?" for the address in `recipient`, stored
    /// before the answer and resolved in the background (a reset mail, or nothing), so that a
    /// restart right after the answer loses nothing.
    ResetRequest,
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
            Self::ResetRequest => "reset_request",
        }
    }

    /// Whether a mail of this kind carries a link whose token is minted as it is sent.
    pub fn has_link(self) -> bool {
        matches!(self, Self::Verify | Self::Reset | Self::ChangeEmail)
    }

    const ALL: [MailKind; 8] = [
        Self::Verify,
        Self::Reset,
        Self::ChangeEmail,
        Self::EmailChanging,
        Self::PasswordChanged,
        Self::PasswordReset,
        Self::AccountDeleted,
        Self::ResetRequest,
    ];

    /// The kind stored as `stored` ([`MailKind::as_str`]).
    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == stored)
    }
}

/// A mail as the outbox takes it.
#[derive(Clone)]
pub struct NewMail {
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

/// Puts a mail in the outbox as `id`, due at once.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    id: Uuid,
    mail: NewMail,
    now: u64,
) -> Result<(), DbErr> {
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
        lease: Set(None),
        sent_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
    };
    Outbox::insert(row)
        .exec_without_returning(db)
        .await
        .map(drop)
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

const CLAIM_SQL: &str =
    "UPDATE outbox SET claimed_until = $1, lease = $4, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox \
       WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
       AND (claimed_until IS NULL OR claimed_until <= $2) \
       ORDER BY created_at LIMIT $3{lock}) \
     RETURNING id, kind, recipient, subject, text_body, html_body, created_at, attempts, \
       next_attempt_at, claimed_until, lease, sent_at, failed_at, last_error";

/// A claim on a mail: only its holder records the mail's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lease {
    pub mail_id: Uuid,
    pub id: Uuid,
}

/// Claims up to `limit` due mails until `lease_until` under one new lease: no other sender takes
/// them before then.
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
            Uuid::new_v4().into(),
        ],
    );
    Outbox::find().from_raw_sql(statement).all(db).await
}

impl Model {
    /// The claim this row was returned under.
    pub fn lease(&self) -> Option<Lease> {
        self.lease.map(|id| Lease {
            mail_id: self.id,
            id,
        })
    }
}

/// What recording an outcome found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    Yes,
    /// The lease was no longer this sender's (it ran out and another sender claimed the mail):
    /// nothing was written.
    LeaseLost,
}

impl From<u64> for Recorded {
    fn from(rows_affected: u64) -> Self {
        if rows_affected == 1 {
            Self::Yes
        } else {
            Self::LeaseLost
        }
    }
}

/// The mail went out: kept as a record (the limits count it), without its bodies.
pub async fn sent(db: &impl ConnectionTrait, lease: Lease, now: u64) -> Result<Recorded, DbErr> {
    close(db, lease, Column::SentAt, now, None).await
}

/// The attempt failed: try again at `next_attempt_at`.
pub async fn retry_at(
    db: &impl ConnectionTrait,
    lease: Lease,
    next_attempt_at: u64,
    error: &str,
) -> Result<Recorded, DbErr> {
    Outbox::update_many()
        .col_expr(Column::NextAttemptAt, Expr::value(to_db(next_attempt_at)))
        .col_expr(Column::ClaimedUntil, Expr::value(Option::<i64>::None))
        .col_expr(Column::Lease, Expr::value(Option::<Uuid>::None))
        .col_expr(Column::LastError, Expr::value(cut(error)))
        .filter(held(lease))
        .exec(db)
        .await
        .map(|r| r.rows_affected.into())
}

/// The last attempt failed too: given up on, and its bodies dropped.
pub async fn give_up(
    db: &impl ConnectionTrait,
    lease: Lease,
    now: u64,
    error: &str,
) -> Result<Recorded, DbErr> {
    close(db, lease, Column::FailedAt, now, Some(cut(error))).await
}

/// The row, while `lease` still holds it.
fn held(lease: Lease) -> Condition {
    Condition::all()
        .add(Column::Id.eq(lease.mail_id))
        .add(Column::Lease.eq(lease.id))
}

/// Records a mail's last word (`outcome` is `sent_at` or `failed_at`), releases its lease and drops
/// its bodies, as long as `lease` still holds it.
async fn close(
    db: &impl ConnectionTrait,
    lease: Lease,
    outcome: Column,
    now: u64,
    error: Option<String>,
) -> Result<Recorded, DbErr> {
    Outbox::update_many()
        .col_expr(outcome, Expr::value(to_db(now)))
        .col_expr(Column::ClaimedUntil, Expr::value(Option::<i64>::None))
        .col_expr(Column::Lease, Expr::value(Option::<Uuid>::None))
        .col_expr(Column::TextBody, Expr::value(""))
        .col_expr(Column::HtmlBody, Expr::value(""))
        .col_expr(Column::LastError, Expr::value(error))
        .filter(held(lease))
        .exec(db)
        .await
        .map(|r| r.rows_affected.into())
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
