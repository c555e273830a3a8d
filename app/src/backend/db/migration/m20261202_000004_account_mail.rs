//! The account over email (docs/api.md, "The account over email"): whether a user's address is confirmed, the links mailed
//! to them (kept hashed), and the outbox the mail waits in until it is delivered.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if !manager.has_column("users", "email_verified").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(boolean(Users::EmailVerified).default(false))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(LinkTokens::Table)
                    .if_not_exists()
                    // SHA-256 of the token, hex: the token itself is only ever in the mail.
                    .col(string_len(LinkTokens::Hash, 64).primary_key())
                    .col(uuid(LinkTokens::UserId))
                    // `verify`, `reset` or `change_email`.
                    .col(string_len(LinkTokens::Purpose, 16))
                    // The address the link was mailed to: the one it confirms.
                    .col(string_len(LinkTokens::Email, 254))
                    .col(big_integer(LinkTokens::CreatedAt))
                    .col(big_integer(LinkTokens::ExpiresAt))
                    .col(big_integer_null(LinkTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LinkTokens::Table, LinkTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_link_tokens_user_id")
                    .table(LinkTokens::Table)
                    .col(LinkTokens::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .if_not_exists()
                    .col(uuid(Outbox::Id).primary_key())
                    // What the mail is for; the per-address limits count by it.
                    .col(string_len(Outbox::Kind, 32))
                    // No foreign key: the notice of a deleted account outlives the account.
                    .col(string_len(Outbox::Recipient, 254))
                    .col(string(Outbox::Subject))
                    // Emptied once sent: a link's token is not kept longer than it must be.
                    .col(text(Outbox::TextBody))
                    .col(text(Outbox::HtmlBody))
                    .col(big_integer(Outbox::CreatedAt))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(big_integer(Outbox::NextAttemptAt))
                    // A sender's lease: another sender leaves the row alone until then.
                    .col(big_integer_null(Outbox::ClaimedUntil))
                    .col(big_integer_null(Outbox::SentAt))
                    .col(big_integer_null(Outbox::FailedAt))
                    .col(string_len_null(Outbox::LastError, 500))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_outbox_due")
                    .table(Outbox::Table)
                    .col(Outbox::SentAt)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_outbox_recipient")
                    .table(Outbox::Table)
                    .col(Outbox::Recipient)
                    .col(Outbox::Kind)
                    .col(Outbox::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LinkTokens::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::EmailVerified)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    EmailVerified,
}

#[derive(DeriveIden)]
enum LinkTokens {
    Table,
    Hash,
    UserId,
    Purpose,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Kind,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    SentAt,
    FailedAt,
    LastError,
}
