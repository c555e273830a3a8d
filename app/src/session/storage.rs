//! Local storage access; only the browser has it. On the server these do nothing.
//!
//! The token is stored as it is, through gloo-storage's raw `Storage`: its typed `get`/`set` would
//! JSON-encode the string and bring a JSON parser into the WASM for nothing.

#[cfg(feature = "hydrate")]
use super::{REFRESH_AT_KEY, TOKEN_KEY};

#[cfg(feature = "hydrate")]
fn raw() -> leptos::web_sys::Storage {
    use gloo_storage::Storage;
    gloo_storage::LocalStorage::raw()
}

#[cfg(feature = "hydrate")]
pub fn token() -> Option<String> {
    let stored = raw().get_item(TOKEN_KEY).ok().flatten()?;
    super::stored_token(&stored).map(str::to_owned)
}

/// Seconds since the Unix epoch, by this browser's clock.
#[cfg(feature = "hydrate")]
pub fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// Stores a token that lives `expires_in` seconds, with when to refresh it.
#[cfg(feature = "hydrate")]
pub fn store(token: &str, expires_in: u64) {
    let due = super::refresh_at(now(), expires_in);
    let _ = raw().set_item(REFRESH_AT_KEY, &due.to_string());
    let _ = raw().set_item(TOKEN_KEY, token);
}

/// Whether the stored token is due for a refresh. A token stored without a due time (by an
/// earlier version, or by hand) is refreshed only when the server refuses it.
#[cfg(feature = "hydrate")]
pub fn refresh_due() -> bool {
    let due = raw().get_item(REFRESH_AT_KEY).ok().flatten();
    due.and_then(|due| due.parse::<u64>().ok())
        .is_some_and(|due| now() >= due)
}

#[cfg(feature = "hydrate")]
pub fn clear() {
    let _ = raw().remove_item(TOKEN_KEY);
    let _ = raw().remove_item(REFRESH_AT_KEY);
}

/// Clears storage only if it still holds `refused`: an answer about an older token must not
/// wipe a newer one (a login in another tab meanwhile).
#[cfg(feature = "hydrate")]
pub fn clear_if(refused: &str) -> bool {
    let holds_it = token().as_deref() == Some(refused);
    if holds_it {
        clear();
    }
    holds_it
}

#[cfg(not(feature = "hydrate"))]
pub fn token() -> Option<String> {
    None
}

#[cfg(not(feature = "hydrate"))]
pub fn store(_token: &str, _expires_in: u64) {}

#[cfg(not(feature = "hydrate"))]
pub fn clear() {}

#[cfg(not(feature = "hydrate"))]
pub fn refresh_due() -> bool {
    false
}

#[cfg(not(feature = "hydrate"))]
pub fn clear_if(_refused: &str) -> bool {
    false
}
