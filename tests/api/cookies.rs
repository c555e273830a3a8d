//! docs/api.md, "Sessions", the web app's side: its sign-in sets the `gatehouse_refresh` cookie (and never
//! gives the refresh token to script), refreshes with it, and logout clears it; no other site can
//! make the browser use it.

use crate::helpers::*;
use crate::server_fns::{call, decode, login, register};
use crate::sessions::refresh_cookie;
use app::domain::LogoutScope;
use app::rpc::{Logout, SignedIn};
use reqwest::StatusCode;
use serde_json::Value;

/// Signs in through the web app's door; returns the access token and the cookie as `name=value`.
async fn web_sign_in(app: &TestApp) -> (String, String, String) {
    let email = unique_email();
    let response = call(app, "register", &register("W", &email, GOOD_PASSWORD), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (cookie, _) = refresh_cookie(&response).expect("a refresh cookie");
    let body = response.bytes().await.unwrap();
    let token = cookie.trim_start_matches("gatehouse_refresh=");
    assert!(
        !body.windows(token.len()).any(|w| w == token.as_bytes()),
        "the refresh token is not in the body"
    );
    let signed_in: SignedIn = postcard::from_bytes(&body).unwrap();
    (signed_in.access_token, cookie, email)
}

#[tokio::test]
async fn the_web_sign_in_sets_an_http_only_strict_cookie_for_the_refresh_path_only() {
    let app = spawn_app_with(&[("SESSION_MAX_SECONDS", "86400")], |_| {}).await;
    let email = unique_email();
    app.register("W", &email, GOOD_PASSWORD).await;
    for response in [
        call(&app, "login", &login(&email, GOOD_PASSWORD), None).await,
        call(
            &app,
            "register",
            &register("W", &unique_email(), GOOD_PASSWORD),
            None,
        )
        .await,
    ] {
        assert_eq!(response.status(), StatusCode::OK);
        let (_, set) = refresh_cookie(&response).expect("a refresh cookie");
        for attribute in [
            "HttpOnly",
            "SameSite=Strict",
            "Path=/api/auth/refresh",
            "Max-Age=86400",
        ] {
            assert!(set.contains(attribute), "{attribute} missing: {set}");
        }
        assert!(!set.contains("Secure"), "served over http: {set}");
    }
    // The JSON API gives the token in the body and sets no cookie.
    let json = app.login(&email, GOOD_PASSWORD).await;
    assert!(refresh_cookie(&json).is_none());
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_public_address_is_https() {
    let app = spawn_app_with(
        &[("GATEHOUSE_PUBLIC_URL", "https://auth.example.com")],
        |_| {},
    )
    .await;
    let response = call(
        &app,
        "register",
        &register("S", &unique_email(), GOOD_PASSWORD),
        None,
    )
    .await;
    let (_, set) = refresh_cookie(&response).unwrap();
    assert!(set.contains("Secure"), "{set}");
}

#[tokio::test]
async fn a_refresh_by_cookie_replaces_the_cookie_and_puts_no_refresh_token_in_the_body() {
    let app = spawn_app().await;
    let (access, cookie, email) = web_sign_in(&app).await;
    let response = app.refresh_with_cookie(&cookie).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (next, set) = refresh_cookie(&response).expect("a new cookie");
    assert_ne!(next, cookie);
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
    let body: Value = response.json().await.unwrap();
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert_eq!(body["user"]["email"], email.as_str());
    let fresh = body["access_token"].as_str().unwrap();
    assert_ne!(fresh, access);
    assert_eq!(app.me(fresh).await.status(), StatusCode::OK);
    // The new cookie works in turn.
    assert_eq!(
        app.refresh_with_cookie(&next).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_refused_cookie_is_cleared() {
    let app = spawn_app().await;
    let response = app
        .refresh_with_cookie("gatehouse_refresh=not-a-token")
        .await;
    let (cookie, set) = refresh_cookie(&response).expect("cleared");
    assert_eq!(cookie, "gatehouse_refresh=");
    assert!(set.contains("Max-Age=0"));
    assert_invalid_token(response).await;
}

#[tokio::test]
async fn no_cross_site_request_or_form_post_can_refresh_with_the_cookie() {
    let app = spawn_app().await;
    let (_, cookie, _) = web_sign_in(&app).await;
    // What a cross-site `fetch` would look like, if the browser sent the cookie at all.
    for site in ["cross-site", "same-site"] {
        let response = app
            .http
            .post(app.url("/api/auth/refresh"))
            .header("cookie", &cookie)
            .header("sec-fetch-site", site)
            .send()
            .await
            .unwrap();
        assert_invalid_token(response).await;
    }
    // A plain HTML form always sends a body type: then only the body counts, never the cookie.
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", ""),
        ("application/x-www-form-urlencoded", "refresh_token="),
    ] {
        let response = app
            .http
            .post(app.url("/api/auth/refresh"))
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_invalid_token(response).await;
    }
    // A form with a field that refresh does not take is refused before any token is looked at.
    let stray = app
        .http
        .post(app.url("/api/auth/refresh"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x=1")
        .send()
        .await
        .unwrap();
    assert_error(stray, 400, "bad_request").await;
    for content_type in ["text/plain", "multipart/form-data; boundary=x"] {
        let response = app
            .http
            .post(app.url("/api/auth/refresh"))
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body("--x--")
            .send()
            .await
            .unwrap();
        assert_error(response, 415, "unsupported_media_type").await;
    }
    // A GET is no refresh at all.
    let get = app
        .http
        .get(app.url("/api/auth/refresh"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_error(get, 405, "method_not_allowed").await;
    // None of these used up the cookie: the same-origin request still works.
    let same_origin = app
        .http
        .post(app.url("/api/auth/refresh"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_web_logout_ends_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let (access, cookie, _) = web_sign_in(&app).await;
    let response = call(
        &app,
        "logout",
        &Logout {
            scope: LogoutScope::Local,
        },
        Some(&access),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (cleared, set) = refresh_cookie(&response).expect("cleared");
    assert_eq!(cleared, "gatehouse_refresh=");
    assert!(set.contains("Max-Age=0") && set.contains("Path=/api/auth/refresh"));
    decode::<()>(response).await;
    assert_invalid_token(app.me(&access).await).await;
    assert_invalid_token(app.refresh_with_cookie(&cookie).await).await;
}
