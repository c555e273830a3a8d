//! `/verify-email#token=…`: confirms the address of the link's token (or the new address of a
//! change) as soon as the page runs, and says how it went. Only the browser sees the fragment, so
//! the page is made there (`InBrowserPage`), from a WASM chunk of its own.

use super::link_token;
use crate::rpc::verify_email;
use crate::session::{Auth, Session, SessionEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The page's title (the server renders it too).
pub const TITLE: &str = "Confirm your email · Gatehouse";

page_chunk!(pub(super) confirmation, Confirmation);

#[component]
fn Confirmation() -> impl IntoView {
    let auth = Auth::get();
    // `None` while the server is asked; then `Ok` or the server's words.
    let outcome = RwSignal::new(None::<Result<(), String>>);
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
        <section class="card">
            <h1>"Confirm your email"</h1>
            {move || match outcome.get() {
                None => view! { <p class="loading" aria-busy="true">"Confirming your email address…"</p> }.into_any(),
                Some(Ok(())) => view! {
                    <p class="notice" role="status">"Email confirmed"</p>
                    <p><a href="/dashboard">"Go to your dashboard"</a></p>
                }.into_any(),
                Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
            }}
        </section>
    }
}
