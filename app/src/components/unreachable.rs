//! The notice that the server cannot be reached: the page says so instead of signing anyone out.

use crate::session::Auth;
use leptos::prelude::*;

#[component]
pub fn Unreachable() -> impl IntoView {
    let auth = Auth::get();
    view! {
        <Show when=move || auth.unreachable.get()>
            <p class="notice offline" role="status">
                "The server cannot be reached right now. Retrying every few seconds…"
            </p>
        </Show>
    }
}
