//! The test harness: [`ApiClient`], the HTTP helpers every test uses, whether the server is the
//! router in this process ([`spawn_app`]: port 0, a fresh SQLite file) or the real binary
//! (`binary.rs`); [`TestUser`], a signed-in user; and the contract's error assertions.

use app::backend::auth::ThrottlePolicy;
use app::backend::{AppState, Config};
use leptos::config::LeptosOptions;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const TEST_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long!";
pub const GOOD_PASSWORD: &str = "correct horse battery staple";

/// A registered user who has logged in.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub email: String,
    pub id: String,
    pub token: String,
    /// The session's refresh token, from the login's body.
    pub refresh: String,
}

/// A login's or a refresh's tokens.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    /// `None` when the answer held none (a refresh within the grace window).
    pub refresh: Option<String>,
}

impl Tokens {
    pub async fn from(response: Response) -> Self {
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        Self {
            access: body["access_token"].as_str().expect("a token").to_owned(),
            refresh: body["refresh_token"].as_str().map(str::to_owned),
        }
    }
}

/// Requests to one Gatehouse, in the shapes the contract gives.
#[derive(Clone)]
pub struct ApiClient {
    pub base: String,
    pub http: reqwest::Client,
}

impl ApiClient {
    pub fn new(base: String) -> Self {
        Self {
            base,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn register(&self, name: &str, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/register",
            &json!({"name": name, "email": email, "password": password}),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// A login as if from `client` (through a trusted proxy's `X-Forwarded-For`).
    pub async fn login_from(&self, client: &str, email: &str, password: &str) -> Response {
        self.http
            .post(self.url("/api/auth/login"))
            .header("x-forwarded-for", client)
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("request")
    }

    pub async fn me(&self, token: &str) -> Response {
        self.http
            .get(self.url("/api/me"))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn logout(&self, token: &str) -> Response {
        self.http
            .post(self.url("/api/auth/logout"))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// `POST /api/auth/refresh` with the token in a JSON body.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json(
            "/api/auth/refresh",
            &json!({"refresh_token": refresh_token}),
        )
        .await
    }

    /// `POST /api/auth/refresh` with no body, sending `cookie` as the `Cookie` header.
    pub async fn refresh_with_cookie(&self, cookie: &str) -> Response {
        self.http
            .post(self.url("/api/auth/refresh"))
            .header("cookie", cookie)
            .send()
            .await
            .expect("request")
    }

    /// `POST /api/auth/logout` with `{"scope": scope}`.
    pub async fn logout_scope(&self, token: &str, scope: &str) -> Response {
        self.http
            .post(self.url("/api/auth/logout"))
            .bearer_auth(token)
            .json(&json!({ "scope": scope }))
            .send()
            .await
            .expect("request")
    }

    /// `GET /api/sessions`'s list.
    pub async fn sessions(&self, token: &str) -> Vec<Value> {
        let response = self
            .http
            .get(self.url("/api/sessions"))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["sessions"].as_array().expect("a list").clone()
    }

    pub async fn end_session(&self, token: &str, id: &str) -> Response {
        self.http
            .delete(self.url(&format!("/api/sessions/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// `method path` with a bearer token and a JSON body: the account routes of docs/api.md, "The account over email".
    pub async fn send_auth(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: &Value,
    ) -> Response {
        self.http
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn verify_email(&self, token: &str) -> Response {
        self.post_json("/api/auth/verify-email", &json!({ "token": token }))
            .await
    }

    pub async fn forgot(&self, email: &str) -> Response {
        self.post_json("/api/auth/password/forgot", &json!({ "email": email }))
            .await
    }

    pub async fn reset(&self, token: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/password/reset",
            &json!({ "token": token, "password": password }),
        )
        .await
    }

    /// Logs in with a good password and returns both tokens.
    pub async fn tokens(&self, email: &str, password: &str) -> Tokens {
        Tokens::from(self.login(email, password).await).await
    }

    /// Logs in with a good password and returns the access token.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let response = self.login(email, password).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {email}");
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().expect("a token").to_owned()
    }

    /// Registers a fresh user and logs in.
    pub async fn signed_in_user(&self) -> TestUser {
        let email = unique_email();
        assert_eq!(
            self.register("Test User", &email, GOOD_PASSWORD)
                .await
                .status(),
            StatusCode::CREATED
        );
        let body: Value = self
            .login(&email, GOOD_PASSWORD)
            .await
            .json()
            .await
            .unwrap();
        TestUser {
            email,
            id: body["user"]["id"].as_str().unwrap().to_owned(),
            token: body["access_token"].as_str().expect("a token").to_owned(),
            refresh: body["refresh_token"]
                .as_str()
                .expect("a refresh token")
                .to_owned(),
        }
    }
}

/// The real router, served from this process.
pub struct TestApp {
    pub api: ApiClient,
    pub state: AppState,
    /// Owns the database file: it lives as long as the app.
    dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    /// Stops the background work (the purge, the mail sender) when dropped.
    _background: tokio::sync::watch::Sender<bool>,
}

impl std::ops::Deref for TestApp {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

impl TestApp {
    /// Where mail goes as `.eml` files when `SMTP_URL` is unset.
    pub fn outbox_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data/outbox")
    }

    /// Runs one round of the background purge now.
    pub async fn purge(&self) -> app::backend::service::Purged {
        app::backend::service::purge_expired(&self.state)
            .await
            .expect("a purge")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[], |_| {}).await
}

/// Like [`spawn_app`], with extra configuration variables and a last change to the state. By
/// default the per-address sign-in limit is off (every test comes from 127.0.0.1) and 127.0.0.1
/// is a trusted proxy, so a test can speak for any client address with `X-Forwarded-For`.
pub async fn spawn_app_with(
    vars: &[(&str, &str)],
    customize: impl FnOnce(&mut AppState),
) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut env: HashMap<String, String> = HashMap::from([
        (
            "DATABASE_URL".into(),
            format!("sqlite://{}/gatehouse.db?mode=rwc", dir.path().display()),
        ),
        ("JWT_SECRET".into(), TEST_SECRET.into()),
        ("AUTH_RATE_PER_MINUTE".into(), "0".into()),
        ("TRUSTED_PROXIES".into(), "127.0.0.1".into()),
    ]);
    env.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::load(|name| env.get(name).cloned(), dir.path()).expect("config");
    let options = LeptosOptions::builder().output_name("gatehouse").build();
    let mut state = AppState::build(&config, options).await.expect("state");
    customize(&mut state);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let (background, stopped) = tokio::sync::watch::channel(false);
    gatehouse::background(&state, stopped);
    let router = gatehouse::router(state.clone());
    tokio::spawn(gatehouse::serve(listener, router, async {
        let _ = rx.await;
    }));
    TestApp {
        api: ApiClient::new(address),
        state,
        dir,
        shutdown: Some(tx),
        _background: background,
    }
}

/// A throttle that never locks, for tests that fail logins on purpose.
pub fn no_throttle(state: &mut AppState) {
    let mut policy = ThrottlePolicy::default();
    policy.per_client.max = u32::MAX;
    policy.per_account.max = u32::MAX;
    state.throttle = policy;
}

/// A throttle that locks an (account, address) after `per_client` failures and an account after
/// `per_account` failures from anywhere.
pub fn throttle_after(per_client: u32, per_account: u32) -> impl FnOnce(&mut AppState) {
    move |state| {
        state.throttle.per_client.max = per_client;
        state.throttle.per_account.max = per_account;
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// An email nobody else in this test run uses.
pub fn unique_email() -> String {
    format!(
        "user{}-{}@example.com",
        COUNTER.fetch_add(1, Ordering::Relaxed),
        uuid::Uuid::new_v4().simple()
    )
}

/// Asserts the contract's error shape and code, returning the body.
pub async fn assert_error(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status for {code}");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(
        body["error"].get("fields").is_some(),
        code == "validation_failed",
        "{body}"
    );
    body
}

/// Asserts a 401 `invalid_token` with its RFC 6750 header.
pub async fn assert_invalid_token(response: Response) {
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\""));
    assert_error(response, 401, "invalid_token").await;
}

/// The `Retry-After` of a response, in seconds.
pub fn retry_after(response: &Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}
