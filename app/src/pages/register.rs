use crate::auth_api::register;
use crate::components::Field;
use crate::domain::NewUser;
use crate::session::{storage, Auth, SessionEvent};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let auth = Auth::get();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Default::default());
    let problem = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        problem.set(None);
        // The very rules the server applies, checked before the call.
        if let Err(found) = NewUser::parse(
            &name.get_untracked(),
            &email.get_untracked(),
            password.get_untracked(),
        ) {
            errors.set(found);
            return;
        }
        errors.set(Default::default());
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = register(
                name.get_untracked(),
                email.get_untracked(),
                password.get_untracked(),
            )
            .await;
            pending.set(false);
            match result {
                Ok(signed_in) => {
                    storage::store(&signed_in.access_token);
                    auth.dispatch(SessionEvent::SignedIn(signed_in.user));
                    navigate("/dashboard", Default::default());
                }
                Err(error) => {
                    password.set(String::new());
                    errors.set(error.fields.clone());
                    problem.set(Some(error.message));
                }
            }
        });
    };

    view! {
        <Title text="Create an account · Gatehouse"/>
        <section class="card form-card">
            <h1>"Create an account"</h1>
            <form on:submit=on_submit novalidate=true>
                <Field id="name" label="Name" autocomplete="name" value=name errors=errors/>
                <Field id="email" label="Email" kind="email" autocomplete="email" value=email errors=errors/>
                <Field id="password" label="Password" kind="password" autocomplete="new-password" value=password errors=errors/>
                <p class="hint">"8 to 128 characters; a common password will be refused."</p>
                <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
                <button type="submit" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                    {move || if pending.get() { "Creating account…" } else { "Create account" }}
                </button>
            </form>
            <p class="aside">"Already registered? " <A href="/login">"Log in"</A></p>
        </section>
    }
}
