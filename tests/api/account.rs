//! docs/api.md, "The account over email": the account over email, against a real SMTP server (`MailSink`). Every mail is read
//! from the sink, and every link is followed the way a person would: the token from its fragment.

use crate::helpers::{
    assert_error, assert_invalid_token, spawn_app_with, throttle_after, unique_email, ApiClient,
    TestApp, GOOD_PASSWORD,
};
use crate::mail_sink::{read_dir_mails, wait_for_mails, Mail, MailSink};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const NEW_PASSWORD: &str = "a brand new passphrase";

/// An app that mails through `sink`, with its links under a public address of its own.
async fn app_with_sink(sink: &MailSink, vars: &[(&str, &str)]) -> TestApp {
    let url = sink.url();
    let mut all = vec![
        ("SMTP_URL", url.as_str()),
        ("GATEHOUSE_PUBLIC_URL", "https://auth.example.test"),
    ];
    all.extend_from_slice(vars);
    spawn_app_with(&all, |_| {}).await
}

/// Registers `email`, returns the confirmation mail.
async fn register(app: &ApiClient, sink: &MailSink, email: &str) -> Mail {
    let response = app.register("Ann", email, GOOD_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email_verified"], false);
    sink.wait_for(email, 1).await.remove(0)
}

async fn login(app: &ApiClient, email: &str, password: &str) -> Value {
    let response = app.login(email, password).await;
    assert_eq!(response.status(), StatusCode::OK, "login {email}");
    response.json().await.unwrap()
}

fn access(login: &Value) -> String {
    login["access_token"].as_str().unwrap().to_owned()
}

async fn me(app: &ApiClient, token: &str) -> Value {
    let response = app.me(token).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<Value>().await.unwrap()["user"].clone()
}

/// Everything of a session is refused: its access token and its refresh token.
async fn assert_session_over(app: &ApiClient, session: &Value) {
    assert_invalid_token(app.me(&access(session)).await).await;
    let refreshed = app
        .refresh(session["refresh_token"].as_str().unwrap())
        .await;
    assert_error(refreshed, 401, "invalid_token").await;
}

/// `password` does not open the account at `email` (any more).
async fn assert_login_refused(app: &ApiClient, email: &str, password: &str) {
    assert_error(app.login(email, password).await, 401, "invalid_credentials").await;
}

/// Moves every mail of the outbox back in time, as if it were queued `seconds` earlier.
async fn age_outbox(app: &TestApp, seconds: i64) {
    app.state
        .db
        .execute_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            format!("UPDATE outbox SET created_at = created_at - {seconds}"),
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn registration_mails_a_confirmation_link_that_confirms_once() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    let email = unique_email();
    let mail = register(&app, &sink, &email).await;

    assert_eq!(mail.subject, "Confirm your email address");
    assert!(mail.from.contains("no-reply@localhost"), "{}", mail.from);
    let link = mail.link();
    assert!(
        link.starts_with("https://auth.example.test/verify-email#token="),
        "{link}"
    );
    assert!(mail.html.contains(&link), "the HTML body has the link too");
    let token = mail.token();
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    assert!(!link.contains('?'), "the token rides in the fragment only");
    let token_of_login = access(&login(&app, &email, GOOD_PASSWORD).await);
    assert_eq!(me(&app, &token_of_login).await["email_verified"], false);

    let response = app.verify_email(&token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], email);
    assert_eq!(body["user"]["email_verified"], true);
    assert_eq!(
        me(&app, &token_of_login).await["email_verified"],
        true,
        "at once, for a token read before"
    );

    assert_error(app.verify_email(&token).await, 400, "invalid_link").await;
    for junk in ["", "nope", &"A".repeat(43), &format!("{token}x")] {
        assert_error(app.verify_email(junk).await, 400, "invalid_link").await;
    }
}

