//! The "Email" section: a new address and the password; the address changes when the link mailed
//! to it is opened.

use crate::components::{AuthForm, Field, SubmitRow};
use crate::rpc::change_email;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn EmailSection() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = AuthForm::new();
    let sent_to = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        sent_to.set(None);
        if !form.begin(Ok(()), Some(password)) {
            return;
        }
        spawn_local(async move {
            let result = change_email(password.get_untracked(), email.get_untracked()).await;
            if form.settle(result, Some(password)).is_some() {
                password.set(String::new());
                sent_to.set(Some(email.get_untracked()));
            }
        });
    };
    view! {
        <section class="account-section" aria-labelledby="email-section">
            <h2 id="email-section">"Email"</h2>
            <form on:submit=on_submit novalidate=true>
                <Field id="new-email" key="email" label="New email" kind="email" autocomplete="email" value=email errors=form.errors/>
                <Field id="email-password" key="password" label="Password" kind="password" autocomplete="current-password" value=password errors=form.errors/>
                <SubmitRow form label="Change email" busy_label="Sending…"/>
            </form>
            <p class="status" role="status">
                {move || sent_to.get().map(|to| format!("We sent a link to {to}. Your address changes when you open it."))}
            </p>
        </section>
    }
}
