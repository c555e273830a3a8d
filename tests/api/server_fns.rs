//! The web app's door (`#[server]` functions under `/rpc/`): the same service, the same codes, the
//! HTTP status and headers to match, and the token only ever from the Authorization header.
//!
//! The server functions speak postcard both ways (arguments, results and errors), as the WASM does:
//! these tests encode and decode with the app's own types.

use crate::helpers::*;
use app::domain::UserView;
use app::error::ApiError;
use app::error::ErrorCode;
use app::rpc::{CurrentUser, Login, Logout, Register, SignedIn};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

const POSTCARD: &str = "application/x-postcard";

pub async fn call_raw(app: &TestApp, name: &str, body: Vec<u8>, token: Option<&str>) -> Response {
    let mut request = app
        .http
        .post(app.url(&format!("/rpc/{name}")))
        .header(CONTENT_TYPE, POSTCARD)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Calls a server function as the browser does.
pub async fn call(
    app: &TestApp,
    name: &str,
    args: &impl Serialize,
    token: Option<&str>,
) -> Response {
    call_raw(app, name, postcard::to_allocvec(args).unwrap(), token).await
}

pub async fn decode<T: DeserializeOwned>(response: Response) -> T {
    let bytes = response.bytes().await.unwrap();
    postcard::from_bytes(&bytes).unwrap_or_else(|e| panic!("undecodable body {bytes:?}: {e}"))
}

pub fn register(name: &str, email: &str, password: &str) -> Register {
    Register {
        name: name.into(),
        email: email.into(),
        password: password.into(),
    }
}

pub fn login(email: &str, password: &str) -> Login {
    Login {
        email: email.into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn register_signs_in_and_me_reads_the_bearer_token() {
    let app = spawn_app().await;
    let email = unique_email();
    let response = call(
        &app,
        "register",
        &register("Web User", &email, GOOD_PASSWORD),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let signed_in: SignedIn = decode(response).await;
    assert_eq!(signed_in.user.email, email);

    let response = call(&app, "me", &CurrentUser {}, Some(&signed_in.access_token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let me: UserView = decode(response).await;
    assert_eq!(me.name, "Web User");
    assert_eq!(me.id, signed_in.user.id);
    assert_eq!(
        app.me(&signed_in.access_token).await.status(),
        StatusCode::OK,
        "one token for both doors"
    );

    let response = call(&app, "login", &login(&email, GOOD_PASSWORD), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let again: SignedIn = decode(response).await;
    assert_eq!(again.user, signed_in.user);
}

#[tokio::test]
async fn errors_carry_the_contract_codes_and_statuses() {
    let app = spawn_app_with(&[], throttle_after(2, 100)).await;
    let TestUser { email, token, .. } = app.signed_in_user().await;

    let wrong = call(&app, "login", &login(&email, "not the password"), None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        decode::<ApiError>(wrong).await.code,
        ErrorCode::InvalidCredentials
    );

    let taken = call(
        &app,
        "register",
        &register("B", &email, GOOD_PASSWORD),
        None,
    )
    .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert_eq!(decode::<ApiError>(taken).await.code, ErrorCode::EmailTaken);

    let weak = call(
        &app,
        "register",
        &register("B", &unique_email(), "password123"),
        None,
    )
    .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let weak: ApiError = decode(weak).await;
    assert_eq!(weak.code, ErrorCode::ValidationFailed);
    assert!(weak.fields.contains_key("password"), "{weak:?}");

    call(&app, "login", &login(&email, "not the password"), None).await;
    let limited = call(&app, "login", &login(&email, GOOD_PASSWORD), None).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        decode::<ApiError>(limited).await.code,
        ErrorCode::RateLimited
    );

    let missing = call(&app, "me", &CurrentUser {}, None).await;
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        decode::<ApiError>(missing).await.code,
        ErrorCode::MissingToken
    );

    assert_eq!(
        call(
            &app,
            "logout",
            &Logout {
                scope: app::domain::LogoutScope::Local
            },
            Some(&token)
        )
        .await
        .status(),
        StatusCode::OK
    );
    let revoked = call(&app, "me", &CurrentUser {}, Some(&token)).await;
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        revoked.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    assert_eq!(
        decode::<ApiError>(revoked).await.code,
        ErrorCode::InvalidToken
    );
}

#[tokio::test]
async fn arguments_that_do_not_decode_are_a_bad_request_not_a_5xx() {
    let app = spawn_app().await;
    for body in [
        Vec::new(),
        vec![0xff; 3],
        b"email=a%40b.com&password=x".to_vec(),
        // A string length far past the end of the body.
        vec![0xff, 0xff, 0xff, 0x0f, b'a'],
    ] {
        for name in ["register", "login"] {
            let response = call_raw(&app, name, body.clone(), None).await;
            assert_eq!(
                response.status(),
                StatusCode::BAD_REQUEST,
                "{name} {body:?}"
            );
            assert_eq!(
                decode::<ApiError>(response).await.code,
                ErrorCode::BadRequest
            );
        }
    }
}

#[tokio::test]
async fn a_token_outside_the_authorization_header_is_ignored() {
    let app = spawn_app().await;
    let TestUser { token, .. } = app.signed_in_user().await;
    // In the URL.
    let response = app
        .http
        .post(app.url(&format!("/rpc/me?access_token={token}")))
        .header(CONTENT_TYPE, POSTCARD)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        decode::<ApiError>(response).await.code,
        ErrorCode::MissingToken
    );
    // In a cookie, where a cross-site request would carry it.
    let response = app
        .http
        .post(app.url("/rpc/logout"))
        .header(CONTENT_TYPE, POSTCARD)
        .header("cookie", format!("token={token}; access_token={token}"))
        .body(
            postcard::to_allocvec(&Logout {
                scope: app::domain::LogoutScope::Local,
            })
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.me(&token).await.status(),
        StatusCode::OK,
        "not logged out"
    );
}

#[tokio::test]
async fn every_answer_is_kept_from_caches() {
    let app = spawn_app().await;
    let email = unique_email();
    let signed_in = call(
        &app,
        "register",
        &register("C", &email, GOOD_PASSWORD),
        None,
    )
    .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(signed_in.headers()["cache-control"], "no-store");
    let login = call(&app, "login", &login(&email, GOOD_PASSWORD), None).await;
    assert_eq!(login.headers()["cache-control"], "no-store");
    let failed = call(&app, "me", &CurrentUser {}, None).await;
    assert_eq!(failed.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn an_address_that_grows_when_lower_cased_is_a_validation_error() {
    let app = spawn_app().await;
    let grows = format!("{}@example.com", "\u{130}".repeat(240));
    let response = call(
        &app,
        "register",
        &register("D", &grows, GOOD_PASSWORD),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: ApiError = decode(response).await;
    assert_eq!(error.code, ErrorCode::ValidationFailed);
    assert!(error.fields.contains_key("email"), "{error:?}");
}
