//! The header: the brand, and links that follow the session.

use crate::session::{Auth, Session};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Nav() -> impl IntoView {
    let auth = Auth::get();
    view! {
        <header class="site-header">
            <nav aria-label="Main">
                <A href="/" attr:class="brand">"Gatehouse"</A>
                <A href="/public">"Public page"</A>
                {move || match auth.session.get() {
                    Session::SignedIn(_) => view! {
                        <A href="/dashboard">"Dashboard"</A>
                        <A href="/account">"Account"</A>
                    }.into_any(),
                    Session::SignedOut { .. } | Session::LoggedOut => view! {
                        <A href="/login">"Log in"</A>
                        <A href="/register">"Register"</A>
                    }.into_any(),
                    Session::Unknown => ().into_any(),
                }}
            </nav>
        </header>
    }
}
