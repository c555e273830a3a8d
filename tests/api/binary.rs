//! The real binary: starting with no configuration, refusing bad configuration, restarting,
//! dying mid-write, draining on SIGTERM (with a deadline), and several instances starting at once.

use crate::helpers::{unique_email, ApiClient, Tokens, GOOD_PASSWORD};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn command(dir: &Path, vars: &[(&str, &str)]) -> Command {
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/Leptos.toml"),
        dir.join("Leptos.toml"),
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    command
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in app::backend::config::VARIABLES {
        command.env_remove(var);
    }
    command.env_remove("LEPTOS_SITE_ADDR");
    for (name, value) in vars {
        command.env(name, value);
    }
    command
}

fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// A running `gatehouse` process with its output collected; its requests go through the same
/// [`ApiClient`] as the in-process tests.
pub struct Server {
    child: Child,
    api: ApiClient,
    addr: String,
    output: Arc<Mutex<Vec<String>>>,
}

impl std::ops::Deref for Server {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

impl Server {
    /// Spawns the binary in `dir`; [`Server::healthy`] waits for it.
    pub fn spawn(dir: &Path, vars: &[(&str, &str)]) -> Server {
        let addr = free_addr();
        let mut vars = vars.to_vec();
        vars.push(("LEPTOS_SITE_ADDR", &addr));
        let mut child = command(dir, &vars).spawn().expect("start gatehouse");
        let output = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    output.lock().unwrap().push(line);
                }
            });
        }
        Server {
            child,
            api: ApiClient::new(format!("http://{addr}")),
            addr,
            output,
        }
    }

    pub async fn start(dir: &Path, vars: &[(&str, &str)]) -> Server {
        let server = Self::spawn(dir, vars);
        server.healthy().await;
        server
    }

    /// `count` binaries, each in a folder of its own (returned with them: it must outlive them),
    /// spawned back to back so that they start at the same moment, then waited for.
    pub async fn start_together(
        count: usize,
        vars: &[(&str, &str)],
    ) -> (Vec<tempfile::TempDir>, Vec<Server>) {
        let dirs: Vec<tempfile::TempDir> =
            (0..count).map(|_| tempfile::tempdir().unwrap()).collect();
        let servers: Vec<Server> = dirs.iter().map(|d| Self::spawn(d.path(), vars)).collect();
        for server in &servers {
            server.healthy().await;
        }
        (dirs, servers)
    }

    /// Waits until `/healthz` answers 200, failing the test after 30 s or if the process exits.
    pub async fn healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = self.http.get(self.url("/healthz")).send().await {
                if r.status() == StatusCode::OK {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "gatehouse did not become healthy: {:?}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL, and waits for the process to be gone.
    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn log(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        wait_with_timeout(&mut self.child, Duration::from_secs(20))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_with_timeout(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the process did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The HMAC key the server generated into its SQLite database.
async fn stored_key(dir: &Path) -> String {
    let db = Database::connect(format!(
        "sqlite://{}/data/gatehouse.db?mode=ro",
        dir.display()
    ))
    .await
    .unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT secret FROM signing_keys",
        ))
        .await
        .unwrap()
        .expect("a key in the database");
    let key: String = row.try_get("", "secret").unwrap();
    db.close().await.unwrap();
    key
}

/// Signs `claims` with HS256 and `key`, as an independent library would.
fn sign_with(key: &str, claims: &Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.typ = Some("JWT".into());
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn claims_of(token: &str) -> Value {
    use base64::Engine;
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn with_no_configuration_it_creates_its_database_and_a_key_in_it_and_restarts_keeping_everything(
) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    assert!(dir.path().join("data/gatehouse.db").exists());
    assert!(
        !dir.path().join("data/jwt-secret").exists(),
        "the key lives in the database, not in a file"
    );
    let key = stored_key(dir.path()).await;
    assert!(key.len() >= 32);
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.contains("WARN") && l.contains("JWT_SECRET")),
        "{:?}",
        server.log()
    );

    let email = unique_email();
    assert_eq!(
        server.register("N", &email, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED
    );
    let kept = server.token(&email, GOOD_PASSWORD).await;
    let revoked = server.token(&email, GOOD_PASSWORD).await;
    // Tokens are signed with the stored key: one made with it here is accepted.
    let mut claims = claims_of(&kept);
    claims["jti"] = json!(uuid::Uuid::new_v4());
    assert_eq!(
        server.me(&sign_with(&key, &claims)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        server.logout(&revoked).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(server.terminate().success());

    let server = Server::start(dir.path(), &[]).await;
    assert_eq!(
        stored_key(dir.path()).await,
        key,
        "the key is kept, not regenerated"
    );
    assert_eq!(
        server.me(&kept).await.status(),
        StatusCode::OK,
        "a token from before the restart still works"
    );
    assert_eq!(
        server.me(&revoked).await.status(),
        StatusCode::UNAUTHORIZED,
        "a revocation survives the restart"
    );
    assert_eq!(
        server.login(&email, GOOD_PASSWORD).await.status(),
        StatusCode::OK,
        "the user survives the restart"
    );
    assert_eq!(
        server.register("N", &email, GOOD_PASSWORD).await.status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn a_key_in_an_older_versions_key_file_is_taken_over_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let old_key = "an-old-generated-key-from-data-jwt-secret";
    std::fs::write(dir.path().join("data/jwt-secret"), old_key).unwrap();
    // A token the older version issued with that key is still good after the upgrade.
    let server = Server::start(dir.path(), &[]).await;
    let email = unique_email();
    server.register("N", &email, GOOD_PASSWORD).await;
    let token = server.token(&email, GOOD_PASSWORD).await;
    let mut claims = claims_of(&token);
    claims["jti"] = json!(uuid::Uuid::new_v4());
    let from_before = sign_with(old_key, &claims);
    assert_eq!(server.me(&from_before).await.status(), StatusCode::OK);
    assert_eq!(stored_key(dir.path()).await, old_key);
    assert!(
        !dir.path().join("data/jwt-secret").exists(),
        "the file is gone once its key is in the database"
    );
    drop(server);

    let server = Server::start(dir.path(), &[]).await;
    assert_eq!(server.me(&from_before).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_empty_key_file_or_an_empty_jwt_secret_counts_as_none() {
    // What a crash between creating and writing the old key file left behind.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/jwt-secret"), "").unwrap();
    let server = Server::start(dir.path(), &[("JWT_SECRET", "")]).await;
    let email = unique_email();
    server.register("N", &email, GOOD_PASSWORD).await;
    let token = server.token(&email, GOOD_PASSWORD).await;
    assert_eq!(server.me(&token).await.status(), StatusCode::OK);
    assert!(stored_key(dir.path()).await.len() >= 32);
}

#[tokio::test]
async fn nothing_in_the_log_is_a_password_hash_or_token_refresh_tokens_included() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("RUST_LOG", "trace")]).await;
    let email = unique_email();
    server.register("N", &email, GOOD_PASSWORD).await;
    let first = server.tokens(&email, GOOD_PASSWORD).await;
    let first_refresh = first.refresh.unwrap();
    let rotated = Tokens::from(server.refresh(&first_refresh).await).await;
    let rotated_refresh = rotated.refresh.unwrap();
    // The grace window, then a cookie refresh, and a refused one.
    server.refresh(&first_refresh).await;
    let by_cookie = server
        .refresh_with_cookie(&format!("gatehouse_refresh={rotated_refresh}"))
        .await;
    assert_eq!(by_cookie.status(), StatusCode::OK);
    let cookie = by_cookie.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let cookie_token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("gatehouse_refresh=")
        .to_owned();
    server.refresh(&"A".repeat(43)).await;
    let token = server.token(&email, GOOD_PASSWORD).await;
    server.me(&token).await;
    server.logout(&token).await;
    server.login(&unique_email(), GOOD_PASSWORD).await;
    // The classic slip: a password typed into the email field.
    server.login(GOOD_PASSWORD, GOOD_PASSWORD).await;
    let log = server.log().join("\n");
    assert!(log.contains("/api/auth/login"), "requests are logged");
    assert!(log.contains("/api/auth/refresh"), "refreshes are logged");
    for secret in [
        GOOD_PASSWORD,
        &token,
        "$argon2id$",
        token.split('.').nth(2).unwrap(),
        &first.access,
        &rotated.access,
        &first_refresh,
        &rotated_refresh,
        &cookie_token,
    ] {
        assert!(!log.contains(secret), "the log contains {secret}");
    }
    let key = stored_key(dir.path()).await;
    assert!(!log.contains(&key), "the log contains the signing key");
}

#[tokio::test]
async fn each_bad_value_stops_the_start_with_one_line_naming_the_variable() {
    let cases = [
        ("JWT_SECRET", "too-short-secret"),
        ("JWT_TTL_SECONDS", "an hour"),
        ("JWT_TTL_SECONDS", "0"),
        ("JWT_ALGORITHM", "RS256"),
        ("KEY_PUBLISH_SECONDS", "soon"),
        ("AUTH_RATE_PER_MINUTE", "lots"),
        ("TRUSTED_PROXIES", "10.0.0.0/99"),
        ("DATABASE_URL", "mysql://localhost/gatehouse"),
        ("DATABASE_URL", "postgres://nobody@127.0.0.1:1/nothing"),
        ("DATABASE_URL", "sqlite:///proc/no-such-dir/x.db?mode=rwc"),
        ("RUST_LOG", "gatehouse=notalevel"),
        ("LEPTOS_SITE_ADDR", "not-an-address"),
    ];
    for (name, value) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut command = command(dir.path(), &[(name, value)]);
        if name != "LEPTOS_SITE_ADDR" {
            command.env("LEPTOS_SITE_ADDR", free_addr());
        }
        let mut child = command.spawn().unwrap();
        let status = wait_with_timeout(&mut child, Duration::from_secs(30));
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(!status.success(), "{name}={value} must stop the start");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}={value}: {stderr}");
        assert!(lines[0].contains(name), "{name}={value}: {stderr}");
        if name == "JWT_SECRET" {
            assert!(!stderr.contains(value), "the secret is echoed: {stderr}");
        }
    }
}

#[tokio::test]
async fn a_dotenv_file_is_read_and_the_real_environment_wins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "JWT_TTL_SECONDS=77\nJWT_ISSUER=from-dotenv\n",
    )
    .unwrap();
    let server = Server::start(dir.path(), &[("JWT_ISSUER", "from-env")]).await;
    let email = unique_email();
    server.register("N", &email, GOOD_PASSWORD).await;
    let body: Value = server
        .login(&email, GOOD_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["expires_in"], 77);
    let claims = claims_of(body["access_token"].as_str().unwrap());
    assert_eq!(claims["iss"], "from-env");
}

