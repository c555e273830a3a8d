//! docs/api.md, "Sessions": sessions. Refresh-token rotation, the grace window, replay ending the session,
//! races, idle and maximum lifetimes, the logout scopes, the session list, ending one session,
//! and the web app's cookie.

use crate::helpers::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// The claims of an access token, unverified.
pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWS");
    serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap()
}

pub fn sid_of(token: &str) -> String {
    claims_of(token)["sid"].as_str().expect("a sid").to_owned()
}

/// The `gatehouse_refresh` cookie a response sets, as `name=value`, and its whole header.
pub fn refresh_cookie(response: &reqwest::Response) -> Option<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|set| set.starts_with("gatehouse_refresh="))
        .map(|set| (set.split(';').next().unwrap().to_owned(), set))
}

#[tokio::test]
async fn a_login_starts_a_session_named_by_the_access_token_with_an_opaque_refresh_token() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    // Opaque (not a JWT), and at least 128 bits: 43 base64url characters hold 256.
    assert!(!user.refresh.contains('.'));
    assert!(B64.decode(&user.refresh).unwrap().len() >= 16);
    let sessions = app.sessions(&user.token).await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["id"], sid_of(&user.token).as_str());
    assert_eq!(sessions[0]["current"], true);
}

#[tokio::test]
async fn a_refresh_rotates_the_refresh_token_and_gives_a_working_access_token() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    let response = app.refresh(&user.refresh).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], user.email.as_str());
    let access = body["access_token"].as_str().unwrap();
    let next = body["refresh_token"].as_str().expect("a new refresh token");
    assert_ne!(next, user.refresh);
    assert_ne!(access, user.token);
    assert_eq!(sid_of(access), sid_of(&user.token), "the same session");
    assert_eq!(app.me(access).await.status(), StatusCode::OK);
    // And the new one rotates in turn.
    let third = Tokens::from(app.refresh(next).await).await;
    assert!(third.refresh.is_some_and(|t| t != next));
}

