//! The guard of every signed-in page: a page is mounted through [`signed_in`], never on its own;
//! and [`InBrowser`], for the pages made in the browser only.
//! While the session is being checked the guard shows a neutral loading state (what the server
//! renders, so hydration matches); without a session it sends the browser to
//! `/login?next=<this page>`. (A wrapper rather than a parent route: Leptos's nested routing costs
//! 8 KB of the WASM's gzip size, more than its 200 KB budget has room for.)

use super::PageTitle;
use crate::session::{Auth, Session};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

/// Where a signed-out visitor of `path` (with its query) is sent.
pub fn login_for(path: &str) -> String {
    format!("/login?next={}", encode_query_value(path))
}

/// Percent-encodes what would end or split a query value.
fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(char::from(byte))
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

/// The view of a signed-in page's route: `view=|| signed_in(DashboardPage)`.
pub fn signed_in<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    view! { <SignedInOnly page/> }
}

#[component]
fn SignedInOnly<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    let auth = Auth::get();
    let navigate = use_navigate();
    let location = use_location();
    // Runs in the browser only, once the session is known. "Log out" (`LoggedOut`) is left to the
    // page that did it, which goes to `/login` itself.
    Effect::new(move |_| {
        if let Session::SignedOut { .. } = auth.session.get() {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            navigate(
                &login_for(&here),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    // The page is made once per sign-in: a change of the user's name or address (the account
    // page's own doing) must not make it again, and lose what its forms hold.
    let signed_in = Memo::new(move |_| matches!(auth.session.get(), Session::SignedIn(_)));
    move || match signed_in.get() {
        true => page().into_any(),
        false => view! {
            <section class="card">
                <p class="loading" aria-busy="true">"Checking your session…"</p>
            </section>
        }
        .into_any(),
    }
}

/// A page's content as [`InBrowser`] takes it: `|| Box::pin(content())`, where `content` is a
/// [`page_chunk!`](crate::pages) function. Boxed, so that one `InBrowser` serves every such page
/// (a generic one costs the WASM a copy per page).
pub type Content = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = AnyView> + Send>>;

/// A page made in the browser only: the server renders a neutral "Loading…" (what hydration
/// finds), and once the app runs, `content` replaces it. For the pages of a mailed link, whose
/// token is in the URL's fragment, which only the browser sees, and pages few visitors need.
/// `title` is the page's title, rendered by the server too.
#[component]
pub fn InBrowser(title: &'static str, content: Content) -> impl IntoView {
    let running = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| running.set(true));
    let page = move || {
        if running.get() {
            Suspend::new(content()).into_any()
        } else {
            view! {
                <section class="card">
                    <p class="loading" aria-busy="true">"Loading…"</p>
                </section>
            }
            .into_any()
        }
    };
    view! {
        <PageTitle text=title/>
        {page}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_link_names_the_page_and_its_query() {
        assert_eq!(login_for("/dashboard"), "/login?next=/dashboard");
        assert_eq!(
            login_for("/account?tab=a&b=c"),
            "/login?next=/account%3Ftab%3Da%26b%3Dc"
        );
    }
}
