//! Bad requests get the contract's codes: 400, 413, 415, and JSON 404/405 under `/api/`.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn malformed_json_is_400_bad_request() {
    let app = spawn_app().await;
    for (path, body) in [
        ("/api/auth/register", "{\"name\": "),
        ("/api/auth/register", "not json"),
        ("/api/auth/login", "[1,2,3]"),
        ("/api/auth/login", "{\"email\": 5, \"password\": \"x\"}"),
        ("/api/auth/login", "null"),
        ("/api/auth/login", ""),
    ] {
        let response = app
            .client
            .post(app.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_error(response, 400, "bad_request").await;
    }
}

#[tokio::test]
async fn an_error_message_never_echoes_the_body() {
    let app = spawn_app().await;
    let body = "{\"email\": \"a@example.com\", \"password\": 12345678901234}";
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let error = assert_error(response, 400, "bad_request").await;
    assert!(!error.to_string().contains("12345678901234"), "{error}");
}

#[tokio::test]
async fn other_media_types_are_415() {
    let app = spawn_app().await;
    for content_type in [
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
        Some("application/xml"),
        Some("garbage"),
        None,
    ] {
        let mut request = app.client.post(app.url("/api/auth/register")).body("{}");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        assert_error(request.send().await.unwrap(), 415, "unsupported_media_type").await;
    }
}

#[tokio::test]
async fn json_with_a_charset_is_still_json() {
    let app = spawn_app().await;
    let body = serde_json::json!({"name": "A", "email": unique_email(), "password": GOOD_PASSWORD})
        .to_string();
    let response = app
        .client
        .post(app.url("/api/auth/register"))
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn bodies_over_16_kib_are_413_and_16_kib_is_accepted() {
    let app = spawn_app().await;
    let padded = |total: usize| {
        let head = "{\"email\":\"a@example.com\",\"password\":\"wrong password\",\"pad\":\"";
        let tail = "\"}";
        format!(
            "{head}{}{tail}",
            "x".repeat(total - head.len() - tail.len())
        )
    };
    for path in ["/api/auth/register", "/api/auth/login"] {
        let response = app
            .client
            .post(app.url(path))
            .header("content-type", "application/json")
            .body(padded(16 * 1024 + 1))
            .send()
            .await
            .unwrap();
        assert_error(response, 413, "payload_too_large").await;
    }
    let at_limit = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body(padded(16 * 1024))
        .send()
        .await
        .unwrap();
    assert_error(at_limit, 401, "invalid_credentials").await;

    // Without a Content-Length (chunked), the limit still holds.
    let stream = futures::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])));
    let chunked = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_error(chunked, 413, "payload_too_large").await;
}

#[tokio::test]
async fn unknown_api_paths_are_404_json() {
    let app = spawn_app().await;
    for path in [
        "/api/nope",
        "/api/auth",
        "/api/auth/nope/deeper",
        "/api/me/extra",
    ] {
        assert_error(app.get(path).await, 404, "not_found").await;
    }
}

#[tokio::test]
async fn wrong_methods_are_405_json() {
    let app = spawn_app().await;
    assert_error(app.get("/api/auth/login").await, 405, "method_not_allowed").await;
    assert_error(
        app.get("/api/auth/register").await,
        405,
        "method_not_allowed",
    )
    .await;
    assert_error(app.get("/api/auth/logout").await, 405, "method_not_allowed").await;
    assert_error(
        app.client.post(app.url("/api/me")).send().await.unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
    assert_error(
        app.client
            .delete(app.url("/api/public"))
            .send()
            .await
            .unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_safe_headers() {
    let app = spawn_app().await;
    let response = app.get("/api/public").await;
    assert!(response
        .headers()
        .get("x-request-id")
        .is_some_and(|v| !v.is_empty()));
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
}
