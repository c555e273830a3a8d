//! No input, however malformed, gets a 5xx, through either door (the JSON API and the server
//! functions), on SQLite and on Postgres; two registrations of one email make one account.

use crate::helpers::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::StatusCode;
use serde_json::Value;

/// Text that grows when lower-cased or normalised (`İ`, `ẞ`, ligatures, combining marks), long
/// enough to cross the columns' limits after it grows, sometimes shaped like an address.
fn growing_text() -> impl Strategy<Value = String> {
    let character = prop_oneof![
        2 => Just('\u{130}'),
        1 => Just('\u{1E9E}'),
        1 => Just('\u{301}'),
        4 => prop::char::range('a', 'z'),
    ];
    (prop::collection::vec(character, 0..250), any::<bool>()).prop_map(|(characters, address)| {
        let mut text: String = characters.into_iter().collect();
        if address {
            text.push_str("@example.com");
        }
        text
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["\\PC{0,40}", growing_text()]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_owned()),
                    Just("email".to_owned()),
                    Just("password".to_owned()),
                    Just("refresh_token".to_owned()),
                    Just("scope".to_owned()),
                    "\\PC{0,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        // A registration or login that parses, with an address that grows when normalised.
        (growing_text(), text()).prop_map(|(email, name)| serde_json::to_vec(
            &serde_json::json!({"name": name, "email": email, "password": GOOD_PASSWORD})
        )
        .unwrap()),
        "\\PC{0,300}".prop_map(String::into_bytes),
        // Form bodies with odd escapes.
        "([a-z%=&+]|%[0-9A-Fa-f]{2}|%[^0-9A-Fa-f]){0,100}".prop_map(String::into_bytes),
    ]
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(Some("application/json".to_owned())),
        Just(Some("application/x-www-form-urlencoded".to_owned())),
        Just(Some("application/json; charset=latin1".to_owned())),
        Just(Some("application/problem+json".to_owned())),
        Just(None),
        "[ -~]{0,40}".prop_map(Some),
    ]
}

fn path() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/auth/refresh",
        "/api/sessions",
        "/api/sessions/not-a-session",
        "/api/sessions/00000000-0000-0000-0000-000000000000",
        "/api/auth/verify-email",
        "/api/auth/verify-email/resend",
        "/api/auth/password/forgot",
        "/api/auth/password/reset",
        "/api/account",
        "/api/account/password",
        "/api/account/email",
        "/api/me",
        "/api/public",
        "/api/x",
        "/healthz",
    ])
}

/// A runner with a fixed seed: the same cases every run, so a failure can be reproduced.
fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// Sends one request and checks the contract: no 5xx, and a 4xx in the contract's shape (JSON
/// for the API; postcard, which `ApiError` decodes, for the server functions).
fn check_answer(
    runtime: &tokio::runtime::Runtime,
    request: reqwest::RequestBuilder,
    what: &str,
) -> Result<(), TestCaseError> {
    let (status, bytes) = runtime.block_on(async {
        let response = request.send().await.unwrap();
        (response.status(), response.bytes().await.unwrap())
    });
    let text = String::from_utf8_lossy(&bytes);
    prop_assert!(!status.is_server_error(), "{what} -> {status}: {text}");
    if what.contains("/rpc/nope") {
        // Not a server function: the site's own 404 page.
        prop_assert_eq!(status.as_u16(), 404, "{}", what);
        return Ok(());
    }
    if status.is_client_error() {
        if what.contains("/rpc/") {
            postcard::from_bytes::<app::error::ApiError>(&bytes).map_err(|e| {
                TestCaseError::fail(format!("{what} -> {status}, not an ApiError: {e}"))
            })?;
        } else {
            let body: Value = serde_json::from_slice(&bytes).map_err(|e| {
                TestCaseError::fail(format!("{what} -> {status} not JSON: {e}: {text}"))
            })?;
            prop_assert!(body["error"]["code"].is_string(), "{text}");
        }
    }
    Ok(())
}

