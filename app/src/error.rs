//! The error body of CONTRACT §2, shared by the JSON API, the server functions and the pages.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every error code the contract names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ValidationFailed,
    EmailTaken,
    BadRequest,
    UnsupportedMediaType,
    PayloadTooLarge,
    InvalidCredentials,
    RateLimited,
    MissingToken,
    InvalidToken,
    NotFound,
    MethodNotAllowed,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::InvalidCredentials | Self::MissingToken | Self::InvalidToken => 401,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::EmailTaken => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::ValidationFailed => 422,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }

    /// [`ErrorCode::status`] as the server's HTTP type: what both doors answer with.
    #[cfg(feature = "ssr")]
    pub fn status_code(self) -> axum::http::StatusCode {
        axum::http::StatusCode::from_u16(self.status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// `{"error": {...}}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}
