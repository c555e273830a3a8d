//! The JSON API of docs/api.md: plain axum handlers that parse, call the service,
//! and map; and its OpenAPI document, made from the same handlers' attributes.

mod account;
mod auth;
mod body;
mod docs;
mod health;
mod jwks;
mod sessions;
mod swagger;

pub use body::{ApiBody, OptionalBody, MAX_BODY_BYTES};

use app::backend::{AppError, AppState};
use axum::http::{header, HeaderValue};
use axum::{Json, Router};
use serde::Serialize;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::openapi::OpenApi;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every endpoint of the API, and its document at `/api/openapi.json`. Each endpoint is routed
/// and described by one `routes!`, so the router and the document cannot disagree about what
/// exists (and `tests/api/openapi.rs` checks that nothing was routed around them).
pub fn router() -> Router<AppState> {
    let Documented {
        root,
        api,
        docs,
        document,
    } = documented();
    let api = api
        .merge(swagger::serve(docs, &document))
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .fallback(|| async { AppError::NotFound })
        // Tokens travel in these responses: none may be kept by a cache (RFC 6749 §5.1,
        // RFC 9111), unless a handler says so.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    root.method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .nest("/api", api)
}

/// The OpenAPI document that `/api/openapi.json` serves.
pub fn document() -> OpenApi {
    documented().document
}

/// The routes outside `/api`, under it, and of the docs, with the document made from all three.
struct Documented {
    root: Router<AppState>,
    api: Router<AppState>,
    docs: Router<AppState>,
    document: OpenApi,
}

fn documented() -> Documented {
    let (root, root_paths) = OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(jwks::jwks))
        .split_for_parts();
    let (api, api_paths) = api_routes().split_for_parts();
    let (docs, docs_paths) = swagger::routes().split_for_parts();
    let document = docs::document(root_paths.nest("/api", api_paths.merge_from(docs_paths)));
    Documented {
        root,
        api,
        docs,
        document,
    }
}

/// The routes under `/api`.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(public))
        .routes(routes!(auth::me))
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(account::verify_email))
        .routes(routes!(account::resend_verification))
        .routes(routes!(account::forgot_password))
        .routes(routes!(account::reset_password))
        .routes(routes!(account::rename, account::delete_account))
        .routes(routes!(account::change_password))
        .routes(routes!(account::change_email))
        .routes(routes!(sessions::list_sessions))
        .routes(routes!(sessions::end_session))
}

/// `GET /api/public`'s body.
#[derive(Serialize, ToSchema)]
struct PublicMessage {
    message: &'static str,
}

/// The seed's unprotected route: anyone may read it.
#[utoipa::path(
    get, path = "/public", tag = docs::tags::AUTH,
    responses((status = OK, description = "No token needed.", body = PublicMessage)),
)]
async fn public() -> Json<PublicMessage> {
    Json(PublicMessage {
        message: "This is the public endpoint: anyone can read it, no token needed.",
    })
}
