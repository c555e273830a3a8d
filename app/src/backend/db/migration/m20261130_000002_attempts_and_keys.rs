//! Login attempts counted per account and per (account, client address), replacing the per-email
//! `login_throttle` (its counts are short-lived, so none are carried over); and the signing keys,
//! which move from the `data/jwt-secret` file into the database so every instance shares them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(LoginThrottle::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .if_not_exists()
                    .col(string_len(LoginAttempts::Email, 254))
                    // An IPv6 address is at most 45 characters; `*` is the account's own row.
                    .col(string_len(LoginAttempts::Client, 64))
                    .col(integer(LoginAttempts::Attempts))
                    .col(big_integer(LoginAttempts::WindowStartedAt))
                    .col(big_integer(LoginAttempts::LockedUntil))
                    .col(big_integer(LoginAttempts::TrustedUntil))
                    .primary_key(
                        Index::create()
                            .col(LoginAttempts::Email)
                            .col(LoginAttempts::Client),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    .if_not_exists()
                    .col(string_len(SigningKeys::Kid, 64).primary_key())
                    .col(string_len(SigningKeys::Algorithm, 16))
                    .col(text(SigningKeys::Secret))
                    .col(big_integer(SigningKeys::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SigningKeys::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LoginAttempts::Table).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottle::Table)
                    .col(string_len(LoginThrottle::Email, 254).primary_key())
                    .col(integer(LoginThrottle::Failures))
                    .col(big_integer(LoginThrottle::WindowStartedAt))
                    .col(big_integer(LoginThrottle::LockedUntil))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Email,
    Failures,
    WindowStartedAt,
    LockedUntil,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    Email,
    Client,
    Attempts,
    WindowStartedAt,
    LockedUntil,
    TrustedUntil,
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Kid,
    Algorithm,
    Secret,
    CreatedAt,
}
