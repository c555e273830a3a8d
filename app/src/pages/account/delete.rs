//! The "Delete account" section: the password, "Delete account", and a second, explicit "yes"
//! before anything happens.

use crate::components::{AuthForm, Field, SubmitRow};
use crate::rpc::delete_account;
use crate::session::{storage, Auth, SessionEvent};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

#[component]
pub fn DeleteSection() -> impl IntoView {
    let auth = Auth::get();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let form = AuthForm::new();
    // The first press asks; the "yes" deletes.
    let asking = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        asking.set(true);
    };
    let on_confirm = move |_| {
        asking.set(false);
        if !form.begin(Ok(()), Some(password)) {
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            if form
                .settle(
                    delete_account(password.get_untracked()).await,
                    Some(password),
                )
                .is_some()
            {
                storage::clear();
                auth.dispatch(SessionEvent::LoggedOut);
                navigate("/", Default::default());
            }
        });
    };
    view! {
        <section class="account-section danger" aria-labelledby="delete-section">
            <h2 id="delete-section">"Delete account"</h2>
            <p>"This deletes your account, its sessions and everything in it. It cannot be undone."</p>
            <form on:submit=on_submit novalidate=true>
                <Field id="delete-password" key="password" label="Password" kind="password" autocomplete="current-password" value=password errors=form.errors/>
                <SubmitRow form label="Delete account" busy_label="Deleting…" class="danger-outline"/>
            </form>
            <Show when=move || asking.get()>
                <div class="confirm" role="alertdialog" aria-labelledby="delete-question">
                    <p id="delete-question"><strong>"Delete your account for good?"</strong></p>
                    <button type="button" class="danger" on:click=on_confirm.clone()>"Yes, delete my account"</button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(false)>"Cancel"</button>
                </div>
            </Show>
        </section>
    }
}