#[tokio::test]
async fn a_just_rotated_token_within_the_grace_window_gets_an_access_token_and_no_refresh_token() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    let rotated = Tokens::from(app.refresh(&user.refresh).await).await;
    let again = Tokens::from(app.refresh(&user.refresh).await).await;
    assert!(again.refresh.is_none(), "no second live refresh token");
    assert_eq!(app.me(&again.access).await.status(), StatusCode::OK);
    // The session lives on with the token the first refresh gave.
    let next = rotated.refresh.unwrap();
    assert_eq!(app.refresh(&next).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_retired_token_after_the_grace_window_ends_the_whole_session_at_once() {
    let app = spawn_app_with(&[("REFRESH_REUSE_GRACE_SECONDS", "1")], |_| {}).await;
    let user = app.signed_in_user().await;
    let other = app.tokens(&user.email, GOOD_PASSWORD).await;
    let rotated = Tokens::from(app.refresh(&user.refresh).await).await;
    assert_eq!(app.me(&rotated.access).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(app.me(&rotated.access).await.status(), StatusCode::OK);

    // The thief (or the victim: there is no telling) presents the retired token.
    assert_invalid_token(app.refresh(&user.refresh).await).await;
    // Every token of that session is refused from now on.
    assert_invalid_token(app.me(&rotated.access).await).await;
    assert_invalid_token(app.me(&user.token).await).await;
    assert_invalid_token(app.refresh(&rotated.refresh.unwrap()).await).await;
    // Other sessions of the user are not touched.
    assert_eq!(app.me(&other.access).await.status(), StatusCode::OK);
    assert_eq!(app.sessions(&other.access).await.len(), 1);
}

#[tokio::test]
async fn with_no_grace_window_any_second_use_ends_the_session() {
    let app = spawn_app_with(&[("REFRESH_REUSE_GRACE_SECONDS", "0")], |_| {}).await;
    let user = app.signed_in_user().await;
    let rotated = Tokens::from(app.refresh(&user.refresh).await).await;
    assert_invalid_token(app.refresh(&user.refresh).await).await;
    assert_invalid_token(app.me(&rotated.access).await).await;
}

#[tokio::test]
async fn simultaneous_refreshes_with_one_token_give_exactly_one_new_refresh_token() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    let attempts = (0..20).map(|_| app.refresh(&user.refresh));
    let responses = futures::future::join_all(attempts).await;
    let mut new_tokens = Vec::new();
    for response in responses {
        let tokens = Tokens::from(response).await;
        assert_eq!(app.me(&tokens.access).await.status(), StatusCode::OK);
        new_tokens.extend(tokens.refresh);
    }
    assert_eq!(
        new_tokens.len(),
        1,
        "one winner; the rest are in the grace window"
    );
    assert_eq!(app.refresh(&new_tokens[0]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_session_not_refreshed_for_its_idle_time_ends_and_refreshing_keeps_it_alive() {
    let app = spawn_app_with(&[("SESSION_IDLE_SECONDS", "3")], |_| {}).await;
    let idle = app.signed_in_user().await;
    let active = app.signed_in_user().await;
    // Times are whole seconds: a refresh every second keeps a 3-second session alive.
    let mut refresh = active.refresh.clone();
    let mut access = active.token.clone();
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let tokens = Tokens::from(app.refresh(&refresh).await).await;
        refresh = tokens.refresh.unwrap();
        access = tokens.access;
    }
    assert_eq!(app.me(&access).await.status(), StatusCode::OK);
    // 4 s without a refresh: over.
    assert_invalid_token(app.me(&idle.token).await).await;
    assert_invalid_token(app.refresh(&idle.refresh).await).await;
    assert!(app.sessions(&access).await.len() == 1);
}

#[tokio::test]
async fn a_session_ends_at_its_maximum_age_however_active() {
    let app = spawn_app_with(&[("SESSION_MAX_SECONDS", "3")], |_| {}).await;
    let user = app.signed_in_user().await;
    let mut refresh = user.refresh.clone();
    let mut access = user.token.clone();
    let started = std::time::Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let response = app.refresh(&refresh).await;
        if response.status() != StatusCode::OK {
            assert_invalid_token(response).await;
            break;
        }
        let tokens = Tokens::from(response).await;
        refresh = tokens.refresh.unwrap();
        access = tokens.access;
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "outlived its maximum age"
        );
    }
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "ended too early"
    );
    assert_invalid_token(app.me(&access).await).await;
}

#[tokio::test]
async fn logout_ends_this_session_by_default_and_clears_the_cookie() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    let other = app.tokens(&user.email, GOOD_PASSWORD).await;
    let response = app.logout(&user.token).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (cookie, set) = refresh_cookie(&response).expect("the cookie is cleared");
    assert_eq!(cookie, "gatehouse_refresh=");
    assert!(set.contains("Max-Age=0"), "{set}");
    assert_invalid_token(app.me(&user.token).await).await;
    assert_invalid_token(app.refresh(&user.refresh).await).await;
    assert_eq!(app.me(&other.access).await.status(), StatusCode::OK);
    // `local` by name does the same.
    assert_eq!(
        app.logout_scope(&other.access, "local").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_invalid_token(app.me(&other.access).await).await;
}

#[tokio::test]
async fn logout_others_ends_every_other_session_and_global_ends_all() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    let second = app.tokens(&user.email, GOOD_PASSWORD).await;
    let third = app.tokens(&user.email, GOOD_PASSWORD).await;
    let stranger = app.signed_in_user().await;

    let response = app.logout_scope(&second.access, "others").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(refresh_cookie(&response).is_none(), "this session goes on");
    assert_invalid_token(app.me(&user.token).await).await;
    assert_invalid_token(app.me(&third.access).await).await;
    assert_invalid_token(app.refresh(&third.refresh.unwrap()).await).await;
    assert_eq!(app.me(&second.access).await.status(), StatusCode::OK);
    assert_eq!(app.sessions(&second.access).await.len(), 1);

    let fourth = app.tokens(&user.email, GOOD_PASSWORD).await;
    let response = app.logout_scope(&fourth.access, "global").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(refresh_cookie(&response).is_some());
    assert_invalid_token(app.me(&second.access).await).await;
    assert_invalid_token(app.me(&fourth.access).await).await;
    assert_eq!(
        app.me(&stranger.token).await.status(),
        StatusCode::OK,
        "another user"
    );
}

