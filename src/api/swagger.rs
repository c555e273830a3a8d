//! `/api/openapi.json`, and `/api/docs`: Swagger UI reading it. Swagger UI's files are built into
//! the binary (`utoipa-swagger-ui`'s `vendored`), so the page works with no internet, under a CSP
//! that lets only this response's own scripts run.

use super::docs::tags;
use app::backend::{AppError, AppState};
use app::error::ErrorCode;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Router};
use leptos::nonce::Nonce;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::openapi::OpenApi;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// `/api/openapi.json` and the docs page, routed and described like every other endpoint.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(docs_page))
        .routes(routes!(docs_file))
}

/// What the docs routes serve: the document, written once (each answer shares its bytes), and
/// Swagger UI's configuration.
struct Served {
    json: Bytes,
    swagger: Arc<utoipa_swagger_ui::Config<'static>>,
}

/// The docs routes with what they serve; only these routes carry it.
pub fn serve(docs: Router<AppState>, document: &OpenApi) -> Router<AppState> {
    let served = Served {
        json: Bytes::from(document.to_json().expect("an OpenAPI document serializes")),
        swagger: Arc::new(
            utoipa_swagger_ui::Config::new(["/api/openapi.json"]).try_it_out_enabled(true),
        ),
    };
    docs.layer(Extension(Arc::new(served)))
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get, path = "/openapi.json", tag = tags::DOCS,
    responses((status = OK, description = "This document.", content_type = "application/json", body = Object)),
)]
async fn openapi_json(Extension(served): Extension<Arc<Served>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        served.json.clone(),
    )
        .into_response()
}

/// The one inline `<style>` Swagger UI makes: the fills of its logo's SVG
/// (`.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}`, in
/// `swagger-ui-standalone-preset.js`), allowed by its hash and nothing else inline.
const SWAGGER_LOGO_STYLE: &str = "sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w=";

/// The page that renders the document (Swagger UI).
#[utoipa::path(
    get, path = "/docs", tag = tags::DOCS,
    responses((status = OK, description = "An HTML page.", content_type = "text/html", body = String)),
)]
async fn docs_page() -> Response {
    let nonce = Nonce::new();
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="stylesheet" href="/api/docs/index.css">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script nonce="{nonce}" src="/api/docs/swagger-ui-bundle.js"></script>
<script nonce="{nonce}" src="/api/docs/swagger-ui-standalone-preset.js"></script>
<script nonce="{nonce}" src="/api/docs/swagger-initializer.js"></script>
</body>
</html>
"#
    );
    let policy = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' '{SWAGGER_LOGO_STYLE}'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    let mut response = Html(page).into_response();
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// The files of Swagger UI that the page loads. Nothing else of its distribution is served: its
/// HTML pages in particular would come without this page's CSP.
const FILES: [&str; 7] = [
    "swagger-ui.css",
    "index.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "swagger-initializer.js",
    "favicon-32x32.png",
    "favicon-16x16.png",
];

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct DocsFile {
    /// A file of Swagger UI.
    #[param(schema_with = file_names)]
    file: String,
}

fn file_names() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(FILES))
        .build()
}

/// Swagger UI's own files (scripts, styles, icons), from the binary.
#[utoipa::path(
    get, path = "/docs/{file}", tag = tags::DOCS,
    params(DocsFile),
    responses((status = OK, description = "The file.", content(
        ("text/css"), ("text/javascript"), ("image/png"),
    ))),
    extensions(("x-error-codes" = json!([ErrorCode::NotFound]))),
)]
async fn docs_file(
    Path(DocsFile { file }): Path<DocsFile>,
    Extension(served): Extension<Arc<Served>>,
) -> Response {
    let found = FILES
        .contains(&file.as_str())
        .then(|| {
            utoipa_swagger_ui::serve(&file, served.swagger.clone())
                .ok()
                .flatten()
        })
        .flatten();
    let Some(found) = found else {
        return AppError::NotFound.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, found.content_type),
            // The same files for as long as this binary runs.
            (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
        ],
        found.bytes.into_owned(),
    )
        .into_response()
}
