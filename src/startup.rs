//! Start-up: configuration, database, router, and serving until SIGTERM with in-flight requests
//! drained.

use crate::{api, telemetry};
use app::backend::{service, AppError, AppState, Config, StartupError};
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::util::MapResponseLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// The runtime Leptos configuration (see the README); `LEPTOS_*` variables override it.
pub const LEPTOS_CONFIG: &str = "Leptos.toml";
/// How often expired revocations, stale login counters and idle client addresses are dropped.
const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);
/// After SIGTERM, how long requests in flight may take to finish before the process stops anyway.
pub const DRAIN_DEADLINE: Duration = Duration::from_secs(5);
/// Then, how long the background work may take to finish its step (a mail being sent, a reset
/// request being resolved). A step cut off loses nothing: its lease runs out and another
/// instance, or the next start, takes it again.
pub const BACKGROUND_DRAIN_DEADLINE: Duration = Duration::from_secs(10);

/// Reads everything, serves until SIGTERM or Ctrl-C. Every error names what to fix.
///
/// # Errors
/// A [`StartupError`] for a bad configuration value, a database that cannot be opened or
/// migrated, or an address that cannot be bound.
pub async fn run() -> Result<(), StartupError> {
    let config = Config::from_env()?;
    telemetry::init(telemetry::filter(&config.log_filter)?);
    let leptos_options = leptos_options()?;
    let addr = leptos_options.site_addr;
    let state = AppState::build(&config, leptos_options).await?;
    let listener = TcpListener::bind(addr).await.map_err(|e| {
        StartupError::new("LEPTOS_SITE_ADDR", format!("cannot listen on {addr}: {e}"))
    })?;
    tracing::info!("listening on http://{addr}");

    // One signal stops both the server (after draining) and the background purge.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let background = background(&state, stopped);
    let shutdown = async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    };
    serve(listener, router(state), shutdown)
        .await
        .map_err(|e| StartupError::new("LEPTOS_SITE_ADDR", format!("server error: {e}")))?;
    drain(background).await;
    tracing::info!("stopped");
    Ok(())
}

/// Reads `Leptos.toml` from the working directory (the repository root).
///
/// # Errors
/// A [`StartupError`] when the file cannot be read or `LEPTOS_SITE_ADDR` is not an address.
pub fn leptos_options() -> Result<LeptosOptions, StartupError> {
    if let Ok(addr) = std::env::var("LEPTOS_SITE_ADDR") {
        addr.parse::<SocketAddr>().map_err(|_| {
            StartupError::new(
                "LEPTOS_SITE_ADDR",
                format!("`{addr}` is not an address like 127.0.0.1:3000"),
            )
        })?;
    }
    leptos::config::get_configuration(Some(LEPTOS_CONFIG))
        .map(|conf| conf.leptos_options)
        .map_err(|e| {
            StartupError::new(
                LEPTOS_CONFIG,
                format!("{e} (run gatehouse from the repository root)"),
            )
        })
}

/// The whole application: `/healthz`, the JWKS, the JSON API under `/api` with its document, the
/// Leptos pages and server functions, static files, and the layers every response goes through.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let leptos_options = state.leptos_options.clone();
    let request_timeout = state.request_timeout;
    let app = api::router()
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(leptos_options.clone()),
        )
        .route("/login", post(back_to_form))
        .route("/register", post(back_to_form))
        .route("/forgot-password", post(back_to_form))
        .route("/reset-password", post(back_to_form))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(DefaultBodyLimit::max(api::MAX_BODY_BYTES))
        .with_state(state);
    layers(app, request_timeout)
}

