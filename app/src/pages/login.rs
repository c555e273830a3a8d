use crate::auth_api::login;
use crate::components::Field;
use crate::domain::{Email, FieldErrors};
use crate::next::after_login;
use crate::session::{storage, Auth, Session, SessionEvent};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = Auth::get();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let problem = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        problem.set(None);
        let mut found = FieldErrors::new();
        if let Err(e) = Email::parse(&email.get_untracked()) {
            found.insert("email".into(), e.to_string());
        }
        if password.with_untracked(String::is_empty) {
            found.insert("password".into(), "is required".into());
        }
        errors.set(found.clone());
        if !found.is_empty() {
            return;
        }
        pending.set(true);
        let next = query.with_untracked(|q| q.get("next"));
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = login(email.get_untracked(), password.get_untracked()).await;
            pending.set(false);
            match result {
                Ok(signed_in) => {
                    storage::store(&signed_in.access_token);
                    auth.dispatch(SessionEvent::SignedIn(signed_in.user));
                    navigate(&after_login(next.as_deref()), Default::default());
                }
                Err(error) => {
                    password.set(String::new());
                    errors.set(error.fields.clone());
                    problem.set(Some(error.message));
                }
            }
        });
    };

    let ended = move || matches!(auth.0.get(), Session::SignedOut { ended: true });
    view! {
        <Title text="Log in · Gatehouse"/>
        <section class="card form-card">
            <h1>"Log in"</h1>
            <Show when=ended>
                <p class="notice" role="status">"Your session has ended. Please log in again."</p>
            </Show>
            <form on:submit=on_submit novalidate=true>
                <Field id="email" label="Email" kind="email" autocomplete="username" value=email errors=errors/>
                <Field id="password" label="Password" kind="password" autocomplete="current-password" value=password errors=errors/>
                <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
                <button type="submit" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                    {move || if pending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
            <p class="aside">"No account yet? " <A href="/register">"Create one"</A></p>
        </section>
    }
}
