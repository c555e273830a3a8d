//! Mailed links never outlive what made them safe, and never rest usable in the database
//! (docs/api.md, "The account over email"; docs/security.md, "Links"): a password change or
//! reset kills every pending link, a confirmed change of address kills the older reset links,
//! a change-of-address mail is limited per address, and a mail waiting in the outbox holds no
//! token, only a marker that the sender replaces as it sends.

use crate::helpers::{
    assert_error, spawn_app_with, unique_email, ApiClient, TestApp, GOOD_PASSWORD,
};
use crate::mail_sink::{Mail, MailSink};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn app_with_sink(sink: &MailSink) -> TestApp {
    let url = sink.url();
    spawn_app_with(&[("SMTP_URL", url.as_str())], |_| {}).await
}

/// Registers `email` and waits for its confirmation mail; returns an access token.
async fn owner(app: &ApiClient, sink: &MailSink, email: &str) -> String {
    let response = app.register("Owner", email, GOOD_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    sink.wait_for(email, 1).await;
    app.token(email, GOOD_PASSWORD).await
}

async fn ask_email_change(app: &ApiClient, token: &str, password: &str, to: &str) -> StatusCode {
    app.send_auth(
        Method::POST,
        "/api/account/email",
        token,
        &json!({"password": password, "email": to}),
    )
    .await
    .status()
}

async fn change_password(app: &ApiClient, token: &str) {
    let response = app
        .send_auth(
            Method::POST,
            "/api/account/password",
            token,
            &json!({"current_password": GOOD_PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

fn with_subject(mails: Vec<Mail>, subject: &str) -> Vec<Mail> {
    mails.into_iter().filter(|m| m.subject == subject).collect()
}

async fn rows(app: &TestApp, sql: &str) -> Vec<sea_orm::QueryResult> {
    let db = &app.state.db;
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_password_change_kills_a_pending_change_of_address() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink).await;
    let (email, intruder) = (unique_email(), unique_email());
    let token = owner(&app, &sink, &email).await;
    // The intruder, with the password, asks to move the account to their address.
    let theirs = app.token(&email, GOOD_PASSWORD).await;
    assert_eq!(
        ask_email_change(&app, &theirs, GOOD_PASSWORD, &intruder).await,
        StatusCode::ACCEPTED
    );
    let link = sink.wait_for(&intruder, 1).await.remove(0);
    // The owner, warned by the notice, changes the password.
    sink.wait_for(&email, 2).await;
    change_password(&app, &token).await;
    assert_error(app.verify_email(&link.token()).await, 400, "invalid_link").await;
    let user: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(user["user"]["email"], email.as_str());
}

#[tokio::test]
async fn a_reset_kills_a_pending_change_of_address() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink).await;
    let (email, intruder) = (unique_email(), unique_email());
    owner(&app, &sink, &email).await;
    let theirs = app.token(&email, GOOD_PASSWORD).await;
    assert_eq!(
        ask_email_change(&app, &theirs, GOOD_PASSWORD, &intruder).await,
        StatusCode::ACCEPTED
    );
    let link = sink.wait_for(&intruder, 1).await.remove(0);
    assert_eq!(app.forgot(&email).await.status(), StatusCode::ACCEPTED);
    let reset = with_subject(sink.wait_for(&email, 3).await, "Reset your password").remove(0);
    assert_eq!(
        app.reset(&reset.token(), NEW_PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_error(app.verify_email(&link.token()).await, 400, "invalid_link").await;
    assert_eq!(
        app.login(&email, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_confirmed_change_of_address_kills_the_reset_links_mailed_before() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink).await;
    let (old, new) = (unique_email(), unique_email());
    let token = owner(&app, &sink, &old).await;
    assert_eq!(app.forgot(&old).await.status(), StatusCode::ACCEPTED);
    let reset = with_subject(sink.wait_for(&old, 2).await, "Reset your password").remove(0);
    assert_eq!(
        ask_email_change(&app, &token, GOOD_PASSWORD, &new).await,
        StatusCode::ACCEPTED
    );
    let confirm = sink.wait_for(&new, 1).await.remove(0);
    assert_eq!(
        app.verify_email(&confirm.token()).await.status(),
        StatusCode::OK
    );
    // The reset link in the old mailbox opens nothing any more.
    assert_error(
        app.reset(&reset.token(), NEW_PASSWORD).await,
        400,
        "invalid_link",
    )
    .await;
    assert_eq!(
        app.login(&new, GOOD_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_change_of_address_mails_one_new_address_at_most_once_a_minute() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink).await;
    let (email, target, other) = (unique_email(), unique_email(), unique_email());
    let token = owner(&app, &sink, &email).await;
    assert_eq!(
        ask_email_change(&app, &token, GOOD_PASSWORD, &target).await,
        StatusCode::ACCEPTED
    );
    let first = sink.wait_for(&target, 1).await.remove(0);
    // Asked again within the minute, once the first mail is out: the same answer, no mail.
    for _ in 0..3 {
        assert_eq!(
            ask_email_change(&app, &token, GOOD_PASSWORD, &target).await,
            StatusCode::ACCEPTED
        );
    }
    let queued = rows(
        &app,
        &format!("SELECT id FROM outbox WHERE kind = 'change_email' AND recipient = '{target}'"),
    )
    .await;
    assert_eq!(queued.len(), 1, "one mail to {target} queued in the minute");
    // Another address has its own minute.
    assert_eq!(
        ask_email_change(&app, &token, GOOD_PASSWORD, &other).await,
        StatusCode::ACCEPTED
    );
    sink.wait_for(&other, 1).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        sink.mails()
            .iter()
            .filter(|m| m.to.contains(&target))
            .count(),
        1
    );
    // The newer request to the other address killed the first link.
    assert_error(app.verify_email(&first.token()).await, 400, "invalid_link").await;
    // A minute later, the address may be mailed again.
    let db = &app.state.db;
    db.execute_unprepared("UPDATE outbox SET created_at = created_at - 61")
        .await
        .unwrap();
    assert_eq!(
        ask_email_change(&app, &token, GOOD_PASSWORD, &target).await,
        StatusCode::ACCEPTED
    );
    let second = sink.wait_for(&target, 2).await.remove(1);
    assert_eq!(
        app.verify_email(&second.token()).await.status(),
        StatusCode::OK
    );
}

/// Waits until the outbox has tried every mail at least once.
async fn tried(app: &TestApp, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let attempted = rows(
            app,
            "SELECT id FROM outbox WHERE attempts > 0 AND last_error IS NOT NULL",
        )
        .await;
        if attempted.len() >= count {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the sender tried {} mails",
            attempted.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_mail_waiting_in_the_outbox_holds_no_usable_token_and_gets_one_when_sent() {
    let mut sink = MailSink::start();
    sink.stop();
    let app = app_with_sink(&sink).await;
    let email = unique_email();
    assert_eq!(
        app.register("Ann", &email, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.forgot(&email).await.status(), StatusCode::ACCEPTED);
    tried(&app, 2).await;

    // Everything the database holds about the waiting mails: no token that opens anything.
    let mut stored = Vec::new();
    for row in rows(&app, "SELECT text_body, html_body FROM outbox").await {
        for column in ["text_body", "html_body"] {
            stored.push(row.try_get::<String>("", column).unwrap());
        }
    }
    for row in rows(&app, "SELECT hash FROM link_tokens").await {
        stored.push(row.try_get::<String>("", "hash").unwrap());
    }
    let links: Vec<&str> = stored
        .iter()
        .flat_map(|body| body.split("#token=").skip(1))
        .map(|rest| {
            rest.split(|c: char| c.is_whitespace() || c == '"' || c == '<')
                .next()
                .unwrap()
        })
        .collect();
    assert!(links.len() >= 4, "both mails, both bodies: {links:?}");
    for candidate in stored
        .iter()
        .flat_map(|s| s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')))
    {
        if candidate.len() == 43 {
            assert_error(app.verify_email(candidate).await, 400, "invalid_link").await;
            assert_error(
                app.reset(candidate, NEW_PASSWORD).await,
                400,
                "invalid_link",
            )
            .await;
        }
    }
    for link in &links {
        assert_error(app.verify_email(link).await, 400, "invalid_link").await;
    }

    // The server is back: the mails go, each with a token that works.
    sink.resume();
    let mails = sink.wait_for(&email, 2).await;
    let confirm = with_subject(mails.clone(), "Confirm your email address").remove(0);
    let reset = with_subject(mails, "Reset your password").remove(0);
    assert_eq!(
        app.verify_email(&confirm.token()).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.reset(&reset.token(), NEW_PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
    // Once sent, the bodies are gone from the outbox.
    for row in rows(
        &app,
        "SELECT text_body FROM outbox WHERE sent_at IS NOT NULL",
    )
    .await
    {
        assert_eq!(row.try_get::<String>("", "text_body").unwrap(), "");
    }
}

#[tokio::test]
async fn a_link_killed_while_its_mail_waits_is_never_sent() {
    let mut sink = MailSink::start();
    let app = app_with_sink(&sink).await;
    let (email, intruder) = (unique_email(), unique_email());
    let token = owner(&app, &sink, &email).await;
    sink.stop();
    assert_eq!(
        ask_email_change(&app, &token, GOOD_PASSWORD, &intruder).await,
        StatusCode::ACCEPTED
    );
    change_password(&app, &token).await;
    tried(&app, 1).await;
    sink.resume();
    // The notices go to the owner; the intruder's confirmation, whose link died, does not go.
    let mails = sink.wait_for(&email, 3).await;
    assert_eq!(with_subject(mails, "Your password was changed").len(), 1);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(sink.mails().iter().all(|m| !m.to.contains(&intruder)));
}
