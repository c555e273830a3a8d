//! `resource-server`: serves `GET /hello` to whoever holds a good Gatehouse token. Configuration
//! from the environment: `GATEHOUSE_URL` (default `http://127.0.0.1:3000`), `JWT_ISSUER` and
//! `JWT_AUDIENCE` (default `gatehouse`, as Gatehouse's), `LISTEN_ADDR` (default `127.0.0.1:4000`).

use resource_server::{Settings, Verifier};
use std::process::ExitCode;
use std::sync::Arc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .init();
    let var = |name: &str, default: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    let gatehouse = var("GATEHOUSE_URL", "http://127.0.0.1:3000");
    let settings = Settings::new(
        format!("{}/.well-known/jwks.json", gatehouse.trim_end_matches('/')),
        var("JWT_ISSUER", "gatehouse"),
        var("JWT_AUDIENCE", "gatehouse"),
    );
    let addr = var("LISTEN_ADDR", "127.0.0.1:4000");
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("resource-server: LISTEN_ADDR: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let verifier = Arc::new(Verifier::new(settings));
    // The keys are fetched now if Gatehouse answers, else at the first request.
    if let Err(e) = verifier.jwks().refresh().await {
        tracing::warn!(error = %e, "Gatehouse's JWKS is not reachable yet; will try again on the first request");
    }
    tracing::info!("listening on http://{addr}, trusting {gatehouse}");
    match axum::serve(listener, resource_server::router(verifier)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("resource-server: {e}");
            ExitCode::FAILURE
        }
    }
}