/// `cases` junk requests to the JSON API and `/healthz`, some of them with a good token (so the
/// authenticated routes parse their junk too).
fn fuzz_api(runtime: &tokio::runtime::Runtime, app: &TestApp, cases: u32) {
    let method = prop::sample::select(vec![
        reqwest::Method::POST,
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ]);
    let user = runtime.block_on(app.signed_in_user());
    let good = Some(format!("Bearer {}", user.token));
    let authorization = prop_oneof![
        3 => prop::option::of("[ -~]{0,80}"),
        1 => Just(good),
    ];
    runner(cases)
        .run(
            &(method, path(), content_type(), body(), authorization),
            |(method, path, content_type, body, authorization)| {
                let mut request = app.http.request(method.clone(), app.url(path)).body(body);
                if let Some(content_type) = &content_type {
                    request = request.header("content-type", content_type.as_str());
                }
                if let Some(authorization) = &authorization {
                    request = request.header("authorization", authorization.as_str());
                }
                check_answer(
                    runtime,
                    request,
                    &format!("{method} {path} {content_type:?}"),
                )
            },
        )
        .unwrap();
}

/// `cases` junk calls of the server functions: random bytes, and well-formed postcard arguments
/// holding junk text.
fn fuzz_rpc(runtime: &tokio::runtime::Runtime, app: &TestApp, cases: u32) {
    let name = prop::sample::select(vec![
        "register",
        "login",
        "me",
        "logout",
        "sessions",
        "end-session",
        "verify-email",
        "resend-verification",
        "forgot-password",
        "reset-password",
        "rename",
        "change-password",
        "change-email",
        "delete-account",
        "nope",
    ]);
    let arguments = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        (text(), text(), text()).prop_map(|args| postcard::to_allocvec(&args).unwrap()),
        (text(), text()).prop_map(|args| postcard::to_allocvec(&args).unwrap()),
    ];
    let content_type = prop_oneof![Just("application/x-postcard".to_owned()), "[ -~]{0,30}",];
    runner(cases)
        .run(
            &(name, arguments, content_type),
            |(name, arguments, content_type)| {
                let request = app
                    .http
                    .post(app.url(&format!("/rpc/{name}")))
                    .header("content-type", content_type.as_str())
                    .body(arguments);
                check_answer(
                    runtime,
                    request,
                    &format!("POST /rpc/{name} {content_type:?}"),
                )
            },
        )
        .unwrap();
}

/// `cases` registrations through both doors whose name and address are text that grows when
/// normalised: the columns' limits must be checked on what is stored.
fn fuzz_sign_ups(runtime: &tokio::runtime::Runtime, app: &TestApp, cases: u32) {
    runner(cases)
        .run(&(text(), growing_text()), |(name, email)| {
            let json = app.http.post(app.url("/api/auth/register")).json(
                &serde_json::json!({"name": name, "email": email, "password": GOOD_PASSWORD}),
            );
            check_answer(runtime, json, "POST /api/auth/register")?;
            let rpc = app
                .http
                .post(app.url("/rpc/register"))
                .header("content-type", "application/x-postcard")
                .body(postcard::to_allocvec(&(&name, &email, GOOD_PASSWORD)).unwrap());
            check_answer(runtime, rpc, "POST /rpc/register")
        })
        .unwrap();
}

#[test]
fn junk_requests_never_get_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app_with(&[], no_throttle));
    fuzz_api(&runtime, &app, 400);
}

#[test]
fn junk_calls_of_the_server_functions_never_get_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app_with(&[], no_throttle));
    fuzz_rpc(&runtime, &app, 300);
}

#[test]
fn junk_requests_never_get_a_5xx_on_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(database) = runtime.block_on(crate::postgres::fresh_database()) else {
        return;
    };
    let app = runtime.block_on(spawn_app_with(
        &[("DATABASE_URL", &database.url)],
        no_throttle,
    ));
    fuzz_api(&runtime, &app, 250);
    fuzz_rpc(&runtime, &app, 250);
    fuzz_sign_ups(&runtime, &app, 60);
    drop(app);
    runtime.block_on(database.drop());
}

#[tokio::test]
async fn concurrent_registrations_of_one_email_make_exactly_one_account() {
    let app = spawn_app().await;
    let email = unique_email();
    let names: Vec<String> = (0..8).map(|i| format!("Racer {i}")).collect();
    let attempts = names
        .iter()
        .map(|name| app.register(name, &email, GOOD_PASSWORD));
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );

    use sea_orm::{EntityTrait, PaginatorTrait};
    let count = app::backend::users::entity::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}
