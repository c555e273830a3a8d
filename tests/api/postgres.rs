//! The same code on Postgres (docs/operations.md, "Configuration": `DATABASE_URL=postgres://…`): migrations, the seed's
//! flow, the unique email, throttling's counters, revocation, and address normalisation against a
//! column's limit, each against a fresh database; and instances starting together.
//!
//! `GATEHOUSE_TEST_POSTGRES` names a server and database where the tests may create their own
//! (default `postgres://root@127.0.0.1:5432/test`, the local server of this project's machines).
//! When it is unset and nothing answers at the default, these tests say so and pass: a laptop
//! without Postgres can still run `cargo test`. CI sets the variable, so there they must run.

use crate::binary::Server;
use crate::helpers::*;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

const DEFAULT_ADMIN_URL: &str = "postgres://root@127.0.0.1:5432/test";

/// A database of its own on the test server, dropped by [`PgDatabase::drop`].
pub struct PgDatabase {
    admin: DatabaseConnection,
    name: String,
    pub url: String,
}

/// A fresh, empty database, or `None` (with the reason printed) when no Postgres is configured
/// and none answers at the default address.
///
/// # Panics
/// When `GATEHOUSE_TEST_POSTGRES` is set but cannot be reached: then the tests must run.
pub async fn fresh_database() -> Option<PgDatabase> {
    let configured = std::env::var("GATEHOUSE_TEST_POSTGRES").ok();
    let admin_url = configured
        .clone()
        .unwrap_or_else(|| DEFAULT_ADMIN_URL.into());
    let admin = match Database::connect(&admin_url).await {
        Ok(admin) => admin,
        Err(e) if configured.is_none() => {
            eprintln!(
                "skipped: no PostgreSQL at {admin_url} ({e}); set GATEHOUSE_TEST_POSTGRES to run the Postgres tests"
            );
            return None;
        }
        Err(e) => panic!("GATEHOUSE_TEST_POSTGRES={admin_url} is not reachable: {e}"),
    };
    let name = format!("gatehouse_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_raw(Statement::from_string(
            admin.get_database_backend(),
            format!("CREATE DATABASE {name}"),
        ))
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    Some(PgDatabase { admin, name, url })
}

