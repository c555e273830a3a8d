//! One component per page of docs/api.md, "The web app".
//!
//! Every visitor downloads the one WASM that hydrates the public pages; its budget is 200 KB gzip.
//! The content of the signed-in pages (`/dashboard`, `/account`) is made by [`page_chunk!`]: with
//! the `split` feature (`make build`: `cargo leptos build --release --split --lib-features split`)
//! it is `#[lazy]`, a WASM chunk of its own, fetched when the page first opens. These pages are rendered only in the browser (the server renders the guard's
//! "checking your session"), so nothing of them is hydrated. A plain `cargo leptos build` (and
//! `cargo leptos watch`) leaves everything in one WASM: the same app, larger.

/// `async fn $name() -> AnyView` rendering the component `$content`; with the `split` feature, a
/// `#[lazy]` function (a WASM chunk of its own). Used as `{Suspend::new($name())}`.
macro_rules! page_chunk {
    ($vis:vis $name:ident, $content:ident) => {
        #[cfg(feature = "split")]
        #[leptos::prelude::lazy]
        $vis fn $name() -> leptos::prelude::AnyView {
            leptos::prelude::IntoAny::into_any(leptos::prelude::view! { <$content/> })
        }

        #[cfg(not(feature = "split"))]
        $vis async fn $name() -> leptos::prelude::AnyView {
            leptos::prelude::IntoAny::into_any(leptos::prelude::view! { <$content/> })
        }
    };
}

mod account;
mod dashboard;
mod forgot_password;
mod home;
mod login;
mod public;
mod register;
mod reset_password;
mod verify_email;

pub use account::AccountPage;
pub use dashboard::DashboardPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use public::PublicPage;
pub use register::RegisterPage;

use crate::components::{Content, InBrowser};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The pages made in the browser only ([`InBrowser`]): `/forgot-password`, and the two pages of a
/// mailed link, `/reset-password` and `/verify-email`. One view serves the three routes and picks
/// by the path: every route with a view of its own adds an arm to the router's match, which the
/// WASM pays for in every visitor's download.
#[component]
pub fn InBrowserPage() -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let (title, content): (&'static str, Content) = match path.trim_end_matches('/') {
        "/forgot-password" => (forgot_password::TITLE, || {
            Box::pin(forgot_password::forgot_form())
        }),
        "/reset-password" => (reset_password::TITLE, || {
            Box::pin(reset_password::reset_form())
        }),
        _ => (verify_email::TITLE, || {
            Box::pin(verify_email::confirmation())
        }),
    };
    view! { <InBrowser title content/> }
}

/// The token of a mailed link: the page's URL fragment, `#token=…` (docs/api.md, "The account over email"). Empty on the
/// server, which never sees a fragment, and when the URL has none.
fn link_token() -> String {
    #[cfg(feature = "hydrate")]
    {
        let hash = leptos::prelude::window()
            .location()
            .hash()
            .unwrap_or_default();
        hash.strip_prefix("#token=").unwrap_or_default().to_owned()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}
