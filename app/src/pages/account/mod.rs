//! `/account` (mounted under the signed-in guard): one component per section, each its own
//! `<section class="account-section">` labelled by its heading, each a file here and a line in
//! [`Sections`]: "Profile", "Email", "Password", "Sessions" and "Delete account" (docs/api.md, "The web app").
//!
//! With the `split` feature (`make build`), the sections are a WASM chunk of their own, fetched
//! the first time the page opens (see `pages`).

mod delete;
mod email;
mod password;
mod profile;
mod sessions;

use crate::components::PageTitle;
use delete::DeleteSection;
use email::EmailSection;
use leptos::prelude::*;
use password::PasswordSection;
use profile::ProfileSection;
use sessions::SessionsSection;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <PageTitle text="Account · Gatehouse"/>
        <section class="card">
            <h1>"Your account"</h1>
            {Suspend::new(sections())}
        </section>
    }
}

page_chunk!(sections, Sections);

/// Every section of the page, in order.
#[component]
fn Sections() -> impl IntoView {
    view! {
        <ProfileSection/>
        <EmailSection/>
        <PasswordSection/>
        <SessionsSection/>
        <DeleteSection/>
    }
}
