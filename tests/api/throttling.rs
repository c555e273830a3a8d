//! Login throttling: guessing one account's password stops within 20 failures, and the lock ends
//! by itself so an attacker cannot lock a user out for ever.

use crate::helpers::*;
use app::server::auth::ThrottlePolicy;
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn the_default_policy_stops_guessing_within_20_failures_and_ends() {
    let policy = ThrottlePolicy::default();
    assert!(policy.max_failures <= 20);
    assert!(
        policy.lockout <= Duration::from_secs(3600),
        "a lock must end within the hour"
    );
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_retry_after_even_for_the_right_password() {
    let app = spawn_app().await;
    let email = unique_email();
    app.register("A", &email, GOOD_PASSWORD).await;
    let max = app.state.throttle.max_failures;
    for _ in 0..max {
        assert_error(
            app.login(&email, "wrong password!").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    for password in ["wrong password!", GOOD_PASSWORD] {
        let response = app.login(&email, password).await;
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            retry_after > 0 && retry_after <= app.state.throttle.lockout.as_secs(),
            "{retry_after}"
        );
        assert_error(response, 429, "rate_limited").await;
    }
}

#[tokio::test]
async fn other_accounts_are_not_affected_by_one_being_locked() {
    let app = spawn_app_with(&[], |s| s.throttle.max_failures = 3).await;
    let (victim, other) = (unique_email(), unique_email());
    app.register("A", &victim, GOOD_PASSWORD).await;
    app.register("B", &other, GOOD_PASSWORD).await;
    for _ in 0..3 {
        app.login(&victim, "wrong password!").await;
    }
    assert_eq!(
        app.login(&victim, GOOD_PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.login(&other, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_emails_are_throttled_like_known_ones() {
    let app = spawn_app_with(&[], |s| s.throttle.max_failures = 3).await;
    let email = unique_email();
    for _ in 0..3 {
        assert_error(
            app.login(&email, "wrong password!").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    assert_error(
        app.login(&email, "wrong password!").await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn the_lock_ends_by_itself_and_the_right_password_then_works() {
    let app = spawn_app_with(&[], |s| {
        s.throttle = ThrottlePolicy {
            max_failures: 3,
            window: Duration::from_secs(1),
            lockout: Duration::from_secs(2),
        }
    })
    .await;
    let email = unique_email();
    app.register("A", &email, GOOD_PASSWORD).await;
    for _ in 0..3 {
        app.login(&email, "wrong password!").await;
    }
    assert_eq!(
        app.login(&email, GOOD_PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(
        app.login(&email, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_good_login_clears_the_failure_count() {
    let app = spawn_app_with(&[], |s| s.throttle.max_failures = 3).await;
    let email = unique_email();
    app.register("A", &email, GOOD_PASSWORD).await;
    for _ in 0..2 {
        app.login(&email, "wrong password!").await;
    }
    assert_eq!(
        app.login(&email, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
    for _ in 0..2 {
        assert_eq!(
            app.login(&email, "wrong password!").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login(&email, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn concurrent_failures_are_all_counted() {
    let app = spawn_app_with(&[], |s| s.throttle.max_failures = 6).await;
    let email = unique_email();
    app.register("A", &email, GOOD_PASSWORD).await;
    let attempts = (0..6).map(|_| app.login(&email, "wrong password!"));
    for response in futures::future::join_all(attempts).await {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.login(&email, GOOD_PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}
