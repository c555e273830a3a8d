//! The server's one error type: each variant is one code of CONTRACT §2 with its status and
//! headers. Unexpected failures become a logged 500 whose detail never reaches the client.

use crate::domain::FieldErrors;
use crate::error::{ErrorBody, ErrorCode, ErrorDetail};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

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
    #[error("rate limited for {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("missing token")]
    MissingToken,
    /// The reason is for the log only; the client learns just `invalid_token`.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(#[source] BoxError),
}

impl AppError {
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
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn status_code(&self) -> StatusCode {
        self.code().status_code()
    }

    /// What the client reads: plain words, never an internal detail.
    pub fn message(&self) -> String {
        match self {
            Self::Validation(_) => "Some fields are not valid.".into(),
            Self::EmailTaken => "An account with this email already exists.".into(),
            Self::BadRequest(detail) => detail.clone(),
            Self::UnsupportedMediaType => {
                "Send the body as application/json or application/x-www-form-urlencoded.".into()
            }
            Self::PayloadTooLarge => "The request body is larger than 16 KiB.".into(),
            Self::InvalidCredentials => "The email or password is incorrect.".into(),
            Self::RateLimited { retry_after } => {
                format!(
                    "Too many failed logins for this account. Try again in {retry_after} seconds."
                )
            }
            Self::MissingToken => {
                "This request needs an access token: Authorization: Bearer <token>.".into()
            }
            Self::InvalidToken(_) => "The access token is invalid, expired or revoked.".into(),
            Self::NotFound => "There is nothing at this address.".into(),
            Self::MethodNotAllowed => "This address does not accept that method.".into(),
            Self::Unavailable(_) => "The service cannot reach its database right now.".into(),
            Self::Internal(_) => "Something went wrong on our side.".into(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.message(),
                fields: match self {
                    Self::Validation(fields) => Some(fields.clone()),
                    _ => None,
                },
            },
        }
    }

    pub fn internal(error: impl Into<BoxError>) -> Self {
        Self::Internal(error.into())
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::internal(error)
    }
}

impl From<super::auth::password::HashError> for AppError {
    fn from(error: super::auth::password::HashError) -> Self {
        Self::internal(error)
    }
}

impl From<super::auth::token::SignError> for AppError {
    fn from(error: super::auth::token::SignError) -> Self {
        Self::internal(error)
    }
}

impl AppError {
    /// Logs what the operator needs to see; the client never gets these details.
    pub fn log(&self) {
        match self {
            Self::Internal(source) => tracing::error!(error = %source, "request failed"),
            Self::Unavailable(detail) => tracing::warn!(%detail, "database unavailable"),
            Self::InvalidToken(reason) => tracing::debug!(%reason, "token refused"),
            _ => {}
        }
    }

    /// The header the contract requires with this error: the RFC 6750 challenge on a 401,
    /// `Retry-After` on a 429.
    pub fn header(&self) -> Option<(HeaderName, HeaderValue)> {
        match self {
            Self::InvalidToken(_) => Some((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            )),
            Self::MissingToken | Self::InvalidCredentials => {
                Some((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")))
            }
            Self::RateLimited { retry_after } => {
                Some((header::RETRY_AFTER, HeaderValue::from(*retry_after)))
            }
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let mut response = (self.status_code(), axum::Json(self.body())).into_response();
        if let Some((name, value)) = self.header() {
            response.headers_mut().insert(name, value);
        }
        response
    }
}
