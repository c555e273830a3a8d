//! The real binary: starting with no configuration, refusing bad configuration, restarting,
//! dying mid-write, and draining on SIGTERM.

use crate::helpers::{unique_email, GOOD_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CONTRACT_VARS: [&str; 6] = [
    "DATABASE_URL",
    "JWT_SECRET",
    "JWT_TTL_SECONDS",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "RUST_LOG",
];

fn command(dir: &Path, vars: &[(&str, &str)]) -> Command {
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
    for var in CONTRACT_VARS {
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

/// A running `gatehouse` process with its output collected.
struct Server {
    child: Child,
    base: String,
    output: Arc<Mutex<Vec<String>>>,
    client: reqwest::Client,
}

impl Server {
    async fn start(dir: &Path, vars: &[(&str, &str)]) -> Server {
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
        let server = Server {
            child,
            base: format!("http://{addr}"),
            output,
            client: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = server
                .client
                .get(format!("{}/healthz", server.base))
                .send()
                .await
            {
                if r.status() == StatusCode::OK {
                    return server;
                }
            }
            assert!(
                Instant::now() < deadline,
                "gatehouse did not become healthy: {:?}",
                server.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    async fn post(&self, path: &str, body: Value, token: Option<&str>) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    async fn register(&self, email: &str) -> reqwest::Response {
        self.post(
            "/api/auth/register",
            json!({"name": "N", "email": email, "password": GOOD_PASSWORD}),
            None,
        )
        .await
    }

    async fn login(&self, email: &str) -> reqwest::Response {
        self.post(
            "/api/auth/login",
            json!({"email": email, "password": GOOD_PASSWORD}),
            None,
        )
        .await
    }

    async fn token(&self, email: &str) -> String {
        let body: Value = self.login(email).await.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn me(&self, token: &str) -> StatusCode {
        self.client
            .get(format!("{}/api/me", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// SIGTERM, then the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
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

#[tokio::test]
async fn with_no_configuration_it_creates_its_database_and_a_private_key_and_restarts_keeping_everything(
) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    assert!(dir.path().join("data/gatehouse.db").exists());
    let key_file = dir.path().join("data/jwt-secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let key = std::fs::read(&key_file).unwrap();
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.contains("WARN") && l.contains("JWT_SECRET")),
        "{:?}",
        server.log()
    );

    let email = unique_email();
    assert_eq!(server.register(&email).await.status(), StatusCode::CREATED);
    let (kept, revoked) = (server.token(&email).await, server.token(&email).await);
    assert_eq!(
        server
            .post("/api/auth/logout", json!({}), Some(&revoked))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert!(server.terminate().success());

    let server = Server::start(dir.path(), &[]).await;
    assert_eq!(
        std::fs::read(&key_file).unwrap(),
        key,
        "the key is reused, not regenerated"
    );
    assert_eq!(
        server.me(&kept).await,
        StatusCode::OK,
        "a token from before the restart still works"
    );
    assert_eq!(
        server.me(&revoked).await,
        StatusCode::UNAUTHORIZED,
        "a revocation survives the restart"
    );
    assert_eq!(
        server.login(&email).await.status(),
        StatusCode::OK,
        "the user survives the restart"
    );
    assert_eq!(server.register(&email).await.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn nothing_in_the_log_is_a_password_hash_or_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("RUST_LOG", "trace")]).await;
    let email = unique_email();
    server.register(&email).await;
    let token = server.token(&email).await;
    server.me(&token).await;
    server
        .post("/api/auth/logout", json!({}), Some(&token))
        .await;
    server.login(&unique_email()).await;
    // The classic slip: a password typed into the email field.
    server
        .post(
            "/api/auth/login",
            json!({"email": GOOD_PASSWORD, "password": GOOD_PASSWORD}),
            None,
        )
        .await;
    let log = server.log().join("\n");
    assert!(log.contains("/api/auth/login"), "requests are logged");
    for secret in [
        GOOD_PASSWORD,
        &token,
        "$argon2id$",
        token.split('.').nth(2).unwrap(),
    ] {
        assert!(!log.contains(secret), "the log contains {secret}");
    }
    let key = std::fs::read_to_string(dir.path().join("data/jwt-secret")).unwrap();
    assert!(!log.contains(key.trim()));
}

#[tokio::test]
async fn each_bad_value_stops_the_start_with_one_line_naming_the_variable() {
    let cases = [
        ("JWT_SECRET", "too-short-secret"),
        ("JWT_TTL_SECONDS", "an hour"),
        ("JWT_TTL_SECONDS", "0"),
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
    server.register(&email).await;
    let body: Value = server.login(&email).await.json().await.unwrap();
    assert_eq!(body["expires_in"], 77);
    let token = body["access_token"].as_str().unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["iss"], "from-env");
}

#[tokio::test]
async fn kill_9_during_registrations_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]).await;
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for _ in 0..4 {
        let (client, base, acknowledged) = (
            server.client.clone(),
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

    let server = Server::start(dir.path(), &[]).await;
    for email in &acknowledged {
        assert_eq!(
            server.login(email).await.status(),
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
            let (client, url) = (
                server.client.clone(),
                format!("{}/api/auth/register", server.base),
            );
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
            server.register(email).await.status(),
            StatusCode::CONFLICT,
            "{email} is stored"
        );
    }
}
