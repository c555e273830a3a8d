//! `ApiBody<T>`: a request body in JSON or `application/x-www-form-urlencoded`, at most 16 KiB,
//! with the contract's 400, 413 and 415 instead of axum's plain-text rejections; and
//! `OptionalBody<T>`, the same for endpoints whose body may be left out (logout, refresh).

use app::backend::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// Bodies over this many bytes answer 413 `payload_too_large`.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub struct ApiBody<T>(pub T);

/// A body that may be absent: `None` for a request with no `Content-Type` and no body. A request
/// that says it has a body gets the same checks as [`ApiBody`], and one without a `Content-Type`
/// but with bytes is `415`. (A browser's form always sends a `Content-Type`: `None` is never a
/// form.)
pub struct OptionalBody<T>(pub Option<T>);

impl<S, T> FromRequest<S> for OptionalBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if request.headers().contains_key(header::CONTENT_TYPE) {
            return ApiBody::from_request(request, state)
                .await
                .map(|ApiBody(body)| Self(Some(body)));
        }
        let bytes = read(request, state).await?;
        if bytes.is_empty() {
            Ok(Self(None))
        } else {
            Err(AppError::UnsupportedMediaType)
        }
    }
}

async fn read<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, AppError> {
    // The body limit itself is axum's `DefaultBodyLimit`, set on the router.
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest("The request body could not be read.".into())
            }
        })
}

enum Format {
    Json,
    Form,
}

impl<S, T> FromRequest<S> for ApiBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let format = format_of(request.headers().get(header::CONTENT_TYPE))
            .ok_or(AppError::UnsupportedMediaType)?;
        let bytes = read(request, state).await?;
        let value = match format {
            // serde would also read a struct from an array (`[]`, `["Ann", …]`): only an object is.
            Format::Json if bytes.trim_ascii_start().first() != Some(&b'{') => {
                return Err(AppError::BadRequest(NOT_AN_OBJECT.into()))
            }
            Format::Json => serde_json::from_slice(&bytes)
                .map_err(|e| AppError::BadRequest(json_problem(&e)))?,
            Format::Form => serde_urlencoded::from_bytes(&bytes).map_err(|_| {
                AppError::BadRequest("The form must hold this request's fields only.".into())
            })?,
        };
        Ok(Self(value))
    }
}

fn format_of(content_type: Option<&header::HeaderValue>) -> Option<Format> {
    let mime: mime::Mime = content_type?.to_str().ok()?.parse().ok()?;
    match (mime.type_(), mime.subtype(), mime.suffix()) {
        (mime::APPLICATION, mime::JSON, _) | (mime::APPLICATION, _, Some(mime::JSON)) => {
            Some(Format::Json)
        }
        (mime::APPLICATION, mime::WWW_FORM_URLENCODED, _) => Some(Format::Form),
        _ => None,
    }
}

const NOT_AN_OBJECT: &str =
    "The body must be a JSON object of this request's fields, each a string.";

/// Says what is wrong without echoing any of the body (it may hold a password).
fn json_problem(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => format!(
            "The body is not valid JSON (line {}, column {}).",
            error.line(),
            error.column()
        ),
        Category::Data => NOT_AN_OBJECT.into(),
    }
}
