//! `/forgot-password`: asks for a reset link. The answer is the same whether or not the address
//! has an account, and so is what the page says. Made in the browser (`InBrowserPage`), from a WASM
//! chunk of its own: a page few visitors need stays out of what every visitor downloads.

use crate::components::{AuthForm, Field, SubmitRow};
use crate::domain::{Email, FieldErrors};
use crate::rpc::forgot_password;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The page's title (the server renders it too).
pub const TITLE: &str = "Forgot your password? · Gatehouse";

page_chunk!(pub(super) forgot_form, ForgotPasswordForm);

#[component]
fn ForgotPasswordForm() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let form = AuthForm::new();
    let sent = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let checked = Email::check(&email.get_untracked())
            .map(drop)
            .map_err(|e| FieldErrors::from([("email".into(), e.to_string())]));
        if !form.begin(checked, None) {
            return;
        }
        spawn_local(async move {
            let result = forgot_password(email.get_untracked()).await;
            if form.settle(result, None).is_some() {
                sent.set(true);
            }
        });
    };

    view! {
        <section class="card form-card">
            <h1>"Forgot your password?"</h1>
            <Show
                when=move || sent.get()
                fallback=move || view! {
                    <p>"Type the email address of your account: we will mail you a link to choose a new password."</p>
                    <form method="post" on:submit=on_submit novalidate=true>
                        <Field id="email" label="Email" kind="email" autocomplete="username" value=email errors=form.errors/>
                        <SubmitRow form label="Send reset link" busy_label="Sending…"/>
                    </form>
                }
            >
                <p class="notice" role="status">
                    "If an account uses " <strong>{move || email.get()}</strong>
                    ", a link to reset its password is on its way. Check your inbox."
                </p>
            </Show>
            <p class="aside"><a href="/login">"Back to log in"</a></p>
        </section>
    }
}