#[tokio::test]
async fn an_unconfirmed_address_does_not_stop_a_login_and_the_link_expires() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[("VERIFY_LINK_TTL_SECONDS", "1")]).await;
    let email = unique_email();
    let mail = register(&app, &sink, &email).await;
    let session = login(&app, &email, GOOD_PASSWORD).await;
    assert_eq!(session["user"]["email_verified"], false);
    assert!(mail.text.contains("1 second"), "{}", mail.text);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_error(app.verify_email(&mail.token()).await, 400, "invalid_link").await;
}

#[tokio::test]
async fn resend_mails_at_most_one_confirmation_a_minute_and_none_once_confirmed() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    let email = unique_email();
    register(&app, &sink, &email).await;
    let token = access(&login(&app, &email, GOOD_PASSWORD).await);
    let resend = |token: String| {
        let app = app.api.clone();
        async move {
            app.send_auth(
                Method::POST,
                "/api/auth/verify-email/resend",
                &token,
                &json!({}),
            )
            .await
        }
    };
    assert_eq!(resend(token.clone()).await.status(), StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        sink.wait_for(&email, 1).await.len(),
        1,
        "the minute's one mail went out at registration"
    );

    age_outbox(&app, 61).await;
    assert_eq!(resend(token.clone()).await.status(), StatusCode::ACCEPTED);
    let mails = sink.wait_for(&email, 2).await;
    // The newer link works, and so does the older one: both were mailed to the same address.
    let response = app.verify_email(&mails[1].token()).await;
    assert_eq!(response.status(), StatusCode::OK);

    age_outbox(&app, 61).await;
    assert_eq!(resend(token.clone()).await.status(), StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        sink.mails().len(),
        2,
        "a confirmed address gets no more confirmations"
    );

    let response = app
        .http
        .post(app.url("/api/auth/verify-email/resend"))
        .send()
        .await
        .unwrap();
    assert_error(response, 401, "missing_token").await;
}

#[tokio::test]
async fn forgot_answers_alike_for_known_and_unknown_addresses_and_mails_only_the_known() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    let known = unique_email();
    register(&app, &sink, &known).await;
    let unknown = unique_email();

    let answer = |email: String| {
        let app = app.api.clone();
        async move {
            let started = Instant::now();
            let response = app.forgot(&email).await;
            let took = started.elapsed();
            let status = response.status();
            let content_type = response.headers()["content-type"].clone();
            let body = response.text().await.unwrap();
            (status, content_type, body, took)
        }
    };
    let (k_status, k_type, k_body, _) = answer(known.clone()).await;
    let (u_status, u_type, u_body, _) = answer(unknown.clone()).await;
    assert_eq!(k_status, StatusCode::ACCEPTED);
    assert_eq!(
        (k_status, k_type, k_body.clone()),
        (u_status, u_type, u_body)
    );
    assert_eq!(k_body, "{}");

    let mails = sink.wait_for(&known, 2).await;
    let reset = &mails[1];
    assert_eq!(reset.subject, "Reset your password");
    assert!(reset
        .link()
        .starts_with("https://auth.example.test/reset-password#token="));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sink.mails().iter().all(|m| !m.to.contains(&unknown)));

    // About the same time: the lookup and the mail happen after the answer.
    let mut known_times = Vec::new();
    let mut unknown_times = Vec::new();
    for _ in 0..9 {
        known_times.push(answer(known.clone()).await.3);
        unknown_times.push(answer(unknown.clone()).await.3);
    }
    known_times.sort();
    unknown_times.sort();
    let (k, u) = (known_times[4], unknown_times[4]);
    let gap = k.abs_diff(u);
    assert!(
        gap < Duration::from_millis(20),
        "known {k:?} vs unknown {u:?}"
    );

    assert_error(app.forgot("not an address").await, 422, "validation_failed").await;
}

