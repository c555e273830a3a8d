//! The server functions' error is the JSON API's ([`ApiError`]), as postcard; a call the framework
//! refuses before the function runs answers with the code's status too.

use crate::error::{ApiError, ErrorCode};
use leptos::server_fn::error::FromServerFnError;

/// The server functions fail with the same error as the JSON API.
impl FromServerFnError for ApiError {
    type Encoder = leptos::server_fn::codec::PostcardEncoding;

    fn from_server_fn_error(error: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr;
        let error = match error {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::new(
                ErrorCode::Unavailable,
                "The server cannot be reached. Check your connection and try again.",
            ),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => {
                Self::new(ErrorCode::BadRequest, "The request could not be read.")
            }
            _ => Self::new(ErrorCode::Internal, "Something went wrong on our side."),
        };
        // On the server this is a request the framework refused (its arguments did not decode):
        // answer with the code's status, not the framework's 500.
        #[cfg(feature = "ssr")]
        {
            super::door::no_store();
            super::door::respond(error.code.status_code(), Vec::new());
        }
        error
    }
}
