//! SeaORM entity of `outbox`. `Debug` is written by hand: a body may hold a link's token.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// [`MailKind::as_str`](super::MailKind::as_str).
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// Emptied once sent.
    pub text_body: String,
    /// Emptied once sent.
    pub html_body: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Delivery attempts so far, the one under way included.
    pub attempts: i32,
    /// Unix seconds: not tried again before then.
    pub next_attempt_at: i64,
    /// Unix seconds: a sender holds the row until then.
    pub claimed_until: Option<i64>,
    /// Which claim holds the row: a sender records an outcome only under its own lease.
    pub lease: Option<Uuid>,
    pub sent_at: Option<i64>,
    /// Unix seconds: given up on after the last retry.
    pub failed_at: Option<i64>,
    /// Why the last attempt failed (the transport's words, never a body).
    pub last_error: Option<String>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxMail")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
