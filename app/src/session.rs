//! The auth state every page reads: one context holding who is signed in. The access token itself
//! lives in the browser's local storage, never in a signal, a URL or an argument; the refresh
//! token lives in an `HttpOnly` cookie that script cannot read at all ([`refresh`]).

use crate::domain::UserView;
use leptos::prelude::*;

/// Local-storage key of the access token.
pub const TOKEN_KEY: &str = "gatehouse.token";
/// Local-storage key of when (Unix seconds, by this browser's clock) the stored token is due for
/// a refresh: shared by the tabs, like the token.
pub const REFRESH_AT_KEY: &str = "gatehouse.refresh_at";

/// When a token that lives `expires_in` seconds from `now` should be refreshed: a quarter of its
/// life before it expires, at most a minute and at least a second before.
pub fn refresh_at(now: u64, expires_in: u64) -> u64 {
    let margin = (expires_in / 4).clamp(1, 60);
    now + expires_in.saturating_sub(margin)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Session {
    /// Before the browser has read storage: what the server renders, so hydration matches.
    Unknown,
    /// No valid token. `ended` when a session ended under the user (expired, revoked, or signed
    /// out in another tab), so the login page can say so.
    SignedOut {
        ended: bool,
    },
    /// The user pressed "Log out" in this tab; the page that did it decides where to go.
    LoggedOut,
    SignedIn(UserView),
}

/// What can happen to a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    /// Storage held no token at start-up.
    NoToken,
    /// A stored token was accepted by the server at start-up, or a login or registration succeeded.
    SignedIn(UserView),
    /// The server refused the stored token (expired, revoked, user gone).
    TokenRejected,
    /// The user pressed "Log out".
    LoggedOut,
    /// Another tab removed the token.
    SignedOutElsewhere,
}

impl Session {
    /// The state after `event`: pure, so it is unit-tested without a browser.
    pub fn apply(&self, event: SessionEvent) -> Session {
        match event {
            SessionEvent::SignedIn(user) => Session::SignedIn(user),
            SessionEvent::NoToken => Session::SignedOut { ended: false },
            SessionEvent::LoggedOut => Session::LoggedOut,
            SessionEvent::TokenRejected => Session::SignedOut { ended: true },
            SessionEvent::SignedOutElsewhere => match self {
                Session::SignedIn(_) => Session::SignedOut { ended: true },
                other => other.clone(),
            },
        }
    }
}

/// The context: the session, and whether the server answered the last check.
#[derive(Clone, Copy)]
pub struct Auth {
    pub session: RwSignal<Session>,
    /// The last check could not reach the server: pages say so, and nobody is signed out for it.
    pub unreachable: RwSignal<bool>,
}

impl Auth {
    pub fn provide() -> Self {
        let auth = Auth {
            session: RwSignal::new(Session::Unknown),
            unreachable: RwSignal::new(false),
        };
        provide_context(auth);
        auth
    }

    pub fn get() -> Self {
        expect_context::<Auth>()
    }

    /// Moves the session on; readers are told only when it changed (the check every few seconds
    /// confirms the same user again and again).
    pub fn dispatch(&self, event: SessionEvent) {
        self.session.maybe_update(|session| {
            let next = session.apply(event);
            let changed = *session != next;
            *session = next;
            changed
        });
    }
}

/// Local storage access; only the browser has it. On the server these do nothing.
///
/// The token is stored as it is, through gloo-storage's raw `Storage`: its typed `get`/`set` would
/// JSON-encode the string and bring a JSON parser into the WASM for nothing.
pub mod storage {
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
}

