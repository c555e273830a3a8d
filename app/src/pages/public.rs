use crate::components::PageTitle;
use leptos::prelude::*;

#[component]
pub fn PublicPage() -> impl IntoView {
    view! {
        <PageTitle text="Public page · Gatehouse"/>
        <section class="card">
            <h1>"Public page"</h1>
            <p>"Anyone can read this page: no account and no token needed."</p>
            <p>"Its API twin is " <code>"GET /api/public"</code> "."</p>
        </section>
    }
}
