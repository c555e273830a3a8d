//! The page's `<title>`. The server renders it with leptos_meta (into the HTML's head); in the
//! browser it is set directly on navigation, since leptos_meta's client side costs the WASM about
//! 6 KB of its gzip size for this one tag.

use leptos::prelude::*;

#[component]
pub fn PageTitle(text: &'static str) -> impl IntoView {
    // The browser's side renders `()`, which hydrates from a placeholder: the server writes one
    // after the `<title>` (which goes into the head, not here), so both sides match.
    #[cfg(feature = "ssr")]
    {
        (view! { <leptos_meta::Title text/> }, ())
    }
    #[cfg(not(feature = "ssr"))]
    {
        // Effects run only in the browser, after the page is built.
        Effect::new(move |_| document().set_title(text));
    }
}
