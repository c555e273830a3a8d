//! The "Sessions" section (docs/api.md, "Sessions"): every live session of the user, newest first, this
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
        Some(Ok(list)) => rows(&list, pending.get(), now_ms()),
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

/// The list's rows: the browser's name, "This device" or a "Sign out" button, and the times
/// (as [`when`] shows them, `now_ms` being the visitor's clock).
fn rows(list: &[SessionView], pending: bool, now_ms: f64) -> String {
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
                when(&session.created_at, now_ms),
                when(&session.last_used_at, now_ms),
            )
        })
        .collect()
}

/// A time as the visitor reads it, in a `<time>` element: "just now", "5 minutes ago" or
/// "3 hours ago" within the last day, else the date and time in the visitor's own time zone;
/// the exact local time on hover (its title) and on focus (the stylesheet shows `data-exact`).
/// The server sends UTC; only the browser knows the visitor's zone.
fn when(rfc3339: &str, now_ms: f64) -> String {
    let (then_ms, exact) = local_time(rfc3339);
    let shown = then_ms
        .and_then(|then| ago(now_ms - then))
        .unwrap_or_else(|| exact.clone());
    format!(
        "<time datetime=\"{}\" title=\"{exact}\" data-exact=\"{exact}\" tabindex=\"0\">{}</time>",
        escape(rfc3339),
        escape(&shown),
        exact = escape(&exact),
    )
}

/// How long ago, in words, for the last day; `None` for anything older (or in the future by more
/// than a clock's drift).
fn ago(ms: f64) -> Option<String> {
    if !(-60_000.0..86_400_000.0).contains(&ms) {
        return None;
    }
    let minutes = (ms.max(0.0) / 60_000.0) as u64;
    let words = |n: u64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    Some(match minutes {
        0 => "just now".to_owned(),
        1..=59 => words(minutes, "minute"),
        _ => words(minutes / 60, "hour"),
    })
}

/// The visitor's clock, in Unix milliseconds.
#[cfg(feature = "hydrate")]
fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(not(feature = "hydrate"))]
fn now_ms() -> f64 {
    0.0
}

/// The moment in Unix milliseconds, and its date and time in the visitor's time zone and
/// language (the browser's `toLocaleString`).
#[cfg(feature = "hydrate")]
fn local_time(rfc3339: &str) -> (Option<f64>, String) {
    let date = js_sys::Date::new(&leptos::wasm_bindgen::JsValue::from_str(rfc3339));
    let ms = date.get_time();
    if ms.is_nan() {
        return (None, rfc3339.to_owned());
    }
    let options = js_sys::Object::new();
    for (key, value) in [("dateStyle", "medium"), ("timeStyle", "short")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    (Some(ms), date.to_locale_string("default", &options).into())
}

/// Outside the browser (the unit tests) there is no time zone to show: the UTC time, and no
/// "ago".
#[cfg(not(feature = "hydrate"))]
fn local_time(rfc3339: &str) -> (Option<f64>, String) {
    let shown = match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    };
    (None, shown)
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
        let html = rows(
            &[session("<img src=x onerror=alert(1)>\"'&", false)],
            false,
            0.0,
        );
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
            0.0,
        );
        assert_eq!(html.matches("This device").count(), 1);
        assert_eq!(html.matches(">Sign out</button>").count(), 1);
        assert!(html.contains(&format!("data-session=\"{}\"", uuid::Uuid::nil())));
        assert!(html.contains("Signed in <time datetime=\"2026-11-30T09:05:00Z\""));
        assert!(html.contains(">2026-11-30 10:15 UTC</time></small>"));
        assert!(!html.contains("disabled"));
        assert!(rows(&[session("a", false)], true, 0.0).contains(" disabled>"));
    }

    #[test]
    fn recent_times_are_said_in_words_and_older_ones_as_a_date() {
        let minute = 60_000.0;
        assert_eq!(ago(0.0).as_deref(), Some("just now"));
        assert_eq!(
            ago(-5_000.0).as_deref(),
            Some("just now"),
            "a clock a little ahead"
        );
        assert_eq!(ago(59_999.0).as_deref(), Some("just now"));
        assert_eq!(ago(minute).as_deref(), Some("1 minute ago"));
        assert_eq!(ago(59.0 * minute).as_deref(), Some("59 minutes ago"));
        assert_eq!(ago(60.0 * minute).as_deref(), Some("1 hour ago"));
        assert_eq!(ago(23.0 * 60.0 * minute).as_deref(), Some("23 hours ago"));
        assert_eq!(ago(24.0 * 60.0 * minute), None);
        assert_eq!(ago(-2.0 * minute), None);
    }
}
