//! The Leptos application: the HTML shell (with its Content-Security-Policy), the router, and the
//! session's start in the browser.

use crate::components::Nav;
use crate::pages::{DashboardPage, HomePage, LoginPage, PublicPage, RegisterPage};
use crate::session::{Auth, Session};
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
            <main>
                <Routes fallback=|| view! { <section class="card"><h1>"Page not found"</h1></section> }>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=StaticSegment("public") view=PublicPage/>
                    <Route path=StaticSegment("register") view=RegisterPage/>
                    <Route path=StaticSegment("login") view=LoginPage/>
                    <Route path=StaticSegment("dashboard") view=DashboardPage/>
                </Routes>
            </main>
            <SessionWatcher auth/>
        </Router>
    }
}

/// Inside the router: sends the user to `/login` when the session ends under them.
#[component]
fn SessionWatcher(auth: Auth) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<Session>| {
        let session = auth.0.get();
        let was_signed_in = matches!(
            previous,
            Some(Session::SignedIn(_)) | Some(Session::Unknown)
        );
        if was_signed_in && session == (Session::SignedOut { ended: true }) {
            let path = location.pathname.get_untracked();
            let target = if path == "/dashboard" {
                crate::pages::LOGIN_FOR_DASHBOARD
            } else {
                "/login"
            };
            if path != "/login" {
                navigate(target, Default::default());
            }
        }
        session
    });
}

/// What only runs in the browser: reading the stored token, listening to other tabs, and the
/// readiness marker the end-to-end tests wait for.
mod browser {
    use crate::session::Auth;

    #[cfg(feature = "hydrate")]
    pub fn start(auth: Auth) {
        use crate::auth_api::current_user;
        use crate::session::{storage, SessionEvent, TOKEN_KEY};
        use leptos::prelude::*;

        let restore = move || match storage::token() {
            None => auth.dispatch(SessionEvent::NoToken),
            Some(_) => leptos::task::spawn_local(async move {
                match current_user().await {
                    Ok(user) => auth.dispatch(SessionEvent::SignedIn(user)),
                    Err(error) if error.ends_session() => {
                        storage::clear();
                        auth.dispatch(SessionEvent::TokenRejected);
                    }
                    // The server is unreachable: not signed in, but the token is kept.
                    Err(_) => auth.dispatch(SessionEvent::NoToken),
                }
            }),
        };
        restore();

        // Another tab logged out (or in): follow it at once.
        let handle = window_event_listener(leptos::ev::storage, move |event| {
            if event.key().as_deref() != Some(TOKEN_KEY) && event.key().is_some() {
                return;
            }
            match event.new_value() {
                None => auth.dispatch(SessionEvent::SignedOutElsewhere),
                Some(_) => restore(),
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
