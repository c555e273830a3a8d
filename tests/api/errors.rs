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
            .http
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
        .http
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
        let mut request = app.http.post(app.url("/api/auth/register")).body("{}");
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
        .http
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
    // Padded with JSON's own whitespace: a field the request does not take would be refused.
    let padded = |total: usize| {
        let body = "{\"email\":\"a@example.com\",\"password\":\"wrong password\"}";
        format!("{body}{}", " ".repeat(total - body.len()))
    };
    for path in ["/api/auth/register", "/api/auth/login"] {
        let response = app
            .http
            .post(app.url(path))
            .header("content-type", "application/json")
            .body(padded(16 * 1024 + 1))
            .send()
            .await
            .unwrap();
        assert_error(response, 413, "payload_too_large").await;
    }
    let at_limit = app
        .http
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
        .http
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
        app.http.post(app.url("/api/me")).send().await.unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
    assert_error(
        app.http
            .delete(app.url("/api/public"))
            .send()
            .await
            .unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
}

fn assert_safe_headers(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    assert!(
        headers.get("x-request-id").is_some_and(|v| !v.is_empty()),
        "{what}: no request id"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_safe_headers() {
    let app = spawn_app().await;
    let TestUser { token, email, .. } = app.signed_in_user().await;
    let responses = [
        ("JSON", app.get("/api/public").await),
        ("an API 404", app.get("/api/nope").await),
        ("an API 405", app.get("/api/auth/login").await),
        ("a 401", app.get("/api/me").await),
        ("a login", app.login(&email, GOOD_PASSWORD).await),
        ("/api/me", app.me(&token).await),
        ("/healthz", app.get("/healthz").await),
        ("a page", app.get("/login").await),
        ("a page 404", app.get("/no/such/page").await),
        ("a static file", app.get("/favicon.svg").await),
        ("a missing static file", app.get("/pkg/nothing.js").await),
        (
            "a server function",
            app.http
                .post(app.url("/rpc/me"))
                .header("content-type", "application/x-postcard")
                .send()
                .await
                .unwrap(),
        ),
    ];
    for (what, response) in &responses {
        assert_safe_headers(response, what);
    }
}

#[tokio::test]
async fn responses_that_carry_a_token_are_never_cached() {
    let app = spawn_app().await;
    let TestUser { email, token, .. } = app.signed_in_user().await;
    for response in [
        app.login(&email, GOOD_PASSWORD).await,
        app.me(&token).await,
        app.login(&email, "wrong password!").await,
    ] {
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
}

#[tokio::test]
async fn a_panic_is_the_contracts_500_with_the_safe_headers() {
    async fn boom() -> &'static str {
        panic!("a bug")
    }
    let router = gatehouse::layers(
        axum::Router::new().route("/boom", axum::routing::get(boom)),
        std::time::Duration::from_secs(5),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(gatehouse::serve(listener, router, std::future::pending()));
    let response = reqwest::get(format!("{base}/boom")).await.unwrap();
    assert_safe_headers(&response, "a panic");
    assert_error(response, 500, "internal").await;
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_a_503_in_the_contracts_shape() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(&[], |s| {
        s.request_timeout = std::time::Duration::from_millis(300)
    })
    .await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    // A body announced and never sent.
    stream
        .write_all(
            b"POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
              content-length: 50\r\n\r\n{",
        )
        .await
        .unwrap();
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("answered within the timeout")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).to_lowercase();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    assert!(answer.contains("\"unavailable\""), "{answer}");
    assert!(answer.contains("retry-after"), "{answer}");
    assert!(
        answer.contains("x-content-type-options: nosniff"),
        "{answer}"
    );
}
