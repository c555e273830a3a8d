//! A labelled input with its error next to it, announced to screen readers.

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
