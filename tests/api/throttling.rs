//! Login throttling (README, "Login throttling"): guesses are capped per (account, address) and per
//! account, however many arrive at once; the owner still gets in while an attacker fails from
//! elsewhere; locks end by themselves; a full hashing queue answers 503; and each client address
//! has a sign-in rate (`AUTH_RATE_PER_MINUTE`).

use crate::helpers::*;
use app::backend::auth::PasswordHasher;
use reqwest::StatusCode;
use std::time::Duration;

const ATTACKER: &str = "203.0.113.7";
const OWNER: &str = "198.51.100.4";

async fn registered(app: &TestApp) -> String {
    let email = unique_email();
    assert_eq!(
        app.register("A", &email, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED
    );
    email
}

/// The statuses of `attempts` logins sent at once, counted as (401s, 429s, others).
async fn burst(app: &TestApp, attempts: Vec<(String, String, String)>) -> (usize, usize, Vec<u16>) {
    let sent = attempts
        .iter()
        .map(|(client, email, password)| app.login_from(client, email, password));
    let statuses: Vec<u16> = futures::future::join_all(sent)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let count = |code| statuses.iter().filter(|s| **s == code).count();
    (count(401), count(429), statuses)
}

#[tokio::test]
async fn repeated_failures_lock_the_address_with_retry_after_even_for_the_right_password() {
    let app = spawn_app().await;
    let email = registered(&app).await;
    let max = app.state.throttle.per_client.max;
    for _ in 0..max {
        assert_error(
            app.login_from(ATTACKER, &email, "wrong password!").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    for password in ["wrong password!", GOOD_PASSWORD] {
        let response = app.login_from(ATTACKER, &email, password).await;
        let wait = retry_after(&response);
        assert!(
            wait > 0 && wait <= app.state.throttle.per_client.lockout,
            "{wait}"
        );
        assert_error(response, 429, "rate_limited").await;
    }
}

#[tokio::test]
async fn a_burst_of_wrong_guesses_is_verified_no_more_than_the_limit() {
    let app = spawn_app().await;
    let email = registered(&app).await;
    let max = app.state.throttle.per_client.max as usize;
    let guesses = (0..60)
        .map(|i| {
            (
                ATTACKER.to_owned(),
                email.clone(),
                format!("wrong guess {i}"),
            )
        })
        .collect();
    let (verified, refused, statuses) = burst(&app, guesses).await;
    assert!(verified <= max, "{verified} guesses verified: {statuses:?}");
    assert_eq!(verified + refused, 60, "{statuses:?}");
    // The right password after the burst finds the address locked.
    assert_error(
        app.login_from(ATTACKER, &email, GOOD_PASSWORD).await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn a_right_password_inside_a_burst_does_not_reopen_the_guessing() {
    let app = spawn_app().await;
    let email = registered(&app).await;
    let max = app.state.throttle.per_client.max as usize;
    let mut guesses: Vec<_> = (0..40)
        .map(|i| {
            (
                ATTACKER.to_owned(),
                email.clone(),
                format!("wrong guess {i}"),
            )
        })
        .collect();
    guesses.insert(
        20,
        (ATTACKER.to_owned(), email.clone(), GOOD_PASSWORD.to_owned()),
    );
    let (verified, _, statuses) = burst(&app, guesses).await;
    let signed_in = statuses.iter().filter(|s| **s == 200).count();
    assert!(
        verified + signed_in <= max,
        "{verified} failures and {signed_in} logins verified: {statuses:?}"
    );
    // Whatever happened inside the burst, guessing from that address stays capped.
    let (later, _, statuses) = burst(
        &app,
        (0..20)
            .map(|i| {
                (
                    ATTACKER.to_owned(),
                    email.clone(),
                    format!("later guess {i}"),
                )
            })
            .collect(),
    )
    .await;
    assert!(verified + later <= 2 * max, "{statuses:?}");
}

#[tokio::test]
async fn guesses_from_many_addresses_are_capped_per_account() {
    let app = spawn_app_with(&[], throttle_after(100, 5)).await;
    let email = registered(&app).await;
    let guesses = (0..30)
        .map(|i| {
            (
                format!("192.0.2.{i}"),
                email.clone(),
                "wrong password!".to_owned(),
            )
        })
        .collect();
    let (verified, refused, statuses) = burst(&app, guesses).await;
    assert!(verified <= 5, "{verified} verified: {statuses:?}");
    assert_eq!(verified + refused, 30, "{statuses:?}");
}

#[tokio::test]
async fn the_owner_logs_in_while_an_attacker_keeps_failing_from_another_address() {
    let app = spawn_app().await;
    let email = registered(&app).await;
    for round in 0..3 {
        for _ in 0..6 {
            let status = app
                .login_from(ATTACKER, &email, "wrong password!")
                .await
                .status();
            assert!(
                status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS,
                "{status}"
            );
        }
        assert_eq!(
            app.login_from(OWNER, &email, GOOD_PASSWORD).await.status(),
            StatusCode::OK,
            "round {round}"
        );
    }
    assert_eq!(
        app.login_from(ATTACKER, &email, GOOD_PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker's address stays locked"
    );
}

#[tokio::test]
async fn an_address_that_logged_in_before_passes_a_locked_account() {
    let app = spawn_app_with(&[], throttle_after(10, 3)).await;
    let email = registered(&app).await;
    assert_eq!(
        app.login_from(OWNER, &email, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        owner_passes_a_locked_account(&app, &email, GOOD_PASSWORD).await,
        200,
        "the owner's address is trusted"
    );
}

#[tokio::test]
async fn other_accounts_are_not_affected_by_one_being_locked() {
    let app = spawn_app_with(&[], throttle_after(3, 100)).await;
    let (victim, other) = (registered(&app).await, registered(&app).await);
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
    let app = spawn_app_with(&[], throttle_after(3, 100)).await;
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
        s.throttle.per_client.max = 3;
        s.throttle.per_client.window = 1;
        s.throttle.per_client.lockout = 2;
    })
    .await;
    let email = registered(&app).await;
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
async fn a_good_login_clears_the_count_of_its_address() {
    let app = spawn_app_with(&[], throttle_after(3, 100)).await;
    let email = registered(&app).await;
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
async fn a_full_hashing_queue_answers_503_with_retry_after_and_costs_no_guess() {
    let app = spawn_app_with(&[], |s| {
        s.hasher = PasswordHasher::new(1, Duration::from_millis(1));
        s.throttle.per_client.max = 3;
    })
    .await;
    let email = registered(&app).await;
    let logins = (0..8).map(|_| app.login(&email, "wrong password!"));
    let responses = futures::future::join_all(logins).await;
    let busy: Vec<_> = responses
        .into_iter()
        .filter(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "no login was refused as busy");
    for response in busy {
        assert!(retry_after(&response) >= 1);
        assert_error(response, 503, "unavailable").await;
    }
    // Only the guesses that were verified count: the right password still gets in.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.login(&email, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_trusted_address_does_not_queue_behind_a_flood_of_guesses() {
    let app = spawn_app_with(&[], |s| {
        s.hasher = PasswordHasher::new(1, Duration::from_millis(1));
    })
    .await;
    let email = registered(&app).await;
    assert_eq!(
        app.login_from(OWNER, &email, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
    // Guesses from many addresses fill the shared hashing lane; the owner's address has its own.
    let api = &app.api;
    let flood = (0..8).map(|i| {
        let (client, guess) = (format!("192.0.2.{i}"), unique_email());
        async move { api.login_from(&client, &guess, "wrong password!").await }
    });
    // The owner comes while the flood's first guess is being hashed (an argon2 hash takes tens of
    // milliseconds even here).
    let owner = async {
        tokio::time::sleep(Duration::from_millis(15)).await;
        app.login_from(OWNER, &email, GOOD_PASSWORD).await
    };
    let (flood, owner) = futures::join!(futures::future::join_all(flood), owner);
    assert!(
        flood
            .iter()
            .any(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE),
        "the flood filled the shared lane"
    );
    assert_eq!(owner.status(), StatusCode::OK);
}

#[tokio::test]
async fn each_client_address_has_a_sign_in_rate() {
    let app = spawn_app_with(&[("AUTH_RATE_PER_MINUTE", "4")], |_| {}).await;
    let email = registered(&app).await; // from 127.0.0.1
    for _ in 0..4 {
        assert_eq!(
            app.login_from(ATTACKER, &email, "wrong password!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.login_from(ATTACKER, &email, GOOD_PASSWORD).await;
    let wait = retry_after(&limited);
    assert!((1..=60).contains(&wait), "{wait}");
    let body = assert_error(limited, 429, "rate_limited").await;
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("address"));
    assert_eq!(
        app.login_from(OWNER, &email, GOOD_PASSWORD).await.status(),
        StatusCode::OK,
        "another address has its own allowance"
    );
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    // No trusted proxy: every request is 127.0.0.1's, whatever X-Forwarded-For says.
    let app = spawn_app_with(
        &[("AUTH_RATE_PER_MINUTE", "3"), ("TRUSTED_PROXIES", "")],
        |_| {},
    )
    .await;
    let email = unique_email();
    for i in 0..3 {
        let forged = format!("192.0.2.{i}");
        assert_ne!(
            app.login_from(&forged, &email, "wrong password!")
                .await
                .status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    assert_error(
        app.login_from("192.0.2.200", &email, "wrong password!")
            .await,
        429,
        "rate_limited",
    )
    .await;
    assert_error(
        app.register("B", &unique_email(), GOOD_PASSWORD).await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn an_ipv6_client_is_counted_by_its_64_in_the_sign_in_rate() {
    let app = spawn_app_with(&[("AUTH_RATE_PER_MINUTE", "4")], |_| {}).await;
    // Registered from 127.0.0.1; then four addresses of one /64, with one allowance between them.
    let email = registered(&app).await;
    for low in 1..=4 {
        let client = format!("2001:db8:7:7::{low:x}");
        assert_eq!(
            app.login_from(&client, &email, "wrong password!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_error(
        app.login_from("2001:db8:7:7:abcd:ef01:2345:6789", &email, GOOD_PASSWORD)
            .await,
        429,
        "rate_limited",
    )
    .await;
    assert_eq!(
        app.login_from("2001:db8:7:8::1", &email, GOOD_PASSWORD)
            .await
            .status(),
        StatusCode::OK,
        "the next /64 has its own allowance"
    );
}

#[tokio::test]
async fn an_ipv6_client_is_locked_out_of_an_account_by_its_64() {
    let app = spawn_app_with(&[], throttle_after(3, 100)).await;
    let email = registered(&app).await;
    for low in 1..=3 {
        let client = format!("2001:db8:6:6::{low:x}");
        assert_error(
            app.login_from(&client, &email, "wrong password!").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    // A new low half does not start a new count, not even with the right password.
    assert_error(
        app.login_from("2001:db8:6:6:1:2:3:4", &email, GOOD_PASSWORD)
            .await,
        429,
        "rate_limited",
    )
    .await;
    assert_eq!(
        app.login_from(OWNER, &email, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
}

/// After `owner_login`'s address signed in to `email`, the account's own counter is locked by
/// guesses from elsewhere: does that address still pass?
async fn owner_passes_a_locked_account(app: &TestApp, email: &str, password: &str) -> u16 {
    for i in 0..3 {
        let attacker = format!("192.0.2.{i}");
        assert_eq!(
            app.login_from(&attacker, email, "wrong password!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    app.login_from(OWNER, email, password)
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_deleted_accounts_trusted_address_is_not_trusted_for_the_next_owner_of_the_email() {
    let app = spawn_app_with(&[], throttle_after(10, 3)).await;
    let email = registered(&app).await;
    let login = app.login_from(OWNER, &email, GOOD_PASSWORD).await;
    assert_eq!(login.status(), StatusCode::OK);
    let token = Tokens::from(login).await.access;
    let deleted = app
        .send_auth(
            reqwest::Method::DELETE,
            "/api/account",
            &token,
            &serde_json::json!({"password": GOOD_PASSWORD}),
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    // Someone else registers the address; the first owner's address means nothing to it.
    let theirs = "another long passphrase";
    assert_eq!(
        app.register("Next", &email, theirs).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        owner_passes_a_locked_account(&app, &email, theirs).await,
        429
    );
}

#[tokio::test]
async fn a_changed_address_leaves_no_trusted_sign_ins_behind() {
    let app = spawn_app_with(&[], throttle_after(10, 3)).await;
    let email = registered(&app).await;
    let login = app.login_from(OWNER, &email, GOOD_PASSWORD).await;
    let token = Tokens::from(login).await.access;
    let new = unique_email();
    let asked = app
        .send_auth(
            reqwest::Method::POST,
            "/api/account/email",
            &token,
            &serde_json::json!({"password": GOOD_PASSWORD, "email": new}),
        )
        .await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let outbox = app.outbox_dir();
    let mails =
        crate::mail_sink::wait_for_mails(|| crate::mail_sink::read_dir_mails(&outbox), &new, 1)
            .await;
    assert_eq!(
        app.verify_email(&mails[0].token()).await.status(),
        StatusCode::OK
    );
    // The old address, registered again by someone else, inherits no trust.
    let theirs = "another long passphrase";
    assert_eq!(
        app.register("Next", &email, theirs).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        owner_passes_a_locked_account(&app, &email, theirs).await,
        429
    );
}
