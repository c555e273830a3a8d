//! The user as the API and the pages show it: never with a password or hash.

use serde::{Deserialize, Serialize};

/// `USER` of docs/api.md, "Requests and errors".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = User))]
pub struct UserView {
    pub id: uuid::Uuid,
    pub name: String,
    pub email: String,
    /// The user has confirmed `email` by the link mailed to it (docs/api.md, "The account over email").
    pub email_verified: bool,
    /// RFC 3339, UTC.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub created_at: String,
}
