//! The Leptos application: the HTML shell (with its Content-Security-Policy) and the router. The
//! browser's session is `session`'s (its watch starts once the page has hydrated).

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
    Effect::new(move |_| crate::session::watch::start(auth));

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
