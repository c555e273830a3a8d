//! The guard of every signed-in page: a page is mounted through [`signed_in`], never on its own.
//! While the session is being checked the guard shows a neutral loading state (what the server
//! renders, so hydration matches); without a session it sends the browser to
//! `/login?next=<this page>`. (A wrapper rather than a parent route: Leptos's nested routing costs
//! 8 KB of the WASM's gzip size, more than its 200 KB budget has room for.)

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
    move || match auth.session.get() {
        Session::SignedIn(_) => page().into_any(),
        _ => view! {
            <section class="card">
                <p class="loading" aria-busy="true">"Checking your session…"</p>
            </section>
        }
        .into_any(),
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
