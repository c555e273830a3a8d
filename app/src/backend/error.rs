//! `AppError`: what the service and both doors fail with. Each variant maps to one code of
//! docs/api.md, "Requests and errors" with its status and headers ([`AppError::parts`], used by both doors). Unexpected
//! failures become a logged 500 that names the operation; its detail never reaches the client.

use crate::domain::FieldErrors;
use crate::error::{ApiError, ErrorCode};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which limit a `429` comes from; the client reads it in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Too many failed logins for this account (from this client, or from everywhere).
    Account,
    /// Too many sign-in requests from this client address.
    Client,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("the email address is taken")]
    EmailTaken,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("rate limited ({limit:?}) for {retry_after} s")]
    RateLimited { limit: Limit, retry_after: u64 },
    #[error("missing token")]
    MissingToken,
    /// The reason is for the log only; the client learns just `invalid_token`.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    #[error("not found")]
    NotFound,
    /// A mailed link that is unknown, used or expired; the reason is for the log only.
    #[error("invalid link: {0}")]
    InvalidLink(&'static str),
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The database does not answer.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Too much work is queued (password hashing) or a request took too long: try again later.
    #[error("busy: {reason}")]
    Busy {
        reason: &'static str,
        retry_after: u64,
    },
    #[error("{operation} failed: {source}")]
    Internal {
        operation: &'static str,
        #[source]
        source: BoxError,
    },
}

/// An error as it goes on the wire: status, the contract's extra headers, and the body.
pub struct ErrorParts {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: ApiError,
}

impl AppError {
    /// `422 validation_failed` for one field, with the words shown next to it.
    pub fn invalid_field(field: &str, message: impl std::fmt::Display) -> Self {
        Self::Validation(FieldErrors::from([(field.into(), message.to_string())]))
    }

    /// A failure with no better description: a bug, or a broken invariant.
    pub fn internal(operation: &'static str, error: impl Into<BoxError>) -> Self {
        Self::Internal {
            operation,
            source: error.into(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::EmailTaken => ErrorCode::EmailTaken,
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::MissingToken => ErrorCode::MissingToken,
            Self::InvalidToken(_) => ErrorCode::InvalidToken,
            Self::NotFound => ErrorCode::NotFound,
            Self::InvalidLink(_) => ErrorCode::InvalidLink,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::Unavailable(_) | Self::Busy { .. } => ErrorCode::Unavailable,
            Self::Internal { .. } => ErrorCode::Internal,
        }
    }

    pub fn status_code(&self) -> StatusCode {
        self.code().status_code()
    }

    /// What the client reads: plain words, never an internal detail.
    fn message(&self) -> String {
        match self {
            Self::Validation(_) => "Some fields are not valid.".into(),
            Self::EmailTaken => "An account with this email already exists.".into(),
            Self::BadRequest(detail) => detail.clone(),
            Self::UnsupportedMediaType => {
                "Send the body as application/json or application/x-www-form-urlencoded.".into()
            }
            Self::PayloadTooLarge => "The request body is larger than 16 KiB.".into(),
            Self::InvalidCredentials => "The email or password is incorrect.".into(),
            Self::RateLimited {
                limit: Limit::Account,
                retry_after,
            } => format!(
                "Too many failed logins for this account. Try again in {retry_after} seconds."
            ),
            Self::RateLimited {
                limit: Limit::Client,
                retry_after,
            } => format!(
                "Too many sign-in requests from your address. Try again in {retry_after} seconds."
            ),
            Self::MissingToken => {
                "This request needs an access token: Authorization: Bearer <token>.".into()
            }
            Self::InvalidToken(_) => "The access token is invalid, expired or revoked.".into(),
            Self::NotFound => "There is nothing at this address.".into(),
            Self::InvalidLink(_) => {
                "This link is invalid or has expired. Ask for a new one.".into()
            }
            Self::MethodNotAllowed => "This address does not accept that method.".into(),
            Self::Unavailable(_) => "The service cannot reach its database right now.".into(),
            Self::Busy { retry_after, .. } => {
                format!("The service is busy. Try again in {retry_after} seconds.")
            }
            Self::Internal { .. } => "Something went wrong on our side.".into(),
        }
    }

    /// The headers the contract requires with this error: the RFC 6750 challenge on a 401,
    /// `Retry-After` on a 429 or a 503 that knows when to come back.
    fn headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        match self {
            Self::InvalidToken(_) => vec![(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            )],
            Self::MissingToken | Self::InvalidCredentials => {
                vec![(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))]
            }
            Self::RateLimited { retry_after, .. } | Self::Busy { retry_after, .. } => {
                vec![(header::RETRY_AFTER, HeaderValue::from(*retry_after))]
            }
            _ => Vec::new(),
        }
    }

    /// Logs what the operator needs to see (the client never gets these details) and gives the
    /// status, headers and body: the one conversion both doors use.
    pub fn parts(&self) -> ErrorParts {
        match self {
            Self::Internal { operation, source } => {
                tracing::error!(operation, error = %source, "request failed")
            }
            Self::Unavailable(detail) => tracing::warn!(%detail, "database unavailable"),
            Self::Busy { reason, .. } => tracing::warn!(reason, "refused: busy"),
            Self::InvalidToken(reason) => tracing::debug!(%reason, "token refused"),
            _ => {}
        }
        let mut body = ApiError::new(self.code(), self.message());
        if let Self::Validation(fields) = self {
            body.fields = fields.clone();
        }
        ErrorParts {
            status: self.status_code(),
            headers: self.headers(),
            body,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let parts = self.parts();
        let mut response = (
            parts.status,
            axum::Json(crate::error::ErrorBody { error: parts.body }),
        )
            .into_response();
        response.headers_mut().extend(parts.headers);
        response
    }
}

/// `.context("…")` on an infrastructure call: its failure becomes an internal error that names
/// the operation, so the log line says which query or step broke.
pub trait Context<T> {
    /// # Errors
    /// [`AppError::Internal`] naming `operation`, when `self` is an error.
    fn context(self, operation: &'static str) -> Result<T, AppError>;
}

impl<T, E: Into<BoxError>> Context<T> for Result<T, E> {
    fn context(self, operation: &'static str) -> Result<T, AppError> {
        self.map_err(|e| AppError::internal(operation, e))
    }
}
