use crate::components::PageTitle;
use crate::components::{AuthForm, Field, SubmitRow};
use crate::domain::NewUser;
use crate::rpc::register;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = AuthForm::new();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // The very rules the server applies, checked before the call.
        let checked = NewUser::check(
            &name.get_untracked(),
            &email.get_untracked(),
            &password.get_untracked(),
        );
        if !form.begin(checked, Some(password)) {
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = register(
                name.get_untracked(),
                email.get_untracked(),
                password.get_untracked(),
            )
            .await;
            form.finish(
                result,
                password,
                |to| navigate(to, Default::default()),
                "/dashboard",
            );
        });
    };

    view! {
        <PageTitle text="Create an account · Gatehouse"/>
        <section class="card form-card">
            <h1>"Create an account"</h1>
            <form method="post" on:submit=on_submit novalidate=true>
                <Field id="name" label="Name" autocomplete="name" value=name errors=form.errors/>
                <Field id="email" label="Email" kind="email" autocomplete="email" value=email errors=form.errors/>
                <Field id="password" label="Password" kind="password" autocomplete="new-password" value=password errors=form.errors/>
                <p class="hint">"8 to 128 characters; a common password will be refused."</p>
                <SubmitRow form label="Create account" busy_label="Creating account…"/>
            </form>
            <p class="aside">"Already registered? " <a href="/login">"Log in"</a></p>
        </section>
    }
}