#[tokio::test]
async fn kill_9_during_registrations_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    // Every writer comes from 127.0.0.1: the per-address sign-in limit is not what this tests.
    let unlimited = [("AUTH_RATE_PER_MINUTE", "0")];
    let server = Server::start(dir.path(), &unlimited).await;
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for _ in 0..4 {
        let (client, base, acknowledged) = (
            server.http.clone(),
            server.base.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            loop {
                let email = unique_email();
                let body = json!({"name": "N", "email": email, "password": GOOD_PASSWORD});
                match client
                    .post(format!("{base}/api/auth/register"))
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        acknowledged.lock().unwrap().push(email)
                    }
                    Ok(r) => panic!("unexpected {}", r.status()),
                    Err(_) => return, // the server died under us
                }
            }
        }));
    }
    while acknowledged.lock().unwrap().len() < 12 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut server = server;
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    drop(server);
    let acknowledged = acknowledged.lock().unwrap().clone();

    let server = Server::start(dir.path(), &unlimited).await;
    for email in &acknowledged {
        assert_eq!(
            server.login(email, GOOD_PASSWORD).await.status(),
            StatusCode::OK,
            "{email} was acknowledged but is gone"
        );
    }
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let emails: Vec<String> = (0..6).map(|_| unique_email()).collect();
    let in_flight: Vec<_> = emails
        .iter()
        .map(|email| {
            let (client, url) = (server.http.clone(), server.url("/api/auth/register"));
            let body = json!({"name": "N", "email": email, "password": GOOD_PASSWORD});
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status())
            })
        })
        .collect();
    // Six argon2 hashes take far longer than this; the requests are being handled when TERM lands.
    tokio::time::sleep(Duration::from_millis(60)).await;
    let status = tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap();
    for request in in_flight {
        assert_eq!(
            request.await.unwrap().expect("answered, not cut off"),
            StatusCode::CREATED
        );
    }
    assert!(status.success(), "{status:?}");

    let server = Server::start(dir.path(), &[]).await;
    for email in &emails {
        assert_eq!(
            server.register("N", email, GOOD_PASSWORD).await.status(),
            StatusCode::CONFLICT,
            "{email} is stored"
        );
    }
}

#[tokio::test]
async fn sigterm_stops_within_the_drain_deadline_even_if_a_request_hangs() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    // A client that announces a body and never sends it: its request stays in flight.
    let mut stalled = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    stalled
        .write_all(
            b"POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
              content-length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let status = tokio::task::spawn_blocking(move || server.terminate())
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(status.success(), "{status:?}");
    let deadline = gatehouse::startup::DRAIN_DEADLINE;
    assert!(
        took >= deadline && took < deadline + Duration::from_secs(4),
        "stopped after {took:?}: the drain should wait for the request, up to {deadline:?}"
    );
    drop(stalled);
}