#[tokio::test]
async fn an_unknown_logout_scope_is_a_validation_error_and_ends_nothing() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    for scope in ["everywhere", "", "LOCAL"] {
        let body = assert_error(
            app.logout_scope(&user.token, scope).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(body["error"]["fields"]["scope"].is_string(), "{body}");
    }
    let response = app
        .http
        .post(app.url("/api/auth/logout"))
        .bearer_auth(&user.token)
        .json(&json!({"scope": 3}))
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "bad_request").await;
    assert_eq!(app.me(&user.token).await.status(), StatusCode::OK);
    assert_error(
        app.logout_scope("nope", "local").await,
        401,
        "invalid_token",
    )
    .await;
}

#[tokio::test]
async fn the_session_list_shows_live_sessions_newest_first_with_this_one_marked() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = app
        .http
        .post(app.url("/api/auth/login"))
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        )
        .json(&json!({"email": user.email, "password": GOOD_PASSWORD}))
        .send()
        .await
        .unwrap();
    let firefox = Tokens::from(response).await;
    let ended = app.tokens(&user.email, GOOD_PASSWORD).await;
    app.logout(&ended.access).await;

    let sessions = app.sessions(&user.token).await;
    assert_eq!(
        sessions.len(),
        2,
        "the ended one is not listed: {sessions:?}"
    );
    assert_eq!(
        sessions[0]["id"],
        sid_of(&firefox.access).as_str(),
        "newest first"
    );
    assert_eq!(sessions[0]["current"], false);
    assert_eq!(
        sessions[0]["user_agent"],
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
    );
    assert_eq!(sessions[1]["id"], sid_of(&user.token).as_str());
    assert_eq!(sessions[1]["current"], true);
    for session in &sessions {
        for time in ["created_at", "last_used_at", "expires_at"] {
            let value = session[time].as_str().unwrap();
            assert!(
                chrono::DateTime::parse_from_rfc3339(value).is_ok(),
                "{time}: {value}"
            );
        }
        let mut keys: Vec<_> = session.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "created_at",
                "current",
                "expires_at",
                "id",
                "last_used_at",
                "user_agent"
            ]
        );
    }
    // A long user agent is kept to its first 200 characters.
    let long = "x".repeat(500);
    let response = app
        .http
        .post(app.url("/api/auth/login"))
        .header("user-agent", &long)
        .json(&json!({"email": user.email, "password": GOOD_PASSWORD}))
        .send()
        .await
        .unwrap();
    let long_session = Tokens::from(response).await;
    let listed = app.sessions(&long_session.access).await;
    let mine = listed.iter().find(|s| s["current"] == true).unwrap();
    assert_eq!(mine["user_agent"].as_str().unwrap().len(), 200);
}

#[tokio::test]
async fn ending_another_session_refuses_its_tokens_at_once_and_unknown_ids_are_404() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    let phone = app.tokens(&user.email, GOOD_PASSWORD).await;
    let stranger = app.signed_in_user().await;
    assert_eq!(app.me(&phone.access).await.status(), StatusCode::OK);

    let response = app.end_session(&user.token, &sid_of(&phone.access)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_invalid_token(app.me(&phone.access).await).await;
    assert_invalid_token(app.refresh(&phone.refresh.unwrap()).await).await;
    assert_eq!(app.me(&user.token).await.status(), StatusCode::OK);

    // Ended already, unknown, not an id, or someone else's: 404, and nothing happens.
    for id in [
        sid_of(&phone.access),
        uuid::Uuid::new_v4().to_string(),
        "not-an-id".to_owned(),
        sid_of(&stranger.token),
    ] {
        assert_error(app.end_session(&user.token, &id).await, 404, "not_found").await;
    }
    assert_eq!(app.me(&stranger.token).await.status(), StatusCode::OK);
    assert_error(
        app.end_session("nope", &sid_of(&user.token)).await,
        401,
        "invalid_token",
    )
    .await;
}