#[tokio::test]
async fn reset_mail_is_limited_to_one_a_minute_and_five_an_hour_per_address() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    let email = unique_email();
    register(&app, &sink, &email).await;

    assert_eq!(app.forgot(&email).await.status(), StatusCode::ACCEPTED);
    sink.wait_for(&email, 2).await;
    // A second one within the minute: the same answer, no mail. The confirmation mail of the
    // registration does not count: limits are per kind.
    assert_eq!(app.forgot(&email).await.status(), StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(sink.mails().len(), 2);

    for expected in 3..=6 {
        age_outbox(&app, 61).await;
        assert_eq!(app.forgot(&email).await.status(), StatusCode::ACCEPTED);
        sink.wait_for(&email, expected).await;
    }
    // Five reset mails within the hour: no sixth.
    age_outbox(&app, 61).await;
    assert_eq!(app.forgot(&email).await.status(), StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let resets = sink
        .mails()
        .into_iter()
        .filter(|m| m.subject == "Reset your password")
        .count();
    assert_eq!(resets, 5);
    // An hour later, one more.
    age_outbox(&app, 3600).await;
    assert_eq!(app.forgot(&email).await.status(), StatusCode::ACCEPTED);
    sink.wait_for(&email, 7).await;
}

#[tokio::test]
async fn a_reset_sets_the_password_ends_every_session_kills_other_links_and_signs_nobody_in() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    let email = unique_email();
    register(&app, &sink, &email).await;
    let first = login(&app, &email, GOOD_PASSWORD).await;
    let second = login(&app, &email, GOOD_PASSWORD).await;
    for session in [&first, &second] {
        me(&app, &access(session)).await;
    }

    app.forgot(&email).await;
    let older = sink.wait_for(&email, 2).await.remove(1).token();
    age_outbox(&app, 61).await;
    app.forgot(&email).await;
    let newer = sink.wait_for(&email, 3).await.remove(2).token();

    assert_error(app.reset(&newer, "short").await, 422, "validation_failed").await;
    let response = app.reset(&newer, NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "nobody is signed in"
    );
    assert!(response.text().await.unwrap().is_empty());

    for session in [&first, &second] {
        assert_session_over(&app, session).await;
    }
    assert_login_refused(&app, &email, GOOD_PASSWORD).await;
    let after = login(&app, &email, NEW_PASSWORD).await;
    assert_eq!(
        after["user"]["email_verified"], true,
        "the link proved the address"
    );

    assert_error(
        app.reset(&newer, "another new passphrase").await,
        400,
        "invalid_link",
    )
    .await;
    assert_error(
        app.reset(&older, "another new passphrase").await,
        400,
        "invalid_link",
    )
    .await;

    let notice = sink.wait_for(&email, 4).await.remove(3);
    assert_eq!(notice.subject, "Your password was reset");
    assert!(!notice.text.contains("#token="));
}

#[tokio::test]
async fn a_reset_link_expires() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[("RESET_LINK_TTL_SECONDS", "1")]).await;
    let email = unique_email();
    register(&app, &sink, &email).await;
    app.forgot(&email).await;
    let token = sink.wait_for(&email, 2).await.remove(1).token();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_error(app.reset(&token, NEW_PASSWORD).await, 400, "invalid_link").await;
    login(&app, &email, GOOD_PASSWORD).await;
    // A confirmation link is not a reset link, nor the other way round.
    let confirmation = sink.mails()[0].token();
    assert_error(
        app.reset(&confirmation, NEW_PASSWORD).await,
        400,
        "invalid_link",
    )
    .await;
}

