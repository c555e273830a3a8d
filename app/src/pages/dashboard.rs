//! `/dashboard`: the page only a valid token opens (mounted under the signed-in guard).

use crate::components::PageTitle;
use crate::domain::LogoutScope;
use crate::rpc::logout;
use crate::session::{storage, Auth, Session, SessionEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <PageTitle text="Dashboard · Gatehouse"/>
        {Suspend::new(content())}
    }
}

page_chunk!(content, DashboardContent);

#[component]
fn DashboardContent() -> impl IntoView {
    let auth = Auth::get();
    let navigate = use_navigate();

    let leaving = RwSignal::new(false);
    let on_logout = move |_| {
        if leaving.get_untracked() {
            return;
        }
        leaving.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            // End the session on the server (which also removes the refresh cookie); whatever it
            // answers, this browser forgets the token.
            if let Err(error) = logout(LogoutScope::Local).await {
                leptos::logging::debug_warn!("logout: {error}");
            }
            storage::clear();
            auth.dispatch(SessionEvent::LoggedOut);
            navigate("/login", Default::default());
        });
    };

    view! {
        <section class="card">
            {move || match auth.session.get() {
                Session::SignedIn(user) => view! {
                    <h1>{format!("Welcome, {}!", user.name)}</h1>
                    <p>"You are signed in as " <strong class="email">{user.email}</strong> "."</p>
                    <p>"Only a valid token opens this page. " <A href="/account">"Your account and sessions"</A></p>
                    <button type="button" class="secondary" on:click=on_logout.clone() disabled=move || leaving.get()>
                        {move || if leaving.get() { "Logging out…" } else { "Log out" }}
                    </button>
                }.into_any(),
                _ => view! { <p class="loading" aria-busy="true">"Checking your session…"</p> }.into_any(),
            }}
        </section>
    }
}