#[tokio::test]
async fn refresh_refuses_what_is_not_a_live_refresh_token_with_the_contract_codes() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    for junk in ["", "x", &user.token, &"A".repeat(43), &"é".repeat(30)] {
        assert_invalid_token(app.refresh(junk).await).await;
    }
    assert_invalid_token(app.post_json("/api/auth/refresh", &json!({})).await).await;
    // No body and no cookie.
    let bare = app
        .http
        .post(app.url("/api/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_invalid_token(bare).await;
    // The form encoding works like JSON.
    let form = app
        .http
        .post(app.url("/api/auth/refresh"))
        .form(&[("refresh_token", user.refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let text = app
        .http
        .post(app.url("/api/auth/refresh"))
        .header("content-type", "text/plain")
        .body("token")
        .send()
        .await
        .unwrap();
    assert_error(text, 415, "unsupported_media_type").await;
    let broken = app
        .http
        .post(app.url("/api/auth/refresh"))
        .header("content-type", "application/json")
        .body("{\"refresh_token\":")
        .send()
        .await
        .unwrap();
    assert_error(broken, 400, "bad_request").await;
    let big = app
        .post_json(
            "/api/auth/refresh",
            &json!({"refresh_token": "a".repeat(20_000)}),
        )
        .await;
    assert_error(big, 413, "payload_too_large").await;
}

#[tokio::test]
async fn refresh_counts_toward_the_sign_in_rate_of_the_client_address() {
    let app = spawn_app_with(&[("AUTH_RATE_PER_MINUTE", "3")], |_| {}).await;
    let user = app.signed_in_user().await; // register + login: 2
    let tokens = Tokens::from(app.refresh(&user.refresh).await).await; // 3
    let limited = app.refresh(&tokens.refresh.unwrap()).await;
    assert!(retry_after(&limited) >= 1);
    assert_error(limited, 429, "rate_limited").await;
}

#[tokio::test]
async fn purging_deletes_ended_sessions_with_their_refresh_tokens_and_keeps_live_ones() {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    let ended = app.tokens(&user.email, GOOD_PASSWORD).await;
    Tokens::from(app.refresh(&ended.refresh.clone().unwrap()).await).await;
    app.logout(&ended.access).await;

    let purged = app.purge().await;
    assert_eq!(purged.sessions, 1);
    let db = &app.state.db;
    assert_eq!(
        app::backend::sessions::entity::Entity::find()
            .count(db)
            .await
            .unwrap(),
        1
    );
    // The live session's one token is all that is left; the ended session's two went with it.
    assert_eq!(
        app::backend::refresh_tokens::entity::Entity::find()
            .count(db)
            .await
            .unwrap(),
        1
    );
    assert_eq!(app.refresh(&user.refresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_ins_a_moment_apart_are_listed_newest_first_to_the_millisecond() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    let mut started = vec![sid_of(&user.token)];
    // Five more sign-ins as fast as they come: most share a second.
    for _ in 0..5 {
        started.push(sid_of(&app.tokens(&user.email, GOOD_PASSWORD).await.access));
    }
    started.reverse();
    let listed = app.sessions(&user.token).await;
    let ids: Vec<&str> = listed.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, started, "newest first");
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = listed
        .iter()
        .map(|s| chrono::DateTime::parse_from_rfc3339(s["created_at"].as_str().unwrap()).unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert!(
        listed
            .iter()
            .all(|s| s["created_at"].as_str().unwrap().contains('.')),
        "kept to the millisecond: {listed:?}"
    );
}

#[tokio::test]
async fn a_session_records_how_it_was_signed_in_and_every_refresh_keeps_it() {
    let app = spawn_app().await;
    let user = app.signed_in_user().await;
    assert_eq!(claims_of(&user.token)["amr"], json!(["pwd"]));
    let refreshed = Tokens::from(app.refresh(&user.refresh).await).await;
    assert_eq!(claims_of(&refreshed.access)["amr"], json!(["pwd"]));
    assert_eq!(sid_of(&refreshed.access), sid_of(&user.token));
    // Another sign-in of the same user is a session of its own, signed in the same way.
    let again = app.tokens(&user.email, GOOD_PASSWORD).await;
    assert_ne!(sid_of(&again.access), sid_of(&user.token));
    assert_eq!(claims_of(&again.access)["amr"], json!(["pwd"]));
}
