//! The "Profile" section: the name, and "Save".

use crate::components::{AuthForm, Field, SubmitRow};
use crate::rpc::rename;
use crate::session::{Auth, Session, SessionEvent};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn ProfileSection() -> impl IntoView {
    let auth = Auth::get();
    let current = auth.session.with_untracked(|s| match s {
        Session::SignedIn(user) => user.name.clone(),
        _ => String::new(),
    });
    let name = RwSignal::new(current);
    let form = AuthForm::new();
    let saved = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        if !form.begin(Ok(()), None) {
            return;
        }
        spawn_local(async move {
            if let Some(user) = form.settle(rename(name.get_untracked()).await, None) {
                name.set(user.name.clone());
                auth.dispatch(SessionEvent::SignedIn(user));
                saved.set(true);
            }
        });
    };
    view! {
        <section class="account-section" aria-labelledby="profile">
            <h2 id="profile">"Profile"</h2>
            <form on:submit=on_submit novalidate=true>
                <Field id="name" label="Name" autocomplete="name" value=name errors=form.errors/>
                <SubmitRow form label="Save" busy_label="Saving…"/>
            </form>
            <p class="status" role="status">{move || saved.get().then_some("Saved.")}</p>
        </section>
    }
}
