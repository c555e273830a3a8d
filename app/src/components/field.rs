//! A labelled input with its error next to it, announced to screen readers. What a visitor typed
//! before the app ran is kept when it takes over (docs/architecture.md, "The web app").

use crate::domain::FieldErrors;
use leptos::prelude::*;

/// `id` is also the field's name in the server's `fields`, unless `key` names it (two forms of one
/// page may each have a `password`); `label` is the visible label.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    #[prop(optional)] key: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let key = key.unwrap_or(id);
    #[cfg(feature = "hydrate")]
    keep_typed(id, value);
    let error = move || errors.with(|e| e.get(key).cloned());
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <p class="field-error" id=error_id aria-live="polite">
                {move || error().map(|message| format!("{label} {message}"))}
            </p>
        </div>
    }
}

/// Takes over what the visitor typed before the app ran. On a slow network the server's page is
/// usable seconds before its WASM; hydration then sets each input's `value` from its signal, which
/// would wipe the typed text. So, while hydrating, the signal first takes the input's current
/// value. (On a page the app renders itself there is nothing typed yet: only hydration reads.)
#[cfg(feature = "hydrate")]
fn keep_typed(id: &str, value: RwSignal<String>) {
    use leptos::wasm_bindgen::JsCast;
    let hydrating =
        Owner::current_shared_context().is_some_and(|context| context.during_hydration());
    if !hydrating {
        return;
    }
    let typed = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
        .map(|input| input.value())
        .filter(|typed| !typed.is_empty());
    if let Some(typed) = typed {
        value.set(typed);
    }
}