impl PgDatabase {
    pub async fn drop(self) {
        self.admin
            .execute_raw(Statement::from_string(
                self.admin.get_database_backend(),
                format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_whole_flow_works_on_postgres() {
    let Some(database) = fresh_database().await else {
        return;
    };
    {
        // Migrations run twice against one database: the second start changes nothing.
        let first = spawn_app_with(&[("DATABASE_URL", &database.url)], |_| {}).await;
        let app = spawn_app_with(&[("DATABASE_URL", &database.url)], throttle_after(2, 100)).await;

        let email = unique_email();
        assert_eq!(
            app.register("Pg User", &email, GOOD_PASSWORD)
                .await
                .status(),
            StatusCode::CREATED
        );
        assert_error(
            app.register("Again", &email.to_uppercase(), GOOD_PASSWORD)
                .await,
            409,
            "email_taken",
        )
        .await;

        let racers = unique_email();
        let attempts = (0..4).map(|_| app.register("Racer", &racers, GOOD_PASSWORD));
        let created = futures::future::join_all(attempts)
            .await
            .iter()
            .filter(|r| r.status() == StatusCode::CREATED)
            .count();
        assert_eq!(created, 1);

        let token = app.token(&email, GOOD_PASSWORD).await;
        assert_eq!(app.me(&token).await.status(), StatusCode::OK);
        assert_eq!(first.me(&token).await.status(), StatusCode::OK, "one key");
        assert_eq!(app.logout(&token).await.status(), StatusCode::NO_CONTENT);
        assert_invalid_token(first.me(&token).await).await;

        for _ in 0..2 {
            assert_error(
                app.login(&racers, "wrong password!").await,
                401,
                "invalid_credentials",
            )
            .await;
        }
        assert_error(app.login(&racers, GOOD_PASSWORD).await, 429, "rate_limited").await;
        app.purge().await;
        app.state.db.clone().close().await.unwrap();
        first.state.db.clone().close().await.unwrap();
    }
    database.drop().await;
}

#[tokio::test]
async fn an_address_that_grows_when_lower_cased_is_refused_not_a_500() {
    let Some(database) = fresh_database().await else {
        return;
    };
    {
        let app = spawn_app_with(&[("DATABASE_URL", &database.url)], |_| {}).await;
        // 240 × `İ` is 252 characters with the domain, 492 once lower-cased.
        let grows = format!("{}@example.com", "\u{130}".repeat(240));
        let body = assert_error(
            app.register("Pg User", &grows, GOOD_PASSWORD).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(body["error"]["fields"]["email"].is_string(), "{body}");
        assert_error(
            app.login(&grows, GOOD_PASSWORD).await,
            422,
            "validation_failed",
        )
        .await;
        // One that still fits once lower-cased is stored, and found again in any spelling.
        let fits = format!(
            "{}{}@example.com",
            "\u{130}".repeat(100),
            uuid::Uuid::new_v4().simple()
        );
        assert_eq!(
            app.register("Pg User", &fits, GOOD_PASSWORD).await.status(),
            StatusCode::CREATED
        );
        assert_eq!(
            app.login(&fits.to_lowercase(), GOOD_PASSWORD)
                .await
                .status(),
            StatusCode::OK
        );
        app.state.db.clone().close().await.unwrap();
    }
    database.drop().await;
}

#[tokio::test]
async fn instances_starting_together_on_an_empty_database_all_come_up_and_share_one_key() {
    for round in 0..3 {
        let Some(database) = fresh_database().await else {
            return;
        };
        let vars = [("DATABASE_URL", database.url.as_str())];
        // Both migrate and look for the key at the same moment.
        let (_dirs, servers) = Server::start_together(2, &vars).await;
        let email = unique_email();
        assert_eq!(
            servers[0]
                .register("N", &email, GOOD_PASSWORD)
                .await
                .status(),
            StatusCode::CREATED,
            "round {round}"
        );
        let token = servers[1].token(&email, GOOD_PASSWORD).await;
        assert_eq!(
            servers[0].me(&token).await.status(),
            StatusCode::OK,
            "round {round}: a token of one instance is good at the other"
        );
        drop(servers);
        database.drop().await;
    }
}

#[tokio::test]
async fn refresh_rotation_is_race_free_across_two_instances_and_an_ended_session_ends_on_both() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let vars = [
        ("DATABASE_URL", database.url.as_str()),
        ("AUTH_RATE_PER_MINUTE", "0"),
        ("REFRESH_REUSE_GRACE_SECONDS", "2"),
    ];
    let servers = [
        Server::start(dirs[0].path(), &vars).await,
        Server::start(dirs[1].path(), &vars).await,
    ];
    let email = unique_email();
    servers[0].register("N", &email, GOOD_PASSWORD).await;
    let first = servers[1].tokens(&email, GOOD_PASSWORD).await;
    let mut refresh = first.refresh.clone().unwrap();
    let mut access = first.access.clone();
    for round in 0..5 {
        // Twenty refreshes with one token, at once, spread over both instances.
        let attempts = (0..20).map(|i| servers[i % 2].refresh(&refresh));
        let mut winners = Vec::new();
        for response in futures::future::join_all(attempts).await {
            let tokens = Tokens::from(response).await;
            winners.extend(tokens.refresh);
            access = tokens.access;
        }
        assert_eq!(
            winners.len(),
            1,
            "round {round}: exactly one new refresh token"
        );
        refresh = winners.remove(0);
    }
    assert_eq!(servers[0].me(&access).await.status(), StatusCode::OK);

    // The first token, replayed after the grace window on one instance, ends the session on both.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_invalid_token(servers[0].refresh(first.refresh.as_deref().unwrap()).await).await;
    assert_invalid_token(servers[1].me(&access).await).await;
    assert_invalid_token(servers[1].refresh(&refresh).await).await;

    // A logout on one instance is seen by the other at once.
    let again = servers[0].tokens(&email, GOOD_PASSWORD).await;
    assert_eq!(servers[1].me(&again.access).await.status(), StatusCode::OK);
    assert_eq!(
        servers[1].logout(&again.access).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_invalid_token(servers[0].me(&again.access).await).await;
    assert_invalid_token(servers[0].refresh(&again.refresh.unwrap()).await).await;
    drop(servers);
    database.drop().await;
}

/// docs/api.md, "The account over email" on two real instances of one Postgres database: each mail goes out once, however
/// many senders poll, and a reset on one ends the sessions the other serves.
#[tokio::test]
async fn two_instances_send_each_mail_once_and_a_reset_ends_sessions_on_both() {
    use crate::mail_sink::MailSink;
    let Some(database) = fresh_database().await else {
        return;
    };
    {
        let sink = MailSink::start();
        let smtp = sink.url();
        let vars = [
            ("DATABASE_URL", database.url.as_str()),
            ("SMTP_URL", smtp.as_str()),
            ("AUTH_RATE_PER_MINUTE", "0"),
            ("JWT_SECRET", TEST_SECRET),
        ];
        let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let a = Server::start(dir_a.path(), &vars).await;
        let b = Server::start(dir_b.path(), &vars).await;

        // Twenty registrations, spread over both: twenty confirmation mails, each once.
        let emails: Vec<String> = (0..20).map(|_| unique_email()).collect();
        for (i, email) in emails.iter().enumerate() {
            let server = if i % 2 == 0 { &a } else { &b };
            assert_eq!(
                server.register("N", email, GOOD_PASSWORD).await.status(),
                StatusCode::CREATED
            );
        }
        for email in &emails {
            sink.wait_for(email, 1).await;
        }
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        assert_eq!(sink.mails().len(), 20, "every mail exactly once");

        let email = &emails[0];
        let on_a = a.tokens(email, GOOD_PASSWORD).await;
        let on_b = b.tokens(email, GOOD_PASSWORD).await;
        assert_eq!(b.forgot(email).await.status(), StatusCode::ACCEPTED);
        let token = sink.wait_for(email, 2).await.remove(1).token();
        assert_eq!(
            a.reset(&token, "a brand new passphrase").await.status(),
            StatusCode::NO_CONTENT
        );
        for server in [&a, &b] {
            for tokens in [&on_a, &on_b] {
                assert_invalid_token(server.me(&tokens.access).await).await;
            }
        }
        assert_error(
            b.reset(&token, "another passphrase!").await,
            400,
            "invalid_link",
        )
        .await;
        assert_eq!(
            b.login(email, "a brand new passphrase").await.status(),
            StatusCode::OK
        );
    }
    database.drop().await;
}
