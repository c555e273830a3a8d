//! The one place that mails users: links (confirm an address, reset the password, confirm a new
//! address) and notices of a change. Each goes into the outbox in the transaction of the change
//! that causes it (docs/architecture.md, "Mail").
//!
//! A link is queued *pending*: its row in `link_tokens` says whose it is and what it does, and
//! the mail holds a marker where the token will be. The sender mints the token as it sends the
//! mail, so no usable token rests in the database, not even in a mail waiting for its turn
//! (docs/security.md, "Links").

use crate::backend::error::{AppError, Context};
use crate::backend::link_tokens::{self, NewLink, Purpose};
use crate::backend::mail::{link_marker, messages, sender::GIVE_UP_AFTER};
use crate::backend::outbox::{self, MailKind, NewMail};
use crate::backend::users::User;
use crate::backend::AppState;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

/// Queues the mail that carries a new link for `user` to `to`, with the link pending, in `db`
/// (the caller's transaction). The link is `GATEHOUSE_PUBLIC_URL` + the page + `#token=…`: the
/// token rides in the fragment, which browsers never send to a server or put in a `Referer`.
pub(super) async fn mail_link(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &User,
    purpose: Purpose,
    to: &str,
    now: u64,
) -> Result<(), DbErr> {
    let mail_id = Uuid::new_v4();
    let ttl = state.links.of(purpose);
    let link = NewLink {
        user_id: user.id,
        purpose,
        email: to,
        mail_id,
        // The mail may wait as long as the outbox keeps trying; the link lives `ttl` once sent.
        pending_until: now.saturating_add(GIVE_UP_AFTER).saturating_add(ttl),
    };
    link_tokens::insert(db, link, now).await?;
    // The page that takes the token, and the words of the mail.
    let (page, compose): (&str, messages::LinkMail) = match purpose {
        Purpose::Verify => ("verify-email", messages::confirm_address),
        Purpose::Reset => ("reset-password", messages::reset_password),
        Purpose::ChangeEmail => ("verify-email", messages::confirm_new_address),
    };
    let url = format!("{}/{page}#token={}", state.public_url, link_marker(mail_id));
    let mail = compose(to, &user.name, &url, &messages::duration_words(ttl));
    state.mailer.enqueue(db, mail_id, mail, now).await
}

/// How many mails of `kind` went to `to` in the last `seconds`, sent or not: what the per-address
/// mail limits count (each counted by kind, apart from other mail).
pub(super) async fn mailed_within(
    db: &impl ConnectionTrait,
    to: &str,
    kind: MailKind,
    seconds: u64,
    now: u64,
) -> Result<u64, AppError> {
    outbox::count_since(db, to, kind, now.saturating_sub(seconds))
        .await
        .context("counting mail")
}

/// Queues a notice (no link) in `db`, the transaction of the change it tells about.
pub(super) async fn notify(
    state: &AppState,
    db: &impl ConnectionTrait,
    mail: NewMail,
    now: u64,
) -> Result<(), AppError> {
    state
        .mailer
        .enqueue(db, Uuid::new_v4(), mail, now)
        .await
        .context("queueing a notice")
}
