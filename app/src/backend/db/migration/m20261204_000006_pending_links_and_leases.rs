//! Links minted as their mail is sent, leases that name their holder, and sign-in times to the
//! millisecond (docs/architecture.md, "Mail"; docs/api.md, "Sessions").
//!
//! - `link_tokens.mail_id`: the outbox mail that carries a link. The link is stored pending
//!   (no token) when the mail is queued; the sender mints the token as it sends the mail.
//! - `outbox.lease`: which claim holds a mail; an outcome is recorded only under it.
//! - `sessions.created_at` in Unix milliseconds: two sign-ins of one second keep their order.
//! - `sessions.amr`: how the session was signed in (RFC 8176), for its tokens' `amr` claim; every
//!   session before it was signed in with a password.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "link_tokens",
            "mail_id",
            uuid_null(LinkTokens::MailId),
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_link_tokens_mail_id")
                    .table(LinkTokens::Table)
                    .col(LinkTokens::MailId)
                    .to_owned(),
            )
            .await?;
        add_column(manager, "outbox", "lease", uuid_null(Outbox::Lease)).await?;
        let amr = string_len(Sessions::Amr, 32).default("pwd").to_owned();
        add_column(manager, "sessions", "amr", amr).await?;
        // Seconds become milliseconds once: a start-time in seconds is below 10^11 until 5138.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE sessions SET created_at = created_at * 1000 WHERE created_at < 100000000000",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE sessions SET created_at = created_at / 1000 WHERE created_at >= 100000000000",
            )
            .await?;
        drop_column(manager, Sessions::Table, Sessions::Amr).await?;
        drop_column(manager, Outbox::Table, Outbox::Lease).await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_link_tokens_mail_id")
                    .table(LinkTokens::Table)
                    .to_owned(),
            )
            .await?;
        drop_column(manager, LinkTokens::Table, LinkTokens::MailId).await
    }
}

/// Adds `column` (named `name`) to `table`, unless an earlier start already did. One column a
/// statement: SQLite's ALTER TABLE adds one at a time.
async fn add_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    name: &str,
    mut column: ColumnDef,
) -> Result<(), DbErr> {
    if manager.has_column(table, name).await? {
        return Ok(());
    }
    let alter = Table::alter()
        .table(Alias::new(table))
        .add_column(&mut column)
        .to_owned();
    manager.alter_table(alter).await
}

async fn drop_column(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: impl IntoIden,
) -> Result<(), DbErr> {
    let alter = Table::alter().table(table).drop_column(column).to_owned();
    manager.alter_table(alter).await
}

#[derive(DeriveIden)]
enum LinkTokens {
    Table,
    MailId,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Amr,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Lease,
}
