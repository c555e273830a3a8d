//! `/account` (mounted under the signed-in guard): one [`AccountSection`] per concern. Today it
//! has "Sessions"; profile, email, password and deletion come as sections of their own.

mod sessions;

use leptos::prelude::*;
use leptos_meta::Title;
use sessions::SessionsSection;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Account · Gatehouse"/>
        <section class="card">
            <h1>"Your account"</h1>
            <SessionsSection/>
        </section>
    }
}

/// A titled section of the account page, its heading labelling it for assistive technology.
#[component]
fn AccountSection(id: &'static str, title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="account-section" aria-labelledby=id>
            <h2 id=id>{title}</h2>
            {children()}
        </section>
    }
}
