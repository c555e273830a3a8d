//! The same code on Postgres (CONTRACT §1: `DATABASE_URL=postgres://…`): migrations, the seed's
//! flow, the unique email, throttling's upsert and revocation, against a fresh database.
//! `GATEHOUSE_TEST_POSTGRES` names a server and database where the test may create its own
//! (default `postgres://root@127.0.0.1:5432/test`, the local server of this project's machines).

use crate::helpers::*;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};

#[tokio::test]
async fn the_whole_flow_works_on_postgres() {
    let admin_url = std::env::var("GATEHOUSE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into());
    let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at {admin_url} ({e}); start it or set GATEHOUSE_TEST_POSTGRES")
    });
    let name = format!("gatehouse_test_{}", uuid::Uuid::new_v4().simple());
    let backend = admin.get_database_backend();
    admin
        .execute_raw(Statement::from_string(
            backend,
            format!("CREATE DATABASE {name}"),
        ))
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");

    {
        // Migrations run twice against one database: the second start changes nothing.
        let _first = spawn_app_with(&[("DATABASE_URL", &url)], |_| {}).await;
        let app = spawn_app_with(&[("DATABASE_URL", &url)], |s| s.throttle.max_failures = 2).await;

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

        let body: serde_json::Value = app.login(&email, GOOD_PASSWORD).await.json().await.unwrap();
        let token = body["access_token"].as_str().unwrap();
        assert_eq!(app.me(token).await.status(), StatusCode::OK);
        assert_eq!(app.logout(token).await.status(), StatusCode::NO_CONTENT);
        assert_invalid_token(app.me(token).await).await;

        for _ in 0..2 {
            assert_error(
                app.login(&racers, "wrong password!").await,
                401,
                "invalid_credentials",
            )
            .await;
        }
        assert_error(app.login(&racers, GOOD_PASSWORD).await, 429, "rate_limited").await;
        app::server::service::purge_expired(&app.state.db, &app.state.throttle)
            .await
            .unwrap();
        app.state.db.clone().close().await.unwrap();
        _first.state.db.clone().close().await.unwrap();
    }
    admin
        .execute_raw(Statement::from_string(
            backend,
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        ))
        .await
        .unwrap();
}
