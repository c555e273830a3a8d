//! The "Sessions" section (CONTRACT §5): every live session of the user, newest first, this
//! device marked, "Sign out" on each other one, and "Sign out everywhere else".
//!
//! The rows are written as escaped HTML into the list, and one click handler on the list serves
//! every row's button (it reads the button's `data-session`). A reactive list of row views would
//! be the usual Leptos way, but its rendering and hydration code cost the WASM about 23 KB of its
//! 200 KB gzip budget; this costs a few hundred bytes. Everything that comes from a client (the
//! user agent) goes through [`escape`].

use crate::domain::{describe_user_agent, LogoutScope, SessionView};
use crate::error::ApiError;
use crate::html::escape;
use crate::rpc::{end_session, list_sessions, logout};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What a button of this section asks for.
#[derive(Clone, Copy)]
enum Action {
    End(uuid::Uuid),
    EndOthers,
}

#[component]
pub fn SessionsSection() -> impl IntoView {
    let sessions = RwSignal::new(None::<Result<Vec<SessionView>, ApiError>>);
    let load = move || spawn_local(async move { sessions.set(Some(list_sessions().await)) });
    // Effects run in the browser only, once the page is there.
    Effect::new(move |_| load());
    let status = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    // Runs one change, then shows its result and reads the list again.
    let act = move |action: Action| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let (result, done) = match action {
                Action::End(id) => (end_session(id).await, "That session has ended."),
                Action::EndOthers => (
                    logout(LogoutScope::Others).await,
                    "Every other session has ended.",
                ),
            };
            status.set(Some(match result {
                Ok(()) => done.to_owned(),
                Err(error) => error.message,
            }));
            pending.set(false);
            load();
        });
    };
    let on_row_click = move |event: leptos::ev::MouseEvent| {
        use leptos::wasm_bindgen::JsCast;
        let button = event
            .target()
            .and_then(|target| target.dyn_into::<leptos::web_sys::Element>().ok())
            .and_then(|element| element.closest("button[data-session]").ok().flatten());
        let id = button.and_then(|button| button.get_attribute("data-session"));
        if let Some(id) = id.and_then(|id| id.parse().ok()) {
            act(Action::End(id));
        }
    };

    let list = move || match sessions.get() {
        Some(Ok(list)) => rows(&list, pending.get()),
        _ => String::new(),
    };
    let note = move || match sessions.get() {
        None => "Loading your sessions…".to_owned(),
        Some(Err(error)) => error.message,
        Some(Ok(_)) => String::new(),
    };
    let no_others = move || match sessions.get() {
        Some(Ok(list)) => list.iter().all(|s| s.current),
        _ => true,
    };

    view! {
        <section class="account-section" aria-labelledby="sessions">
            <h2 id="sessions">"Sessions"</h2>
            <p>"Where you are signed in. Sign out of any device you do not recognise."</p>
            <p class="status" role="status">{note}</p>
            <ul class="sessions" on:click=on_row_click inner_html=list></ul>
            <button type="button" disabled=move || pending.get() || no_others()
                on:click=move |_| act(Action::EndOthers)>
                "Sign out everywhere else"
            </button>
            <p class="status" role="status">{move || status.get()}</p>
        </section>
    }
}

/// The list's rows: the browser's name, "This device" or a "Sign out" button, and the times.
fn rows(list: &[SessionView], pending: bool) -> String {
    let disabled = if pending { " disabled" } else { "" };
    list.iter()
        .map(|session| {
            let marker = if session.current {
                " <span class=\"badge\">This device</span>".to_owned()
            } else {
                format!(
                    " <button type=\"button\" class=\"secondary\" data-session=\"{}\"{disabled}>Sign out</button>",
                    session.id
                )
            };
            format!(
                "<li class=\"session\"><strong>{}</strong>{marker}<br><small>Signed in {}, last active {}</small></li>",
                escape(&describe_user_agent(&session.user_agent)),
                escape(&when(&session.created_at)),
                escape(&when(&session.last_used_at)),
            )
        })
        .collect()
}

/// "2026-11-30T09:05:00Z" as "2026-11-30 09:05 UTC".
fn when(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(user_agent: &str, current: bool) -> SessionView {
        SessionView {
            id: uuid::Uuid::nil(),
            created_at: "2026-11-30T09:05:00Z".into(),
            last_used_at: "2026-11-30T10:15:00Z".into(),
            expires_at: "2026-12-07T10:15:00Z".into(),
            user_agent: user_agent.into(),
            current,
        }
    }

    #[test]
    fn a_hostile_user_agent_is_shown_as_text_never_as_markup() {
        let html = rows(&[session("<img src=x onerror=alert(1)>\"'&", false)], false);
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"),
            "{html}"
        );
    }

    #[test]
    fn this_device_is_marked_and_every_other_session_has_a_sign_out_button() {
        let html = rows(
            &[session("curl/8.5.0", true), session("curl/8.5.0", false)],
            false,
        );
        assert_eq!(html.matches("This device").count(), 1);
        assert_eq!(html.matches(">Sign out</button>").count(), 1);
        assert!(html.contains(&format!("data-session=\"{}\"", uuid::Uuid::nil())));
        assert!(html.contains("Signed in 2026-11-30 09:05 UTC, last active 2026-11-30 10:15 UTC"));
        assert!(!html.contains("disabled"));
        assert!(rows(&[session("a", false)], true).contains(" disabled>"));
    }
}