/// Getting a new access token with the refresh cookie: `POST /api/auth/refresh`, one request at
/// a time across every tab of the browser (the Web Locks API). A tab that waited for the lock finds
/// the token another tab stored meanwhile and uses it, so two tabs never present one refresh token
/// twice (which the server would take for a stolen token once its grace window has passed).
pub mod refresh {
    /// How a refresh ended.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Outcome {
        /// A new access token, now in storage.
        Refreshed(String),
        /// The session is over (the server refused the cookie, or another tab signed out).
        Ended,
        /// No answer, or "try later": the session may still be alive.
        Unreachable,
    }

    /// The name of the lock every tab of this site takes to refresh.
    #[cfg(feature = "hydrate")]
    const LOCK: &str = "gatehouse.refresh";

    /// Replaces `stale` (the token this tab holds) with a fresh one.
    #[cfg(feature = "hydrate")]
    pub async fn run(stale: String) -> Outcome {
        exclusively(move || async move {
            // Another tab may have refreshed, or signed out, while this one waited.
            match super::storage::token() {
                None => return Outcome::Ended,
                Some(current) if current != stale => return Outcome::Refreshed(current),
                Some(_) => {}
            }
            let outcome = post().await;
            if outcome == Outcome::Ended {
                super::storage::clear_if(&stale);
            }
            outcome
        })
        .await
    }

    /// The request itself: no body, so the server reads the cookie (which script never sees).
    #[cfg(feature = "hydrate")]
    async fn post() -> Outcome {
        use leptos::wasm_bindgen::JsValue;
        let Ok(response) = gloo_net::http::Request::post("/api/auth/refresh")
            .send()
            .await
        else {
            return Outcome::Unreachable;
        };
        match response.status() {
            200 => {}
            401 => return Outcome::Ended,
            _ => return Outcome::Unreachable,
        }
        // The browser's own JSON parser: no JSON code in the WASM for two fields.
        let Ok(text) = response.text().await else {
            return Outcome::Unreachable;
        };
        let Ok(body) = js_sys::JSON::parse(&text) else {
            return Outcome::Unreachable;
        };
        let field = |name: &str| js_sys::Reflect::get(&body, &JsValue::from_str(name)).ok();
        let token = field("access_token").and_then(|v| v.as_string());
        let expires_in = field("expires_in").and_then(|v| v.as_f64());
        match (token, expires_in) {
            (Some(token), Some(expires_in)) if super::stored_token(&token).is_some() => {
                super::storage::store(&token, expires_in as u64);
                Outcome::Refreshed(token)
            }
            _ => Outcome::Unreachable,
        }
    }

    /// Runs `work` holding this site's refresh lock (`navigator.locks.request`), or directly in a
    /// browser without the Web Locks API.
    #[cfg(feature = "hydrate")]
    async fn exclusively<F, Fut>(work: F) -> Outcome
    where
        F: FnOnce() -> Fut + 'static,
        Fut: std::future::Future<Output = Outcome> + 'static,
    {
        use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};
        // Through `Reflect`: web-sys's `Navigator` and `LockManager` bindings would add code.
        let get = |target: &JsValue, name: &str| {
            js_sys::Reflect::get(target, &JsValue::from_str(name)).ok()
        };
        let request = get(&leptos::prelude::window().into(), "navigator")
            .and_then(|navigator| get(&navigator, "locks"))
            .filter(|locks| !locks.is_undefined())
            .and_then(|locks| {
                let request = get(&locks, "request")?;
                Some((locks, request.dyn_into::<js_sys::Function>().ok()?))
            });
        let Some((locks, request)) = request else {
            return work().await;
        };
        let (done, outcome) = futures::channel::oneshot::channel();
        // The lock is held until the promise this callback returns settles.
        let callback = Closure::once_into_js(move |_lock: JsValue| {
            wasm_bindgen_futures::future_to_promise(async move {
                let _ = done.send(work().await);
                Ok(JsValue::UNDEFINED)
            })
        });
        let Ok(held) = request.call2(&locks, &JsValue::from_str(LOCK), &callback) else {
            return Outcome::Unreachable;
        };
        if let Ok(held) = held.dyn_into::<js_sys::Promise>() {
            let _ = wasm_bindgen_futures::JsFuture::from(held).await;
        }
        outcome.await.unwrap_or(Outcome::Unreachable)
    }
}

/// The token in a stored value. Earlier versions stored it JSON-encoded (in quotes); a JWT never
/// holds a quote, so both forms read the same. Empty means none, and so does anything that is not
/// made of a JWT's characters (base64url and dots): such a value cannot go in a header, and would
/// leave the app stuck waiting for a request that is never sent.
pub fn stored_token(stored: &str) -> Option<&str> {
    let token = stored.trim().trim_matches('"');
    let jwt_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    (!token.is_empty() && token.chars().all(jwt_char)).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserView {
        UserView {
            id: uuid::Uuid::nil(),
            name: "Ann".into(),
            email: "ann@example.com".into(),
            email_verified: false,
            created_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_stored_token_reads_the_same_bare_or_json_encoded() {
        assert_eq!(stored_token("a.b.c"), Some("a.b.c"));
        assert_eq!(stored_token("\"a.b.c\""), Some("a.b.c"));
        assert_eq!(stored_token(""), None);
        assert_eq!(stored_token("\"\""), None);
    }

    #[test]
    fn a_stored_value_that_cannot_be_a_header_is_no_token() {
        for junk in ["a.b\nc", "tök.en.x", "a b.c", "{\"token\":1}", "a.b.c\u{0}"] {
            assert_eq!(stored_token(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn a_token_is_refreshed_a_quarter_of_its_life_early_within_a_second_and_a_minute() {
        assert_eq!(refresh_at(1000, 900), 1000 + 900 - 60);
        assert_eq!(refresh_at(1000, 8), 1000 + 6);
        assert_eq!(refresh_at(1000, 3), 1000 + 2);
        assert_eq!(refresh_at(1000, 0), 1000);
    }

    #[test]
    fn start_up_resolves_the_unknown_state() {
        assert_eq!(
            Session::Unknown.apply(SessionEvent::NoToken),
            Session::SignedOut { ended: false }
        );
        assert_eq!(
            Session::Unknown.apply(SessionEvent::SignedIn(user())),
            Session::SignedIn(user())
        );
        assert_eq!(
            Session::Unknown.apply(SessionEvent::TokenRejected),
            Session::SignedOut { ended: true }
        );
    }

    #[test]
    fn a_rejected_token_ends_the_session_with_a_message() {
        assert_eq!(
            Session::SignedIn(user()).apply(SessionEvent::TokenRejected),
            Session::SignedOut { ended: true }
        );
    }

    #[test]
    fn logging_out_is_not_an_ended_session() {
        assert_eq!(
            Session::SignedIn(user()).apply(SessionEvent::LoggedOut),
            Session::LoggedOut
        );
    }

    #[test]
    fn signing_out_elsewhere_ends_only_a_signed_in_session() {
        assert_eq!(
            Session::SignedIn(user()).apply(SessionEvent::SignedOutElsewhere),
            Session::SignedOut { ended: true }
        );
        let out = Session::SignedOut { ended: false };
        assert_eq!(out.apply(SessionEvent::SignedOutElsewhere), out);
    }

    #[test]
    fn signing_in_replaces_any_state() {
        for state in [
            Session::Unknown,
            Session::SignedOut { ended: true },
            Session::SignedIn(user()),
        ] {
            assert_eq!(
                state.apply(SessionEvent::SignedIn(user())),
                Session::SignedIn(user())
            );
        }
    }
}
