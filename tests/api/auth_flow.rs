//! The seed's flow: health, public, register, log in, `/api/me`, log out; and the password storage.

use crate::helpers::*;
use app::backend::users;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test]
async fn healthz_answers_ok_once_the_database_answers() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn healthz_answers_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.state.db.clone().close().await.unwrap();
    assert_error(app.get("/healthz").await, 503, "unavailable").await;
}

#[tokio::test]
async fn the_public_endpoint_needs_no_token() {
    let app = spawn_app().await;
    let response = app.get("/api/public").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn registering_returns_201_with_the_user_and_no_secret() {
    let app = spawn_app().await;
    let email = unique_email();
    let response = app
        .register("  Ada Lovelace ", &email.to_uppercase(), GOOD_PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let text = response.text().await.unwrap();
    assert!(
        !text.contains(GOOD_PASSWORD) && !text.contains("argon2"),
        "{text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    let user = &body["user"];
    // USER of docs/api.md, "Requests and errors": id, name, email, email_verified, created_at, and nothing else.
    assert_eq!(user.as_object().unwrap().len(), 5, "{body}");
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["email"], email.to_lowercase());
    assert_eq!(
        user["email_verified"], false,
        "nobody has followed the link yet"
    );
    assert!(
        chrono::DateTime::parse_from_rfc3339(user["created_at"].as_str().unwrap()).is_ok(),
        "{body}"
    );
}

#[tokio::test]
async fn registering_takes_a_form_body_too() {
    let app = spawn_app().await;
    let email = unique_email();
    let response = app
        .http
        .post(app.url("/api/auth/register"))
        .form(&[
            ("name", "Form User"),
            ("email", email.as_str()),
            ("password", GOOD_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let login = app
        .http
        .post(app.url("/api/auth/login"))
        .form(&[("email", email.as_str()), ("password", GOOD_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
}

#[tokio::test]
async fn each_invalid_field_is_named_in_a_422() {
    let app = spawn_app().await;
    let long_name = "n".repeat(101);
    let long_email = format!("{}@example.com", "a".repeat(250));
    let long_password = "p".repeat(129);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"email": unique_email(), "password": GOOD_PASSWORD}),
            "name",
        ),
        (
            json!({"name": "   ", "email": unique_email(), "password": GOOD_PASSWORD}),
            "name",
        ),
        (
            json!({"name": long_name, "email": unique_email(), "password": GOOD_PASSWORD}),
            "name",
        ),
        (
            json!({"name": "Ann\u{202E}nimda", "email": unique_email(), "password": GOOD_PASSWORD}),
            "name",
        ),
        (
            json!({"name": "\u{2067}Ann", "email": unique_email(), "password": GOOD_PASSWORD}),
            "name",
        ),
        (
            json!({"name": "Ann\u{7}", "email": unique_email(), "password": GOOD_PASSWORD}),
            "name",
        ),
        (json!({"name": "A", "password": GOOD_PASSWORD}), "email"),
        (
            // 252 characters as sent; 492 once lower-cased.
            json!({"name": "A", "email": format!("{}@example.com", "\u{130}".repeat(240)), "password": GOOD_PASSWORD}),
            "email",
        ),
        (
            json!({"name": "A", "email": "not-an-email", "password": GOOD_PASSWORD}),
            "email",
        ),
        (
            json!({"name": "A", "email": "a@nodot", "password": GOOD_PASSWORD}),
            "email",
        ),
        (
            json!({"name": "A", "email": "a b@example.com", "password": GOOD_PASSWORD}),
            "email",
        ),
        (
            json!({"name": "A", "email": "@example.com", "password": GOOD_PASSWORD}),
            "email",
        ),
        (
            json!({"name": "A", "email": "a@b@example.com", "password": GOOD_PASSWORD}),
            "email",
        ),
        (
            json!({"name": "A", "email": long_email, "password": GOOD_PASSWORD}),
            "email",
        ),
        (json!({"name": "A", "email": unique_email()}), "password"),
        (
            json!({"name": "A", "email": unique_email(), "password": "short"}),
            "password",
        ),
        (
            json!({"name": "A", "email": unique_email(), "password": long_password}),
            "password",
        ),
        (
            json!({"name": "A", "email": unique_email(), "password": "password123"}),
            "password",
        ),
        (
            json!({"name": "A", "email": unique_email(), "password": "12345678"}),
            "password",
        ),
        (
            json!({"name": "A", "email": unique_email(), "password": "qwertyuiop"}),
            "password",
        ),
    ];
    for (body, field) in cases {
        let response = app.post_json("/api/auth/register", &body).await;
        let error = assert_error(response, 422, "validation_failed").await;
        let fields = error["error"]["fields"].as_object().unwrap();
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            [field],
            "{body} -> {error}"
        );
        assert!(fields[field].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn password_limits_count_characters_and_nothing_is_cut_off() {
    let app = spawn_app().await;
    let email = unique_email();
    let password = "ü".repeat(128); // 256 bytes, 128 characters: allowed
    assert_eq!(
        app.register("A", &email, &password).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.login(&email, &password).await.status(), StatusCode::OK);
    assert_error(
        app.login(&email, &"ü".repeat(127)).await,
        401,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn one_email_in_any_case_is_one_account() {
    let app = spawn_app().await;
    let email = unique_email();
    assert_eq!(
        app.register("A", &email, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED
    );
    assert_error(
        app.register("B", &email.to_uppercase(), GOOD_PASSWORD)
            .await,
        409,
        "email_taken",
    )
    .await;
    assert_eq!(
        app.login(&email.to_uppercase(), GOOD_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn logging_in_returns_a_bearer_token_and_the_user() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register("Ann", &email, GOOD_PASSWORD).await;
    let response = app.login(&email, GOOD_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["access_token"]
        .as_str()
        .is_some_and(|t| t.split('.').count() == 3));
    assert_eq!(body["user"]["email"], email);
    assert_eq!(body["user"]["name"], "Ann");
}

#[tokio::test]
async fn expires_in_follows_jwt_ttl_seconds() {
    let app = spawn_app_with(&[("JWT_TTL_SECONDS", "120")], |_| {}).await;
    let email = unique_email();
    app.register("Ann", &email, GOOD_PASSWORD).await;
    let body: Value = app.login(&email, GOOD_PASSWORD).await.json().await.unwrap();
    assert_eq!(body["expires_in"], 120);
}

#[tokio::test]
async fn me_returns_the_user_for_a_valid_token() {
    let app = spawn_app().await;
    let TestUser {
        email, token, id, ..
    } = app.signed_in_user().await;
    let response = app.me(&token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], email);
    assert_eq!(body["user"]["id"], id);
    assert_eq!(body["user"]["name"], "Test User");
}

#[tokio::test]
async fn me_without_a_token_is_401_missing_token_with_a_bearer_challenge() {
    let app = spawn_app().await;
    let response = app.get("/api/me").await;
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_error(response, 401, "missing_token").await;

    let basic = app
        .http
        .get(app.url("/api/me"))
        .basic_auth("ann", Some("pw"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.headers()["www-authenticate"], "Bearer");
    assert_error(basic, 401, "missing_token").await;
}

#[tokio::test]
async fn logging_out_revokes_that_token_only() {
    let app = spawn_app().await;
    let TestUser { email, token, .. } = app.signed_in_user().await;
    let other: Value = app.login(&email, GOOD_PASSWORD).await.json().await.unwrap();
    let other = other["access_token"].as_str().unwrap();

    let response = app.logout(&token).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    assert_invalid_token(app.me(&token).await).await;
    assert_invalid_token(app.logout(&token).await).await;
    assert_eq!(
        app.me(other).await.status(),
        StatusCode::OK,
        "another session of the user stays valid"
    );
}

#[tokio::test]
async fn logging_out_without_a_token_is_401() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_error(response, 401, "missing_token").await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_answer_the_same() {
    let app = spawn_app_with(&[], no_throttle).await;
    let email = unique_email();
    app.register("Ann", &email, GOOD_PASSWORD).await;

    let wrong = app.login(&email, "not the password").await;
    assert_eq!(wrong.headers()["www-authenticate"], "Bearer");
    let wrong = assert_error(wrong, 401, "invalid_credentials").await;
    let unknown = assert_error(
        app.login(&unique_email(), "not the password").await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(wrong, unknown);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_take_about_the_same_time() {
    let app = spawn_app_with(&[], no_throttle).await;
    let email = unique_email();
    app.register("Ann", &email, GOOD_PASSWORD).await;
    async fn median(app: &TestApp, email: &str) -> Duration {
        let mut times = Vec::new();
        for _ in 0..9 {
            let start = Instant::now();
            assert_eq!(
                app.login(email, "not the password").await.status(),
                StatusCode::UNAUTHORIZED
            );
            times.push(start.elapsed());
        }
        times.sort();
        times[times.len() / 2]
    }
    let wrong = median(&app, &email).await;
    let unknown = median(&app, &unique_email()).await;
    let ratio = wrong.as_secs_f64() / unknown.as_secs_f64();
    assert!(
        (0.5..2.0).contains(&ratio),
        "wrong password {wrong:?} vs unknown email {unknown:?}"
    );
    // Both must pay for a real argon2 verification.
    assert!(
        unknown >= Duration::from_millis(5),
        "unknown email answered in {unknown:?}: no dummy hash?"
    );
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_phc_with_a_fresh_salt_each() {
    let app = spawn_app().await;
    let (a, b) = (unique_email(), unique_email());
    app.register("A", &a, GOOD_PASSWORD).await;
    app.register("B", &b, GOOD_PASSWORD).await;
    let hash_of = |email: String| {
        let db = app.state.db.clone();
        async move {
            let email = app::domain::Email::parse(&email).unwrap();
            users::find_by_email(&db, &email)
                .await
                .unwrap()
                .unwrap()
                .password_hash
        }
    };
    let (hash_a, hash_b) = (hash_of(a).await, hash_of(b).await);
    for hash in [&hash_a, &hash_b] {
        let parts: Vec<&str> = hash.split('$').collect();
        assert_eq!(parts[1], "argon2id", "{hash}");
        assert_eq!(parts[2], "v=19");
        let params: std::collections::HashMap<&str, u32> = parts[3]
            .split(',')
            .map(|kv| kv.split_once('=').unwrap())
            .map(|(k, v)| (k, v.parse().unwrap()))
            .collect();
        assert!(
            params["m"] >= 19456 && params["t"] >= 2 && params["p"] >= 1,
            "{hash}"
        );
        assert!(!hash.contains(GOOD_PASSWORD));
    }
    assert_ne!(
        hash_a.split('$').nth(4),
        hash_b.split('$').nth(4),
        "the salts must differ"
    );
}

#[tokio::test]
async fn a_weaker_stored_hash_is_rehashed_on_the_next_good_login() {
    use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
    let app = spawn_app().await;
    let email = unique_email();
    app.register("A", &email, GOOD_PASSWORD).await;
    let parsed = app::domain::Email::parse(&email).unwrap();
    let user = users::find_by_email(&app.state.db, &parsed)
        .await
        .unwrap()
        .unwrap();
    let weak = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(GOOD_PASSWORD.as_bytes())
    .unwrap()
    .to_string();
    users::update_password_hash(&app.state.db, user.id, weak.clone())
        .await
        .unwrap();

    assert_eq!(
        app.login(&email, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );

    let stored = users::find_by_email(&app.state.db, &parsed)
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    assert_ne!(stored, weak);
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert_eq!(
        app.login(&email, GOOD_PASSWORD).await.status(),
        StatusCode::OK,
        "the new hash verifies"
    );
}
