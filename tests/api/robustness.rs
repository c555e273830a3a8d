//! No input, however malformed, gets a 5xx; two registrations of one email make one account.

use crate::helpers::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::StatusCode;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_owned()),
                    Just("email".to_owned()),
                    Just("password".to_owned()),
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
        "/api/me",
        "/api/public",
        "/api/x",
        "/healthz",
    ])
}

#[test]
fn junk_requests_never_get_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app_with(&[], no_throttle));
    let config = Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    };
    // A fixed seed: the same cases every run, so a failure can be reproduced.
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let method = prop::sample::select(vec![
        reqwest::Method::POST,
        reqwest::Method::GET,
        reqwest::Method::PUT,
    ]);
    let authorization = prop::option::of("[ -~]{0,80}");
    runner
        .run(
            &(method, path(), content_type(), body(), authorization),
            |(method, path, content_type, body, authorization)| {
                let response = runtime.block_on(async {
                    let mut request = app
                        .client
                        .request(method.clone(), app.url(path))
                        .body(body.clone());
                    if let Some(content_type) = &content_type {
                        request = request.header("content-type", content_type.as_str());
                    }
                    if let Some(authorization) = &authorization {
                        request = request.header("authorization", authorization.as_str());
                    }
                    let response = request.send().await.unwrap();
                    let status = response.status();
                    let text = response.text().await.unwrap();
                    (status, text)
                });
                let (status, text) = response;
                prop_assert!(
                    !status.is_server_error(),
                    "{method} {path} {content_type:?} -> {status}: {text}"
                );
                if status.is_client_error() {
                    let body: Value = serde_json::from_str(&text).map_err(|e| {
                        TestCaseError::fail(format!("{status} not JSON: {e}: {text}"))
                    })?;
                    prop_assert!(body["error"]["code"].is_string(), "{text}");
                }
                Ok(())
            },
        )
        .unwrap();
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
    let count = app::server::users::entity::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
}
