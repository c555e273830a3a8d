//! SeaORM entity of `login_attempts`: one row per (normalised email, client address), and one per
//! email with the client [`ANY_CLIENT`] for the account's own count.

use sea_orm::entity::prelude::*;

/// The `client` of an account's own row, which counts guesses from every address.
pub const ANY_CLIENT: &str = "*";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_attempts")]
pub struct Model {
    /// The normalised email, whether or not an account has it.
    #[sea_orm(primary_key, auto_increment = false)]
    pub email: String,
    /// The client address, or [`ANY_CLIENT`].
    #[sea_orm(primary_key, auto_increment = false)]
    pub client: String,
    /// Guesses in the current window: failed ones and those being verified right now.
    pub attempts: i32,
    /// Unix seconds: when the current window began.
    pub window_started_at: i64,
    /// Unix seconds: no guess is verified before then.
    pub locked_until: i64,
    /// Unix seconds: until then this client has logged in to this account before, and the
    /// account's own count does not stop it.
    pub trusted_until: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
