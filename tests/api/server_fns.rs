//! The web app's door (`#[server]` functions under `/rpc/`): the same service, the same codes, the
//! HTTP status and headers to match, and the token only ever from the Authorization header.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn call(
    app: &TestApp,
    name: &str,
    form: &[(&str, &str)],
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = app.client.post(app.url(&format!("/rpc/{name}"))).form(form);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn register_signs_in_and_me_reads_the_bearer_token() {
    let app = spawn_app().await;
    let email = unique_email();
    let response = call(
        &app,
        "register",
        &[
            ("name", "Web User"),
            ("email", &email),
            ("password", GOOD_PASSWORD),
        ],
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(body["user"]["email"], email.as_str());

    let me: Value = call(&app, "me", &[], Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Web User");
    assert_eq!(
        app.me(token).await.status(),
        StatusCode::OK,
        "one token for both doors"
    );
}

#[tokio::test]
async fn errors_carry_the_contract_codes_and_statuses() {
    let app = spawn_app_with(&[], |s| s.throttle.max_failures = 2).await;
    let (email, token, _) = app.signed_in_user().await;

    let wrong = call(
        &app,
        "login",
        &[("email", &email), ("password", "not the password")],
        None,
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["code"],
        "invalid_credentials"
    );

    let taken = call(
        &app,
        "register",
        &[
            ("name", "B"),
            ("email", &email),
            ("password", GOOD_PASSWORD),
        ],
        None,
    )
    .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert_eq!(taken.json::<Value>().await.unwrap()["code"], "email_taken");

    let weak = call(
        &app,
        "register",
        &[
            ("name", "B"),
            ("email", &unique_email()),
            ("password", "password123"),
        ],
        None,
    )
    .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let weak: Value = weak.json().await.unwrap();
    assert_eq!(weak["code"], "validation_failed");
    assert!(weak["fields"]["password"].is_string(), "{weak}");

    call(
        &app,
        "login",
        &[("email", &email), ("password", "not the password")],
        None,
    )
    .await;
    let limited = call(
        &app,
        "login",
        &[("email", &email), ("password", GOOD_PASSWORD)],
        None,
    )
    .await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        limited.json::<Value>().await.unwrap()["code"],
        "rate_limited"
    );

    let missing = call(&app, "me", &[], None).await;
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["code"],
        "missing_token"
    );

    assert_eq!(
        call(&app, "logout", &[], Some(&token)).await.status(),
        StatusCode::OK
    );
    let revoked = call(&app, "me", &[], Some(&token)).await;
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        revoked.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    assert_eq!(
        revoked.json::<Value>().await.unwrap()["code"],
        "invalid_token"
    );
}

#[tokio::test]
async fn a_token_passed_as_an_argument_is_ignored() {
    let app = spawn_app().await;
    let (_, token, _) = app.signed_in_user().await;
    let response = call(
        &app,
        "me",
        &[("token", &token), ("access_token", &token)],
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = app
        .client
        .post(app.url(&format!("/rpc/me?access_token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
