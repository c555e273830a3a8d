//! Schema migrations, run at every start (idempotent).

use sea_orm_migration::prelude::*;

mod m20261129_000001_initial;
mod m20261130_000002_attempts_and_keys;
mod m20261201_000003_sessions;
mod m20261202_000004_account_mail;
mod m20261203_000005_keys_and_rates;
mod m20261204_000006_pending_links_and_leases;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_initial::Migration),
            Box::new(m20261130_000002_attempts_and_keys::Migration),
            Box::new(m20261201_000003_sessions::Migration),
            Box::new(m20261202_000004_account_mail::Migration),
            Box::new(m20261203_000005_keys_and_rates::Migration),
            Box::new(m20261204_000006_pending_links_and_leases::Migration),
        ]
    }
}
