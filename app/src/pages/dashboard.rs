//! `/dashboard`: the page only a valid token opens (mounted under the signed-in guard).

use crate::components::PageTitle;
use crate::domain::LogoutScope;
use crate::rpc::{logout, resend_verification};
use crate::session::{storage, Auth, Session, SessionEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
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
                    {(!user.email_verified).then(|| view! { <ConfirmNotice/> })}
                    <p>"You are signed in as " <strong class="email">{user.email}</strong> "."</p>
                    <p>"Only a valid token opens this page. " <a href="/account">"Your account and sessions"</a></p>
                    <button type="button" class="secondary" on:click=on_logout.clone() disabled=move || leaving.get()>
                        {move || if leaving.get() { "Logging out…" } else { "Log out" }}
                    </button>
                }.into_any(),
                _ => view! { <p class="loading" aria-busy="true">"Checking your session…"</p> }.into_any(),
            }}
        </section>
    }
}

/// Until the address is confirmed: the notice, and "Resend" for another link (the server mails at
/// most one a minute, and says the same either way).
#[component]
fn ConfirmNotice() -> impl IntoView {
    // What the last "Resend" came to: nothing yet, under way, or its words.
    let status = RwSignal::new(None::<&'static str>);
    let on_resend = move |_| {
        if status.get_untracked() == Some("Sending…") {
            return;
        }
        status.set(Some("Sending…"));
        spawn_local(async move {
            status.set(Some(match resend_verification().await {
                Ok(()) => "Sent, unless one went out in the last minute. Check your inbox.",
                Err(_) => "The link could not be sent. Try again in a moment.",
            }));
        });
    };
    view! {
        <div class="notice confirm-notice" role="status">
            <p><strong>"Please confirm your email address"</strong>": open the link we mailed you."</p>
            <button type="button" class="secondary" on:click=on_resend disabled=move || status.get() == Some("Sending…")>
                "Resend"
            </button>
            <p>{move || status.get()}</p>
        </div>
    }
}
