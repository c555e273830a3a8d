//! The auth state every page reads: one context holding who is signed in. The access token itself
//! lives in the browser's local storage, never in a signal, a URL or an argument; the refresh
//! token lives in an `HttpOnly` cookie that script cannot read at all ([`refresh`]).

/// The refresh cookie's one request at a time across the browser's tabs.
pub mod refresh;
/// The token in local storage.
pub mod storage;
/// The browser's watch over the session: checked at start, every few seconds, and when another
/// tab changes it.
pub mod watch;

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
