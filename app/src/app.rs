//! The Leptos application: the HTML shell (with its Content-Security-Policy), the router, and the
//! session's start in the browser.

use crate::components::{signed_in, Nav, PageTitle, Unreachable};
use crate::pages::{
    AccountPage, DashboardPage, HomePage, InBrowserPage, LoginPage, PublicPage, RegisterPage,
};
use crate::session::Auth;
use leptos::prelude::*;
use leptos_meta::MetaTags;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::StaticSegment;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::set_headers(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // Static head tags live here, in the server-only shell, so the WASM has no code for them.
                <link rel="stylesheet" id="leptos" href="/pkg/gatehouse.css"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    // leptos_meta's context is the server's only (`PageTitle`).
    #[cfg(feature = "ssr")]
    leptos_meta::provide_meta_context();
    let auth = Auth::provide();
    // Only the browser can read local storage: the session starts after hydration.
    Effect::new(move |_| browser::start(auth));

    view! {
        <Router>
            <Nav/>
            <Unreachable/>
            <main>
                <Routes fallback=|| view! {
                    <PageTitle text="Page not found · Gatehouse"/>
                    <section class="card">
                        <h1>"Page not found"</h1>
                        <p>"There is no page at this address."</p>
                        <p><a href="/">"Go to the home page"</a></p>
                    </section>
                }>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=StaticSegment("public") view=PublicPage/>
                    <Route path=StaticSegment("register") view=RegisterPage/>
                    <Route path=StaticSegment("login") view=LoginPage/>
                    // Made in the browser: the pages of a mailed link, and the reset link's request.
                    <Route path=StaticSegment("forgot-password") view=InBrowserPage/>
                    <Route path=StaticSegment("reset-password") view=InBrowserPage/>
                    <Route path=StaticSegment("verify-email") view=InBrowserPage/>
                    // Every signed-in page is mounted through the guard.
                    <Route path=StaticSegment("dashboard") view=|| signed_in(DashboardPage)/>
                    <Route path=StaticSegment("account") view=|| signed_in(AccountPage)/>
                </Routes>
            </main>
        </Router>
    }
}

/// What only runs in the browser: reading the stored token, checking it with the server now and
/// every few seconds (a session ended elsewhere ends on an open page), refreshing it before it
/// expires and once on a refusal, following other tabs, and the readiness marker the end-to-end
/// tests wait for.
mod browser {
    use crate::session::Auth;

    /// How often an open page looks at its token's age (no request unless a refresh is due).
    #[cfg(feature = "hydrate")]
    const TICK: std::time::Duration = std::time::Duration::from_secs(1);
    /// Every this many ticks, an open page asks the server whether its session still holds.
    #[cfg(feature = "hydrate")]
    const RECHECK_EVERY_TICKS: u32 = 5;

    #[cfg(feature = "hydrate")]
    pub fn start(auth: Auth) {
        use crate::session::{storage, Session, SessionEvent, TOKEN_KEY};
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
        use crate::rpc::current_user;
        use crate::session::refresh::{self, Outcome};
        use crate::session::{storage, SessionEvent};
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
        auth.dispatch(crate::session::SessionEvent::TokenRejected);
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn start(_auth: Auth) {}
}

/// Security headers for every page: a nonce-based CSP (no `unsafe-inline` scripts), no framing.
#[cfg(feature = "ssr")]
pub mod security {
    use leptos::config::LeptosOptions;
    use leptos::prelude::*;

    pub fn content_security_policy(nonce: &str, options: &LeptosOptions) -> String {
        // Under `cargo leptos watch` (LEPTOS_WATCH), the page reloads through a websocket on its own port.
        let reload = if std::env::var_os("LEPTOS_WATCH").is_some() {
            let port = options.reload_external_port.unwrap_or(options.reload_port);
            format!(" ws://127.0.0.1:{port} ws://localhost:{port}")
        } else {
            String::new()
        };
        format!(
            "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'{reload}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    }

    pub fn set_headers(options: &LeptosOptions) {
        use axum::http::{header, HeaderValue};
        let (Some(nonce), Some(response)) = (
            leptos::nonce::use_nonce(),
            use_context::<leptos_axum::ResponseOptions>(),
        ) else {
            return;
        };
        if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce, options)) {
            response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
}
