//! Getting a new access token with the refresh cookie: `POST /api/auth/refresh`, one request at
//! a time across every tab of the browser (the Web Locks API). A tab that waited for the lock finds
//! the token another tab stored meanwhile and uses it, so two tabs never present one refresh token
//! twice (which the server would take for a stolen token once its grace window has passed).

/// How a refresh ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new access token, now in storage.
    Refreshed(String),
    /// The session is over (the server refused the cookie, or another tab signed out).
    Ended,
    /// No answer, or "try later": the session may still be alive.
    Unreachable,
}

/// The name of the lock every tab of this site takes to refresh.
#[cfg(feature = "hydrate")]
const LOCK: &str = "gatehouse.refresh";

/// Replaces `stale` (the token this tab holds) with a fresh one.
#[cfg(feature = "hydrate")]
pub async fn run(stale: String) -> Outcome {
    exclusively(move || async move {
        // Another tab may have refreshed, or signed out, while this one waited.
        match super::storage::token() {
            None => return Outcome::Ended,
            Some(current) if current != stale => return Outcome::Refreshed(current),
            Some(_) => {}
        }
        let outcome = post().await;
        if outcome == Outcome::Ended {
            super::storage::clear_if(&stale);
        }
        outcome
    })
    .await
}

/// The request itself: no body, so the server reads the cookie (which script never sees).
#[cfg(feature = "hydrate")]
async fn post() -> Outcome {
    use leptos::wasm_bindgen::JsValue;
    let Ok(response) = gloo_net::http::Request::post("/api/auth/refresh")
        .send()
        .await
    else {
        return Outcome::Unreachable;
    };
    match response.status() {
        200 => {}
        401 => return Outcome::Ended,
        _ => return Outcome::Unreachable,
    }
    // The browser's own JSON parser: no JSON code in the WASM for two fields.
    let Ok(text) = response.text().await else {
        return Outcome::Unreachable;
    };
    let Ok(body) = js_sys::JSON::parse(&text) else {
        return Outcome::Unreachable;
    };
    let field = |name: &str| js_sys::Reflect::get(&body, &JsValue::from_str(name)).ok();
    let token = field("access_token").and_then(|v| v.as_string());
    let expires_in = field("expires_in").and_then(|v| v.as_f64());
    match (token, expires_in) {
        (Some(token), Some(expires_in)) if super::stored_token(&token).is_some() => {
            super::storage::store(&token, expires_in as u64);
            Outcome::Refreshed(token)
        }
        _ => Outcome::Unreachable,
    }
}

/// Runs `work` holding this site's refresh lock (`navigator.locks.request`), or directly in a
/// browser without the Web Locks API.
#[cfg(feature = "hydrate")]
async fn exclusively<F, Fut>(work: F) -> Outcome
where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = Outcome> + 'static,
{
    use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};
    // Through `Reflect`: web-sys's `Navigator` and `LockManager` bindings would add code.
    let get =
        |target: &JsValue, name: &str| js_sys::Reflect::get(target, &JsValue::from_str(name)).ok();
    let request = get(&leptos::prelude::window().into(), "navigator")
        .and_then(|navigator| get(&navigator, "locks"))
        .filter(|locks| !locks.is_undefined())
        .and_then(|locks| {
            let request = get(&locks, "request")?;
            Some((locks, request.dyn_into::<js_sys::Function>().ok()?))
        });
    let Some((locks, request)) = request else {
        return work().await;
    };
    let (done, outcome) = futures::channel::oneshot::channel();
    // The lock is held until the promise this callback returns settles.
    let callback = Closure::once_into_js(move |_lock: JsValue| {
        wasm_bindgen_futures::future_to_promise(async move {
            let _ = done.send(work().await);
            Ok(JsValue::UNDEFINED)
        })
    });
    let Ok(held) = request.call2(&locks, &JsValue::from_str(LOCK), &callback) else {
        return Outcome::Unreachable;
    };
    if let Ok(held) = held.dyn_into::<js_sys::Promise>() {
        let _ = wasm_bindgen_futures::JsFuture::from(held).await;
    }
    outcome.await.unwrap_or(Outcome::Unreachable)
}
