//! The background work on the outbox, one row at a time, each under a lease of its own: a reset
//! request is resolved (`recovery`), a mail is delivered (`mail::sender`). Every instance runs it;
//! the leases see that each row is handled once.

use super::recovery;
use crate::backend::mail::sender;
use crate::backend::outbox::MailKind;
use crate::backend::AppState;
use sea_orm::DbErr;
use std::time::Duration;
use tokio::sync::watch;

/// How often an instance looks for work queued by other instances (its own wakes it at once).
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// Works through the outbox until `stop` turns true. A step under way when it does is finished
/// first (the caller waits for this task on shutdown).
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        loop {
            if *stop.borrow() {
                return;
            }
            match step(&state).await {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    tracing::error!(error = %e, "the mail sender cannot read the outbox");
                    break;
                }
            }
        }
        tokio::select! {
            () = state.mailer.woken() => {}
            () = tokio::time::sleep(POLL_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Claims the oldest due row and handles it; `false` when nothing was due.
///
/// # Errors
/// When the outbox cannot be read. A row that fails is logged, and its lease frees it for
/// another try.
pub async fn step(state: &AppState) -> Result<bool, DbErr> {
    let Some(row) = sender::claim_next(&state.db, &state.mailer).await? else {
        return Ok(false);
    };
    if MailKind::parse(&row.kind) != Some(MailKind::ResetRequest) {
        sender::deliver(&state.db, &state.mailer, state.links, row).await;
        return Ok(true);
    }
    let Some(lease) = row.lease() else {
        return Ok(true);
    };
    match recovery::resolve_reset_request(state, &row, lease).await {
        Ok(recorded) => sender::report(lease, Ok(recorded)),
        Err(e) => {
            tracing::error!(request_id = %row.id, error = %e, "a reset request could not be resolved; it will be tried again");
        }
    }
    Ok(true)
}
