//! The header: the brand, and links that follow the session.

use crate::session::{Auth, Session};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Nav() -> impl IntoView {
    let auth = Auth::get();
    view! {
        <header class="site-header">
            <nav aria-label="Main">
                <NavLink href="/" class="brand" text="Gatehouse"/>
                <NavLink href="/public" text="Public page"/>
                {move || match auth.session.get() {
                    Session::SignedIn(_) => view! {
                        <NavLink href="/dashboard" text="Dashboard"/>
                        <NavLink href="/account" text="Account"/>
                    }.into_any(),
                    Session::SignedOut { .. } | Session::LoggedOut => view! {
                        <NavLink href="/login" text="Log in"/>
                        <NavLink href="/register" text="Register"/>
                    }.into_any(),
                    Session::Unknown => ().into_any(),
                }}
            </nav>
        </header>
    }
}

/// A link of the header, marked `aria-current="page"` on its own page. (The router follows a plain
/// `<a>` without reloading; Leptos's `A` does more than this needs, at about a kilobyte of the
/// WASM's budget.)
#[component]
fn NavLink(
    href: &'static str,
    #[prop(optional)] class: &'static str,
    text: &'static str,
) -> impl IntoView {
    let location = use_location();
    let current = move || {
        location
            .pathname
            .with(|path| path == href)
            .then_some("page")
    };
    view! { <a href=href class=class aria-current=current>{text}</a> }
}