/// What every response goes through, from the inside out: the request timeout, a panic turned
/// into the contract's 500, the timeout's answer in the contract's shape, the security headers,
/// and the request log. The panic and timeout responses sit inside the header layers, so they get
/// the headers too. (`Cache-Control: no-store` is set where tokens travel: on the `/api` router and
/// by the server functions.) Every layer here is a plain `tower` layer, nothing boxed per request:
/// this stack runs on every `/api/me`.
pub fn layers(app: Router, request_timeout: Duration) -> Router {
    let app = app
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            request_timeout,
        ))
        .layer(CatchPanicLayer::custom(|_| panic_response()))
        .layer(MapResponseLayer::new(timeout_body))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ));
    telemetry::layer(app)
}

/// A panic is a bug; the client still gets the contract's JSON, not a dropped connection.
fn panic_response() -> Response {
    AppError::internal("handling a request", "a request handler panicked").into_response()
}

/// The timeout layer answers a bare 503: give it the contract's body.
fn timeout_body(response: Response) -> Response {
    let bare = response.status() == StatusCode::SERVICE_UNAVAILABLE
        && !response.headers().contains_key(header::CONTENT_TYPE);
    if bare {
        AppError::Busy {
            reason: "request timed out",
            retry_after: 1,
        }
        .into_response()
    } else {
        response
    }
}

/// A sign-in form submitted before the WASM runs (Enter pressed early, a password manager's
/// auto-submit) posts here: the body, password and all, is dropped unread, and the browser goes
/// back to the form, now with the app running. The password never reaches a URL or a log.
async fn back_to_form(uri: Uri) -> Redirect {
    Redirect::to(&uri.to_string())
}

/// Serves until `shutdown` completes, then lets in-flight requests finish, for at most
/// [`DRAIN_DEADLINE`]. Connections carry their peer address, for `ClientAddr`.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (draining, drain_started) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        let _ = draining.send(());
    };
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .into_future();
    let deadline = async move {
        if drain_started.await.is_err() {
            // The server ended without a shutdown: nothing to time.
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(DRAIN_DEADLINE).await;
    };
    tokio::select! {
        served = server => served,
        () = deadline => {
            tracing::warn!("requests still in flight after {DRAIN_DEADLINE:?}: stopping anyway");
            Ok(())
        }
    }
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

/// Waits for the background tasks (already told to stop) to finish their step, for at most
/// [`BACKGROUND_DRAIN_DEADLINE`]; what is still running then is cut off.
pub async fn drain(background: [tokio::task::JoinHandle<()>; 3]) {
    let aborts: Vec<_> = background.iter().map(|task| task.abort_handle()).collect();
    let all = async {
        for task in background {
            let _ = task.await;
        }
    };
    if tokio::time::timeout(BACKGROUND_DRAIN_DEADLINE, all)
        .await
        .is_err()
    {
        tracing::warn!(
            "background work still running after {BACKGROUND_DRAIN_DEADLINE:?}: stopping anyway"
        );
        for abort in aborts {
            abort.abort();
        }
    }
}

/// The work that runs beside the requests until `stopped` turns true: the purge, the outbox
/// (reset requests and mail), and (with EdDSA) reading the signing keys again.
pub fn background(
    state: &AppState,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> [tokio::task::JoinHandle<()>; 3] {
    let sender = service::outbox::run(state.clone(), stopped.clone());
    let keys =
        service::keys::read_periodically(state.db.clone(), state.tokens.clone(), stopped.clone());
    [
        tokio::spawn(purge_periodically(state.clone(), stopped)),
        tokio::spawn(sender),
        tokio::spawn(keys),
    ]
}

/// The background purge (`service::purge_expired`): revocations of expired tokens, ended and
/// expired sessions with their refresh tokens, stale login counters. Runs every
/// [`PURGE_EVERY`] until `stopped` turns true.
async fn purge_periodically(state: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    let mut every = tokio::time::interval(PURGE_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stopped.changed() => return,
        }
        match service::purge_expired(&state).await {
            Ok(purged) => tracing::debug!(?purged, "purged expired rows"),
            Err(e) => tracing::warn!(error = %e, "purging expired rows failed"),
        }
    }
}
