//! SeaORM entity of `signing_keys`. `Debug` is written by hand so a key never prints.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    /// The key's id (`kid`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    /// `HS256` or `EdDSA`.
    pub algorithm: String,
    /// The private key material: for HS256, the HMAC key's text; for EdDSA, the base64url of the
    /// Ed25519 seed (32 bytes).
    pub secret: String,
    /// Unix seconds.
    pub created_at: i64,
    /// EdDSA: base64url of the raw public key, the JWK's `x`.
    pub public_key: Option<String>,
    /// Unix seconds from which the key signs (it is published from `created_at`).
    pub signs_from: i64,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("created_at", &self.created_at)
            .field("public_key", &self.public_key)
            .field("signs_from", &self.signs_from)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
