//! What only runs in the browser: reading the stored token, checking it with the server now and
//! every few seconds (a session ended elsewhere ends on an open page), refreshing it before it
//! expires and once on a refusal, following other tabs, and the readiness marker the end-to-end
//! tests wait for.

use super::Auth;

/// How often an open page looks at its token's age (no request unless a refresh is due).
#[cfg(feature = "hydrate")]
const TICK: std::time::Duration = std::time::Duration::from_secs(1);
/// Every this many ticks, an open page asks the server whether its session still holds.
#[cfg(feature = "hydrate")]
const RECHECK_EVERY_TICKS: u32 = 5;

#[cfg(feature = "hydrate")]
pub fn start(auth: Auth) {
    use super::{storage, Session, SessionEvent, TOKEN_KEY};
    use leptos::prelude::*;
    use std::cell::Cell;

    // The timer's state: whether a check is running (one at a time from the timer; a storage
    // event checks regardless), and the ticks so far. It lives as long as the page, like the
    // interval, so it is simply leaked: plain cells, no reactive storage.
    let busy: &'static Cell<bool> = Box::leak(Box::new(Cell::new(false)));
    let ticks: &'static Cell<u32> = Box::leak(Box::new(Cell::new(0)));
    let check = move || match storage::token() {
        None => auth.dispatch(SessionEvent::NoToken),
        Some(token) => {
            busy.set(true);
            leptos::task::spawn_local(async move {
                confirm(auth, token).await;
                busy.set(false);
            });
        }
    };
    check();

    // A signed-in page refreshes when its token is due, and checks every few seconds; a page
    // waiting for the server keeps trying.
    let tick = move || {
        ticks.set(ticks.get().wrapping_add(1));
        let signed_in = matches!(auth.session.get_untracked(), Session::SignedIn(_));
        let waiting = auth.unreachable.get_untracked();
        let recheck = ticks.get().is_multiple_of(RECHECK_EVERY_TICKS);
        let due = signed_in && storage::refresh_due();
        if !busy.get() && (due || (recheck && (signed_in || waiting))) {
            check();
        }
    };
    // The app lives as long as the page: the interval is never cleared.
    let _ = set_interval_with_handle(tick, TICK);

    // Another tab logged out, logged in, or refreshed: follow it at once.
    let handle = window_event_listener(leptos::ev::storage, move |event| {
        if event.key().as_deref() != Some(TOKEN_KEY) && event.key().is_some() {
            return;
        }
        match event.new_value() {
            None => auth.dispatch(SessionEvent::SignedOutElsewhere),
            Some(_) => check(),
        }
    });
    std::mem::forget(handle);

    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// Asks the server whose the stored token is: refreshing it first when it is due, and once
/// more when the server refuses it (it may just have expired). The session ends only when
/// the refresh is refused too; an unreachable server ends nothing.
#[cfg(feature = "hydrate")]
async fn confirm(auth: Auth, mut token: String) {
    use super::refresh::{self, Outcome};
    use super::{storage, SessionEvent};
    use crate::rpc::current_user;
    use leptos::prelude::*;

    if storage::refresh_due() {
        match refresh::run(token.clone()).await {
            Outcome::Refreshed(fresh) => token = fresh,
            Outcome::Ended => return end(auth),
            // The token may still be good: ask.
            Outcome::Unreachable => {}
        }
    }
    let mut refreshed_on_refusal = false;
    loop {
        match current_user().await {
            Ok(user) => {
                auth.unreachable.set(false);
                return auth.dispatch(SessionEvent::SignedIn(user));
            }
            Err(error) if error.ends_session() && !refreshed_on_refusal => {
                refreshed_on_refusal = true;
                match refresh::run(token.clone()).await {
                    Outcome::Refreshed(fresh) => token = fresh,
                    Outcome::Ended => return end(auth),
                    Outcome::Unreachable => return auth.unreachable.set(true),
                }
            }
            Err(error) if error.ends_session() => {
                // Only if storage still holds the refused token; a newer one is checked by
                // the storage event of the tab that stored it, or the next round.
                if storage::clear_if(&token) {
                    end(auth);
                }
                return;
            }
            // The server cannot be reached: say so, keep the token and the session.
            Err(_) => return auth.unreachable.set(true),
        }
    }
}

#[cfg(feature = "hydrate")]
fn end(auth: Auth) {
    use leptos::prelude::*;
    auth.unreachable.set(false);
    auth.dispatch(super::SessionEvent::TokenRejected);
}

#[cfg(not(feature = "hydrate"))]
pub fn start(_auth: Auth) {}
