//! SeaORM entity of `signing_keys`. `Debug` is written by hand so a key never prints.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    /// The key's id (`kid`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    /// `HS256` (the only one so far).
    pub algorithm: String,
    /// The key material: for HS256, the HMAC key's text.
    pub secret: String,
    /// Unix seconds.
    pub created_at: i64,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
