//! Ed25519 signing keys (docs/api.md, "Tokens other services verify") beside the HMAC key: each key's public half (published in
//! the JWKS) and the moment it starts to sign, so a rotated key is published before any token
//! carries its `kid`. And the sign-in requests counted per client address, which move from each
//! process's memory into the database, so that several instances share one count.

use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        if !manager.has_column("signing_keys", "public_key").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(SigningKeys::Table)
                        // Base64url of the raw public key (the JWK's `x`); none for an HMAC key.
                        .add_column(text_null(SigningKeys::PublicKey))
                        .to_owned(),
                )
                .await?;
        }
        if !manager.has_column("signing_keys", "signs_from").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(SigningKeys::Table)
                        // Unix seconds; 0 for the HMAC key, which signs from the start.
                        .add_column(big_integer(SigningKeys::SignsFrom).default(0))
                        .to_owned(),
                )
                .await?;
        }
        // Written on every sign-in request and worth nothing after a minute: on Postgres the table
        // skips the write-ahead log (UNLOGGED; a crash empties it, which only forgives a minute).
        let unlogged = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "UNLOGGED ",
            _ => "",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE {unlogged}TABLE IF NOT EXISTS sign_in_rates (\
                 client VARCHAR(64) NOT NULL PRIMARY KEY, \
                 window_started_at BIGINT NOT NULL, \
                 requests BIGINT NOT NULL)"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS sign_in_rates")
            .await?;
        for column in [SigningKeys::SignsFrom, SigningKeys::PublicKey] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SigningKeys::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    PublicKey,
    SignsFrom,
}