#[tokio::test]
async fn the_name_changes() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    let email = unique_email();
    register(&app, &sink, &email).await;
    let token = access(&login(&app, &email, GOOD_PASSWORD).await);
    let response = app
        .send_auth(
            Method::PATCH,
            "/api/account",
            &token,
            &json!({"name": "  Ann Lee "}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["name"], "Ann Lee");
    assert_eq!(me(&app, &token).await["name"], "Ann Lee");
    let bad = app
        .send_auth(Method::PATCH, "/api/account", &token, &json!({"name": " "}))
        .await;
    let body = assert_error(bad, 422, "validation_failed").await;
    assert!(body["error"]["fields"]["name"].is_string());
    let anonymous = app
        .http
        .patch(app.url("/api/account"))
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401, "missing_token").await;
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_ends_other_sessions_and_mails_a_notice() {
    let sink = MailSink::start();
    let url = sink.url();
    let app = spawn_app_with(&[("SMTP_URL", &url)], throttle_after(3, 100)).await;
    let email = unique_email();
    register(&app, &sink, &email).await;
    let here = login(&app, &email, GOOD_PASSWORD).await;
    let elsewhere = login(&app, &email, GOOD_PASSWORD).await;
    me(&app, &access(&elsewhere)).await;
    let token = access(&here);
    let change = |current: &str, new: &str| {
        let (app, token) = (app.api.clone(), token.clone());
        let body = json!({"current_password": current, "new_password": new});
        async move {
            app.send_auth(Method::POST, "/api/account/password", &token, &body)
                .await
        }
    };

    let body = assert_error(change("", "short").await, 422, "validation_failed").await;
    assert!(body["error"]["fields"]["current_password"].is_string());
    assert!(body["error"]["fields"]["new_password"].is_string());
    assert_error(
        change("wrong guess", NEW_PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;

    assert_eq!(
        change(GOOD_PASSWORD, NEW_PASSWORD).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        me(&app, &token).await["email"],
        email,
        "this session lives on"
    );
    assert_invalid_token(app.me(&access(&elsewhere)).await).await;
    assert_login_refused(&app, &email, GOOD_PASSWORD).await;
    login(&app, &email, NEW_PASSWORD).await;
    let notice = sink.wait_for(&email, 2).await.remove(1);
    assert_eq!(notice.subject, "Your password was changed");

    // Wrong current passwords count as failed logins (the good one above started the count
    // again): the third in a row locks the account for this address, even for the right one.
    for _ in 0..3 {
        assert_error(
            change("wrong guess", "whatever it is").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    assert_error(
        change(NEW_PASSWORD, "whatever it is").await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn an_email_change_is_confirmed_from_the_new_address_and_noticed_at_the_old() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    let (old, new) = (unique_email(), unique_email());
    register(&app, &sink, &old).await;
    let token = access(&login(&app, &old, GOOD_PASSWORD).await);
    let change = |password: &str, email: &str| {
        let (app, token) = (app.api.clone(), token.clone());
        let body = json!({"password": password, "email": email});
        async move {
            app.send_auth(Method::POST, "/api/account/email", &token, &body)
                .await
        }
    };
    assert_error(change("wrong", &new).await, 401, "invalid_credentials").await;
    let body = assert_error(change("", "nope").await, 422, "validation_failed").await;
    assert!(body["error"]["fields"]["email"].is_string());
    assert!(body["error"]["fields"]["password"].is_string());
    let own = assert_error(change(GOOD_PASSWORD, &old).await, 422, "validation_failed").await;
    assert_eq!(
        own["error"]["fields"]["email"],
        "is already your email address"
    );
    let taken = unique_email();
    register(&app, &sink, &taken).await;
    assert_error(change(GOOD_PASSWORD, &taken).await, 409, "email_taken").await;

    let response = change(GOOD_PASSWORD, &new.to_uppercase()).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let link = sink.wait_for(&new, 1).await.remove(0);
    assert_eq!(link.subject, "Confirm your new email address");
    let notice = sink.wait_for(&old, 2).await.remove(1);
    assert_eq!(notice.subject, "Your email address is being changed");
    assert!(notice.text.contains(&new));
    assert!(
        !notice.text.contains("#token="),
        "the link goes to the new address only"
    );
    assert_eq!(
        me(&app, &token).await["email"],
        old,
        "nothing changes before the link"
    );

    let response = app.verify_email(&link.token()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], new);
    assert_eq!(body["user"]["email_verified"], true);
    // The same token, read a moment ago, shows the new address at once.
    assert_eq!(me(&app, &token).await["email"], new);
    login(&app, &new, GOOD_PASSWORD).await;
    assert_login_refused(&app, &old, GOOD_PASSWORD).await;
    // The old address is free again.
    assert_eq!(
        app.register("Other", &old, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn an_address_taken_between_the_request_and_the_link_is_refused_when_the_link_is_used() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    let (old, new) = (unique_email(), unique_email());
    register(&app, &sink, &old).await;
    let token = access(&login(&app, &old, GOOD_PASSWORD).await);
    let body = json!({"password": GOOD_PASSWORD, "email": new});
    let response = app
        .send_auth(Method::POST, "/api/account/email", &token, &body)
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let link = sink.wait_for(&new, 1).await.remove(0);
    assert_eq!(
        app.register("Quick", &new, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED
    );
    assert_error(app.verify_email(&link.token()).await, 409, "email_taken").await;
    assert_eq!(me(&app, &token).await["email"], old);
}

#[tokio::test]
async fn deleting_the_account_needs_the_password_removes_everything_and_frees_the_address() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    let email = unique_email();
    register(&app, &sink, &email).await;
    let session = login(&app, &email, GOOD_PASSWORD).await;
    let token = access(&session);
    let delete = |password: &str| {
        let (app, token) = (app.api.clone(), token.clone());
        let body = json!({ "password": password });
        async move {
            app.send_auth(Method::DELETE, "/api/account", &token, &body)
                .await
        }
    };
    let body = assert_error(delete("").await, 422, "validation_failed").await;
    assert!(body["error"]["fields"]["password"].is_string());
    assert_error(delete("wrong").await, 401, "invalid_credentials").await;
    me(&app, &token).await;

    let response = delete(GOOD_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
    assert_session_over(&app, &session).await;
    assert_login_refused(&app, &email, GOOD_PASSWORD).await;
    let notice = sink.wait_for(&email, 2).await.remove(1);
    assert_eq!(notice.subject, "Your account was deleted");

    for table in ["sessions", "link_tokens"] {
        let rows = app
            .state
            .db
            .query_one_raw(Statement::from_string(
                app.state.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(rows.try_get::<i64>("", "n").unwrap(), 0, "{table}");
    }
    assert_eq!(
        app.register("Ann again", &email, GOOD_PASSWORD)
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn mail_waits_while_the_smtp_server_is_down_and_goes_out_when_it_is_back() {
    let mut sink = MailSink::start();
    let app = app_with_sink(&sink, &[]).await;
    sink.stop();
    let email = unique_email();
    assert_eq!(
        app.register("Ann", &email, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED,
        "a mail server that is down holds up no request"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let attempts = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT attempts, last_error FROM outbox".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(attempts.try_get::<i32>("", "attempts").unwrap() >= 1);
    assert!(attempts
        .try_get::<Option<String>>("", "last_error")
        .unwrap()
        .is_some());
    sink.resume();
    let mail = sink.wait_for(&email, 1).await.remove(0);
    assert_eq!(mail.subject, "Confirm your email address");
}

#[tokio::test]
async fn with_no_smtp_url_mail_is_written_as_eml_files() {
    let app = spawn_app_with(&[], |_| {}).await;
    let email = unique_email();
    assert_eq!(
        app.register("Ann", &email, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED
    );
    let dir = app.outbox_dir();
    let mails = wait_for_mails(|| read_dir_mails(&dir), &email, 1).await;
    let link = mails[0].link();
    assert!(
        link.starts_with("http://127.0.0.1:3000/verify-email#token="),
        "{link}"
    );
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(files
        .iter()
        .all(|f| f.as_ref().unwrap().path().extension().unwrap() == "eml"));
    // The raw file holds the link whole, on a line of its own, for a person reading it.
    let raw = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(raw.lines().any(|line| line == link), "{raw}");
    let response = app.verify_email(&mails[0].token()).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn forgot_reset_and_confirm_count_toward_the_sign_in_rate() {
    let sink = MailSink::start();
    let app = app_with_sink(&sink, &[("AUTH_RATE_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        assert_eq!(
            app.forgot(&unique_email()).await.status(),
            StatusCode::ACCEPTED
        );
    }
    for response in [
        app.forgot(&unique_email()).await,
        app.reset(&"A".repeat(43), NEW_PASSWORD).await,
        app.verify_email(&"A".repeat(43)).await,
    ] {
        let retry = crate::helpers::retry_after(&response);
        assert!(retry >= 1, "Retry-After: {retry}");
        assert_error(response, 429, "rate_limited").await;
    }
}
