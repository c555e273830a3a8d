//! Sessions (docs/api.md, "Sessions"): one row per sign-in, and the refresh tokens each session has had, kept
//! hashed. A retired token stays (with when it was retired) for as long as its session, so that a
//! replay is recognised: within the grace window it is two tabs refreshing at once, after it a theft.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .if_not_exists()
                    .col(uuid(Sessions::Id).primary_key())
                    .col(uuid(Sessions::UserId))
                    // Unix seconds, like every time the checks compare.
                    .col(big_integer(Sessions::CreatedAt))
                    .col(big_integer(Sessions::LastUsedAt))
                    // The absolute end: `created_at` + SESSION_MAX_SECONDS.
                    .col(big_integer(Sessions::ExpiresAt))
                    .col(string_len(Sessions::UserAgent, 200))
                    .col(string_len(Sessions::Client, 64))
                    .col(big_integer_null(Sessions::EndedAt))
                    .col(string_len_null(Sessions::EndReason, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
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
                    .name("idx_sessions_user_id")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .if_not_exists()
                    // SHA-256 of the token, hex: the token itself is never stored.
                    .col(string_len(RefreshTokens::Hash, 64).primary_key())
                    .col(uuid(RefreshTokens::SessionId))
                    .col(big_integer(RefreshTokens::CreatedAt))
                    .col(big_integer_null(RefreshTokens::RetiredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_refresh_tokens_session_id")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::SessionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RefreshTokens::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
    UserAgent,
    Client,
    EndedAt,
    EndReason,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Hash,
    SessionId,
    CreatedAt,
    RetiredAt,
}
