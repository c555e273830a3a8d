//! `/reset-password#token=…`: sets a new password with the link's token. The token stays in the
//! fragment (never sent to a server by the browser, never in a `Referer`); the form posts it.
//! Only the browser sees the fragment, so the page is made there (`InBrowserPage`): the server
//! renders "Loading…", and the form comes in a WASM chunk of its own.

use super::link_token;
use crate::components::{AuthForm, Field, SubmitRow};
use crate::domain::{FieldErrors, Password};
use crate::rpc::reset_password;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The page's title (the server renders it too).
pub const TITLE: &str = "Choose a new password · Gatehouse";

page_chunk!(pub(super) reset_form, ResetPasswordForm);

#[component]
fn ResetPasswordForm() -> impl IntoView {
    let password = RwSignal::new(String::new());
    let form = AuthForm::new();
    let done = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let checked = Password::check(&password.get_untracked())
            .map_err(|e| FieldErrors::from([("password".into(), e.to_string())]));
        if !form.begin(checked, Some(password)) {
            return;
        }
        spawn_local(async move {
            let result = reset_password(link_token(), password.get_untracked()).await;
            if form.settle(result, Some(password)).is_some() {
                done.set(true);
            }
        });
    };

    view! {
        <section class="card form-card">
            <h1>"Choose a new password"</h1>
            <Show
                when=move || done.get()
                fallback=move || view! {
                    <form method="post" on:submit=on_submit novalidate=true>
                        <Field id="password" label="New password" kind="password" autocomplete="new-password" value=password errors=form.errors/>
                        <SubmitRow form label="Set password" busy_label="Setting…"/>
                    </form>
                    <p class="aside">"Link expired? " <a href="/forgot-password">"Ask for a new one"</a></p>
                }
            >
                <p class="notice" role="status">"Your password is set, and every session was signed out."</p>
                <p><a href="/login">"Log in with your new password"</a></p>
            </Show>
        </section>
    }
}
