//! What every form shares (login, registration, the account's forms, the password reset): field
//! errors, the form's own error, progress that blocks a second submit, a submit button that waits
//! for the app to run, and what happens when the server answers.
//!
//! Before the WASM runs, a form must not submit anything useful, and above all not put a password
//! in a URL: the forms are `method="post"` (a submit the app does not catch posts to the page,
//! whose server route drops the body and redirects back), and their button stays disabled until the
//! app has hydrated, which also stops Enter (implicit submission needs an enabled button).

use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::rpc::SignedIn;
use crate::session::{storage, Auth, SessionEvent};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct AuthForm {
    pub errors: RwSignal<FieldErrors>,
    problem: RwSignal<Option<String>>,
    pending: RwSignal<bool>,
    /// Set once the app runs in the browser; until then the button is disabled.
    ready: RwSignal<bool>,
    /// Taken when the page is built: the server's answer arrives outside the reactive owner.
    auth: Auth,
}

impl AuthForm {
    /// Call in a component's body.
    // Not `Default`: it reads the auth context, which only exists inside the app.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let ready = RwSignal::new(false);
        // Effects run only in the browser, after hydration: the server renders the button disabled.
        Effect::new(move |_| ready.set(true));
        Self {
            errors: RwSignal::new(FieldErrors::new()),
            problem: RwSignal::new(None),
            pending: RwSignal::new(false),
            ready,
            auth: Auth::get(),
        }
    }

    /// Starts a submission: false while one is running, or when the browser-side check found
    /// problems (they are shown next to their fields, and the password, if the form has one, is
    /// cleared, as after an error from the server).
    pub fn begin(
        &self,
        checked: Result<(), FieldErrors>,
        password: Option<RwSignal<String>>,
    ) -> bool {
        if self.pending.get_untracked() {
            return false;
        }
        self.problem.set(None);
        match checked {
            Err(found) => {
                clear(password);
                self.errors.set(found);
                false
            }
            Ok(()) => {
                self.errors.set(FieldErrors::new());
                self.pending.set(true);
                true
            }
        }
    }

    /// Ends a sign-in: a success stores the token, signs in and goes to `target`; a failure is
    /// shown as [`AuthForm::settle`] shows it.
    pub fn finish(
        &self,
        result: Result<SignedIn, ApiError>,
        password: RwSignal<String>,
        go: impl FnOnce(&str),
        target: &str,
    ) {
        if let Some(signed_in) = self.settle(result, Some(password)) {
            storage::store(&signed_in.access_token, signed_in.expires_in);
            self.auth.dispatch(SessionEvent::SignedIn(signed_in.user));
            go(target);
        }
    }

    /// Ends a submission: the value on success; on a failure, `None`, and the server's words are
    /// shown, what was typed is kept, and only the password (if the form has one) is cleared.
    pub fn settle<T>(
        &self,
        result: Result<T, ApiError>,
        password: Option<RwSignal<String>>,
    ) -> Option<T> {
        self.pending.set(false);
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                clear(password);
                self.errors.set(error.fields);
                self.problem.set(Some(error.message));
                None
            }
        }
    }
}

fn clear(password: Option<RwSignal<String>>) {
    if let Some(password) = password {
        password.set(String::new());
    }
}

/// The form's own error (announced at once) and its submit button, which shows progress; `class`
/// styles the button (`danger-outline` for an action that destroys something).
#[component]
pub fn SubmitRow(
    form: AuthForm,
    label: &'static str,
    busy_label: &'static str,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let (pending, ready) = (form.pending, form.ready);
    view! {
        <p class="form-error" role="alert" aria-live="assertive">{move || form.problem.get()}</p>
        <button
            type="submit"
            class=class
            disabled=move || pending.get() || !ready.get()
            aria-busy=move || pending.get().to_string()
        >
            {move || if pending.get() { busy_label } else { label }}
        </button>
    }
}
