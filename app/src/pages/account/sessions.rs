//! The "Sessions" section (CONTRACT §5): every live session of the user, newest first, this
//! device marked, "Sign out" on each other one, and "Sign out everywhere else".

use super::AccountSection;
use crate::domain::{describe_user_agent, LogoutScope, SessionView};
use crate::rpc::{end_session, list_sessions, logout};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// "2026-11-30T09:05:00Z" as "2026-11-30 09:05 UTC".
fn when(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

#[component]
pub fn SessionsSection() -> impl IntoView {
    let sessions = LocalResource::new(list_sessions);
    let status = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    // Runs one change, then shows its result and reads the list again.
    let act = move |change: Action, done: &'static str| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = match change {
                Action::End(id) => end_session(id).await,
                Action::EndOthers => logout(LogoutScope::Others).await,
            };
            status.set(Some(match result {
                Ok(()) => done.to_owned(),
                Err(error) => error.message,
            }));
            pending.set(false);
            sessions.refetch();
        });
    };

    let row = move |session: SessionView| {
        let id = session.id;
        view! {
            <li class="session">
                <strong>{describe_user_agent(&session.user_agent)}</strong>
                {session.current.then(|| view! { " " <span class="badge">"This device"</span> })}
                <br/>
                <small>
                    {format!(
                        "Signed in {}, last active {}",
                        when(&session.created_at),
                        when(&session.last_used_at),
                    )}
                </small>
                {(!session.current).then(|| view! {
                    " "
                    <button type="button" class="secondary" disabled=move || pending.get()
                        on:click=move |_| act(Action::End(id), "That session has ended.")>
                        "Sign out"
                    </button>
                })}
            </li>
        }
    };

    view! {
        <AccountSection id="sessions" title="Sessions">
            <p>"Where you are signed in. Sign out of any device you do not recognise."</p>
            {move || match sessions.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading your sessions…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="form-error">{error.message}</p> }.into_any(),
                Some(Ok(list)) => {
                    let others = list.iter().filter(|s| !s.current).count();
                    view! {
                        <ul class="sessions">{list.into_iter().map(row).collect_view()}</ul>
                        <button type="button" disabled=move || pending.get() || others == 0
                            on:click=move |_| act(Action::EndOthers, "Every other session has ended.")>
                            "Sign out everywhere else"
                        </button>
                    }.into_any()
                }
            }}
            <p class="status" role="status">{move || status.get()}</p>
        </AccountSection>
    }
}

/// What a button of this section asks for.
#[derive(Clone, Copy)]
enum Action {
    End(uuid::Uuid),
    EndOthers,
}
