use crate::components::PageTitle;
use crate::components::{AuthForm, Field, SubmitRow};
use crate::domain::Credentials;
use crate::redirect::after_login;
use crate::rpc::login;
use crate::session::{Auth, Session};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = Auth::get();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = AuthForm::new();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let checked = Credentials::check(&email.get_untracked(), &password.get_untracked());
        if !form.begin(checked, Some(password)) {
            return;
        }
        let target = after_login(query.with_untracked(|q| q.get("next")).as_deref());
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = login(email.get_untracked(), password.get_untracked()).await;
            form.finish(
                result,
                password,
                |to| navigate(to, Default::default()),
                &target,
            );
        });
    };

    let ended = move || matches!(auth.session.get(), Session::SignedOut { ended: true });
    view! {
        <PageTitle text="Log in · Gatehouse"/>
        <section class="card form-card">
            <h1>"Log in"</h1>
            <Show when=ended>
                <p class="notice" role="status">"Your session has ended. Please log in again."</p>
            </Show>
            <form method="post" on:submit=on_submit novalidate=true>
                <Field id="email" label="Email" kind="email" autocomplete="username" value=email errors=form.errors/>
                <Field id="password" label="Password" kind="password" autocomplete="current-password" value=password errors=form.errors/>
                <SubmitRow form label="Log in" busy_label="Logging in…"/>
            </form>
            <p class="aside"><a href="/forgot-password">"Forgot your password?"</a></p>
            <p class="aside">"No account yet? " <a href="/register">"Create one"</a></p>
        </section>
    }
}
