//! The error of docs/api.md ("Requests and errors"), one type for every door: the JSON API's `{"error": …}` body, the
//! server functions' error (sent as postcard), and what the pages show.

use crate::domain::FieldErrors;
use serde::{Deserialize, Serialize};

/// Every error code the contract names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// A mailed link that is unknown, used or expired (docs/api.md).
    InvalidLink,
    // A new code goes here, at the end: postcard encodes a code by its place, and a browser
    // that still runs the previous WASM must read every earlier code as before. The test
    // `every_code_keeps_its_place_on_the_wire` pins each place.
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest | Self::InvalidLink => 400,
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

/// `{"error": ApiError}`: the JSON API's error body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

/// One error as a client sees it: the contract's code, words for a person, and the fields at fault
/// (only for `validation_failed`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    /// Words for a person, in English.
    pub message: String,
    /// Only with `validation_failed`: what is wrong with each field, by field name.
    #[serde(default)]
    pub fields: FieldErrors,
}

/// JSON leaves `fields` out when there are none (the contract shows it only on
/// `validation_failed`); postcard, which is not self-describing, always writes all three.
impl Serialize for ApiError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let with_fields = !serializer.is_human_readable() || !self.fields.is_empty();
        let mut state = serializer.serialize_struct("ApiError", 2 + usize::from(with_fields))?;
        state.serialize_field("code", &self.code)?;
        state.serialize_field("message", &self.message)?;
        if with_fields {
            state.serialize_field("fields", &self.fields)?;
        }
        state.end()
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: FieldErrors::new(),
        }
    }

    /// The token was refused: the session is over.
    pub fn ends_session(&self) -> bool {
        matches!(self.code, ErrorCode::InvalidToken | ErrorCode::MissingToken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shows_fields_only_when_there_are_some() {
        let plain = ApiError::new(ErrorCode::EmailTaken, "taken");
        let json = serde_json::to_value(&plain).unwrap();
        assert!(json.get("fields").is_none(), "{json}");
        assert_eq!(json["code"], "email_taken");

        let mut invalid = ApiError::new(ErrorCode::ValidationFailed, "bad");
        invalid.fields.insert("email".into(), "is required".into());
        let json = serde_json::to_value(&invalid).unwrap();
        assert_eq!(json["fields"]["email"], "is required");
    }

    #[test]
    fn every_code_keeps_its_place_on_the_wire() {
        // (code, its JSON name, its postcard byte): a code moved or inserted before another
        // changes what an older WASM reads, and fails here.
        let pinned = [
            (ErrorCode::ValidationFailed, "validation_failed", 0u8),
            (ErrorCode::EmailTaken, "email_taken", 1),
            (ErrorCode::BadRequest, "bad_request", 2),
            (ErrorCode::UnsupportedMediaType, "unsupported_media_type", 3),
            (ErrorCode::PayloadTooLarge, "payload_too_large", 4),
            (ErrorCode::InvalidCredentials, "invalid_credentials", 5),
            (ErrorCode::RateLimited, "rate_limited", 6),
            (ErrorCode::MissingToken, "missing_token", 7),
            (ErrorCode::InvalidToken, "invalid_token", 8),
            (ErrorCode::NotFound, "not_found", 9),
            (ErrorCode::MethodNotAllowed, "method_not_allowed", 10),
            (ErrorCode::Unavailable, "unavailable", 11),
            (ErrorCode::Internal, "internal", 12),
            (ErrorCode::InvalidLink, "invalid_link", 13),
        ];
        for (code, name, byte) in pinned {
            assert_eq!(postcard::to_allocvec(&code).unwrap(), [byte], "{name}");
            assert_eq!(postcard::from_bytes::<ErrorCode>(&[byte]).unwrap(), code);
            assert_eq!(serde_json::to_value(code).unwrap(), name);
        }
        // Every code is pinned: one past the last is no code.
        assert!(postcard::from_bytes::<ErrorCode>(&[pinned.len() as u8]).is_err());
    }

    #[test]
    fn postcard_round_trips_with_and_without_fields() {
        let mut invalid = ApiError::new(ErrorCode::ValidationFailed, "bad");
        invalid.fields.insert("name".into(), "is required".into());
        for error in [ApiError::new(ErrorCode::InvalidToken, "no"), invalid] {
            let bytes = postcard::to_allocvec(&error).unwrap();
            assert_eq!(postcard::from_bytes::<ApiError>(&bytes).unwrap(), error);
        }
    }
}
