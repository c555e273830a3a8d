//! The Leptos application: the HTML shell (with its Content-Security-Policy), the router, and the
//! session's start in the browser.

use crate::components::{signed_in, Nav, Unreachable};
use crate::pages::{DashboardPage, HomePage, LoginPage, PublicPage, RegisterPage};
use crate::session::Auth;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
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
    provide_meta_context();
    let auth = Auth::provide();
    // Only the browser can read local storage: the session starts after hydration.
    Effect::new(move |_| browser::start(auth));

    view! {
        <Title text="Gatehouse"/>
        <Router>
            <Nav/>
            <Unreachable/>
            <main>
                <Routes fallback=|| view! { <section class="card"><h1>"Page not found"</h1></section> }>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=StaticSegment("public") view=PublicPage/>
                    <Route path=StaticSegment("register") view=RegisterPage/>
                    <Route path=StaticSegment("login") view=LoginPage/>
                    // Every signed-in page is mounted through the guard.
                    <Route path=StaticSegment("dashboard") view=|| signed_in(DashboardPage)/>
                </Routes>
            </main>
        </Router>
    }
}

/// What only runs in the browser: reading the stored token, checking it with the server now and
/// every few seconds (a token expired or revoked elsewhere ends the session on an open page),
/// following other tabs, and the readiness marker the end-to-end tests wait for.
mod browser {
    use crate::session::Auth;

    /// How often an open page asks the server whether its session still holds.
    #[cfg(feature = "hydrate")]
    const RECHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

    #[cfg(feature = "hydrate")]
    pub fn start(auth: Auth) {
        use crate::rpc::current_user;
        use crate::session::{storage, Session, SessionEvent, TOKEN_KEY};
        use leptos::prelude::*;

        let check = move || match storage::token() {
            None => auth.dispatch(SessionEvent::NoToken),
            Some(token) => leptos::task::spawn_local(async move {
                match current_user().await {
                    Ok(user) => {
                        auth.unreachable.set(false);
                        auth.dispatch(SessionEvent::SignedIn(user));
                    }
                    Err(error) if error.ends_session() => {
                        auth.unreachable.set(false);
                        // Only if storage still holds the refused token; a newer one is checked
                        // by the storage event of the tab that stored it, or the next round.
                        if storage::clear_if(&token) {
                            auth.dispatch(SessionEvent::TokenRejected);
                        }
                    }
                    // The server cannot be reached: say so, keep the token and the session.
                    Err(_) => auth.unreachable.set(true),
                }
            }),
        };
        check();

        // A signed-in page (or one waiting for the server) checks again every few seconds.
        let recheck = move || {
            let waiting = auth.unreachable.get_untracked();
            if waiting || matches!(auth.session.get_untracked(), Session::SignedIn(_)) {
                check();
            }
        };
        // The app lives as long as the page: the interval is never cleared.
        let _ = set_interval_with_handle(recheck, RECHECK_EVERY);

        // Another tab logged out (or in): follow it at once.
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
