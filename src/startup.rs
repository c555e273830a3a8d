//! Start-up: configuration, database, router, and serving until SIGTERM with in-flight requests
//! drained.

use crate::{api, telemetry};
use app::server::{service, AppError, AppState, Config, ConfigError};
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// The runtime Leptos configuration (see the README); `LEPTOS_*` variables override it.
pub const LEPTOS_CONFIG: &str = "Leptos.toml";
/// How often expired revocations and stale throttle rows are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);

/// Reads everything, serves until SIGTERM or Ctrl-C. Every error names what to fix.
pub async fn run() -> Result<(), ConfigError> {
    let config = Config::from_env()?;
    telemetry::init(telemetry::filter(&config.log_filter)?);
    if let Some(file) = &config.secret_file {
        let action = if file.created {
            "generated a new key in"
        } else {
            "using the key in"
        };
        tracing::warn!("JWT_SECRET is not set: {action} {}", file.path.display());
    }
    let leptos_options = leptos_options()?;
    let addr = leptos_options.site_addr;
    let state = AppState::build(&config, leptos_options).await?;
    let listener = TcpListener::bind(addr).await.map_err(|e| {
        ConfigError::new("LEPTOS_SITE_ADDR", format!("cannot listen on {addr}: {e}"))
    })?;
    tracing::info!("listening on http://{addr}");

    tokio::spawn(purge_periodically(state.clone()));
    serve(listener, router(state), shutdown_signal())
        .await
        .map_err(|e| ConfigError::new("LEPTOS_SITE_ADDR", format!("server error: {e}")))?;
    tracing::info!("stopped");
    Ok(())
}

/// Reads `Leptos.toml` from the working directory (the repository root).
pub fn leptos_options() -> Result<LeptosOptions, ConfigError> {
    if let Ok(addr) = std::env::var("LEPTOS_SITE_ADDR") {
        addr.parse::<SocketAddr>().map_err(|_| {
            ConfigError::new(
                "LEPTOS_SITE_ADDR",
                format!("`{addr}` is not an address like 127.0.0.1:3000"),
            )
        })?;
    }
    leptos::config::get_configuration(Some(LEPTOS_CONFIG))
        .map(|conf| conf.leptos_options)
        .map_err(|e| {
            ConfigError::new(
                LEPTOS_CONFIG,
                format!("{e} (run gatehouse from the repository root)"),
            )
        })
}

/// The whole application: `/healthz`, the JSON API under `/api`, and the Leptos pages.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let leptos_options = state.leptos_options.clone();
    let app = Router::new()
        .route("/healthz", get(api::healthz))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .nest("/api", api::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(DefaultBodyLimit::max(api::MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(CatchPanicLayer::custom(|_| panic_response()))
        .with_state(state);
    telemetry::layer(app)
}

/// A panic is a bug; the client still gets the contract's JSON, not a dropped connection.
fn panic_response() -> Response {
    AppError::internal("a request handler panicked").into_response()
}

/// Serves until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

async fn purge_periodically(state: AppState) {
    let mut every = tokio::time::interval(PURGE_EVERY);
    loop {
        every.tick().await;
        match service::purge_expired(&state.db, &state.throttle).await {
            Ok((revocations, throttles)) => {
                tracing::debug!(revocations, throttles, "purged expired rows")
            }
            Err(e) => tracing::warn!(error = %e, "purging expired rows failed"),
        }
    }
}
