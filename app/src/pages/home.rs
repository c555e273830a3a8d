use crate::components::PageTitle;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <PageTitle text="Gatehouse"/>
        <section class="card hero">
            <h1>"Gatehouse"</h1>
            <p>
                "Register with your name, email and a password, log in, and open a dashboard that only a valid token "
                "opens. The same flows work from curl or Postman through the JSON API under "<code>"/api"</code>
                ", described in the "
                // Not a page of this app: the router must let the browser load it.
                <a href="/api/docs" rel="external">"API documentation"</a>"."
            </p>
            <div class="actions">
                <a href="/login" class="button">"Log in"</a>
                <a href="/register" class="button secondary">"Register"</a>
            </div>
        </section>
    }
}
