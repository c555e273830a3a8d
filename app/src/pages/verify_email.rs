//! `/verify-email#token=…`: confirms the address of the link's token (or the new address of a
//! change) as soon as the page runs, and says how it went.

use super::link_token;
use crate::components::PageTitle;
use crate::rpc::verify_email;
use crate::session::{Auth, Session, SessionEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let auth = Auth::get();
    // `None` while the server is asked; then `Ok` or the server's words.
    let outcome = RwSignal::new(None::<Result<(), String>>);
    // Effects run only in the browser: the server renders "Confirming…".
    Effect::new(move |_| {
        spawn_local(async move {
            let result = verify_email(link_token()).await;
            outcome.set(Some(match result {
                Ok(user) => {
                    // This browser's user, if it is the one confirmed, shows the news at once.
                    let same = auth
                        .session
                        .with_untracked(|s| matches!(s, Session::SignedIn(u) if u.id == user.id));
                    if same {
                        auth.dispatch(SessionEvent::SignedIn(user));
                    }
                    Ok(())
                }
                Err(error) => Err(error.message),
            }));
        });
    });

    view! {
        <PageTitle text="Confirm your email · Gatehouse"/>
        <section class="card">
            <h1>"Confirm your email"</h1>
            {move || match outcome.get() {
                None => view! { <p class="loading" aria-busy="true">"Confirming your email address…"</p> }.into_any(),
                Some(Ok(())) => view! {
                    <p class="notice" role="status">"Email confirmed"</p>
                    <p><A href="/dashboard">"Go to your dashboard"</A></p>
                }.into_any(),
                Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
            }}
        </section>
    }
}
