//! The "Password" section: the current password and a new one. Every other session ends.

use crate::components::{AuthForm, Field, SubmitRow};
use crate::rpc::change_password;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn PasswordSection() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let form = AuthForm::new();
    let changed = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        changed.set(false);
        if !form.begin(Ok(()), Some(current)) {
            return;
        }
        spawn_local(async move {
            let result = change_password(current.get_untracked(), new.get_untracked()).await;
            let ok = form.settle(result, Some(current)).is_some();
            new.set(String::new());
            if ok {
                current.set(String::new());
                changed.set(true);
            }
        });
    };
    view! {
        <section class="account-section" aria-labelledby="password-section">
            <h2 id="password-section">"Password"</h2>
            <form on:submit=on_submit novalidate=true>
                <Field id="current-password" key="current_password" label="Current password" kind="password" autocomplete="current-password" value=current errors=form.errors/>
                <Field id="new-password" key="new_password" label="New password" kind="password" autocomplete="new-password" value=new errors=form.errors/>
                <SubmitRow form label="Change password" busy_label="Changing…"/>
            </form>
            <p class="status" role="status">
                {move || changed.get().then_some("Password changed. Every other session was signed out.")}
            </p>
        </section>
    }
}
