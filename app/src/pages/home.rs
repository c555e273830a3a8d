use crate::components::PageTitle;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <PageTitle text="Gatehouse"/>
        <section class="card hero">
            <h1>"Gatehouse"</h1>
            <p>
                "Register with your name, email and a password, log in, and open a dashboard that only a valid token "
                "opens. The same flows work from curl or Postman through the JSON API under "<code>"/api"</code>"."
            </p>
            <div class="actions">
                <A href="/login" attr:class="button">"Log in"</A>
                <A href="/register" attr:class="button secondary">"Register"</A>
            </div>
        </section>
    }
}
