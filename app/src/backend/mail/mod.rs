//! Mail (docs/api.md, "The account over email"). A change that mails someone puts the mail in the `outbox` table in its own
//! transaction ([`Mailer::enqueue`]); the [`sender`] delivers it in the background, with retries,
//! through SMTP (`SMTP_URL`) or, by default, as `.eml` files in `data/outbox/`. Mail is never sent
//! from a request, so it never holds one up, and a restart loses none.

/// The words of every mail, plain text and HTML.
pub mod messages;
/// The background sender: claims due mail, delivers it, retries with backoff.
pub mod sender;

use crate::backend::outbox::{self, NewMail};
use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, Tokio1Executor};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use uuid::Uuid;

/// Where mail goes when `SMTP_URL` is unset (relative to the working directory).
pub const DEFAULT_OUTBOX_DIR: &str = "data/outbox";
/// The longest one SMTP step (connect, a command, the data) may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// `MAIL_LEASE_SECONDS`' default: how long a sender holds a mail it claimed.
pub const DEFAULT_LEASE_SECONDS: u64 = 120;

/// What stands in a queued mail's bodies where its link's token will be: the token is minted
/// when the mail is sent (`sender`). Nobody can type it into a name beforehand: it holds the
/// mail's random id, made just before the mail is written.
pub fn link_marker(mail_id: Uuid) -> String {
    format!("{{link-token:{}}}", mail_id.simple())
}

/// How mail leaves.
#[derive(Clone, Debug)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in this folder.
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// The outbox's two ends: queueing a mail, and the transport the sender delivers it through.
#[derive(Clone, Debug)]
pub struct Mailer {
    pub transport: Arc<Transport>,
    pub from: Mailbox,
    /// Wakes this instance's sender when a mail is queued (other instances poll).
    wake: Arc<Notify>,
    /// `MAIL_LEASE_SECONDS`.
    lease_seconds: u64,
}

impl Mailer {
    /// SMTP at `smtp_url`, or `.eml` files under `outbox_dir` when there is none.
    ///
    /// # Errors
    /// A message for the operator (never the URL, which may hold a password) when the URL cannot be
    /// used or the folder cannot be made.
    pub fn new(
        smtp_url: Option<&SecretString>,
        from: Mailbox,
        outbox_dir: &Path,
        lease_seconds: u64,
    ) -> Result<Self, String> {
        let transport = match smtp_url {
            Some(url) => {
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|e| format!("cannot use this SMTP URL: {e}"))?;
                Transport::Smtp(builder.timeout(Some(SMTP_TIMEOUT)).build())
            }
            None => {
                std::fs::create_dir_all(outbox_dir).map_err(|e| {
                    format!("cannot create the folder {}: {e}", outbox_dir.display())
                })?;
                Transport::Files(
                    AsyncFileTransport::new(outbox_dir),
                    outbox_dir.to_path_buf(),
                )
            }
        };
        Ok(Self {
            transport: Arc::new(transport),
            from,
            wake: Arc::new(Notify::new()),
            lease_seconds,
        })
    }

    /// How long a claim holds a mail (`MAIL_LEASE_SECONDS`).
    pub fn lease_seconds(&self) -> u64 {
        self.lease_seconds
    }

    /// The longest one delivery may take, however the SMTP server dawdles: half the lease, so a
    /// mail is always still held when its outcome is recorded.
    pub fn send_timeout(&self) -> Duration {
        Duration::from_secs(self.lease_seconds) / 2
    }

    /// Queues a mail as `id` in `db` (the caller's transaction): it is sent once that commits,
    /// through [`Mailer::commit`].
    pub async fn enqueue(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
        mail: NewMail,
        now: u64,
    ) -> Result<(), DbErr> {
        outbox::enqueue(db, id, mail, now).await
    }

    /// Wakes this instance's sender (after a commit that queued work outside a [`Mailer::commit`]).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Commits the transaction that queued mail, then tells this instance's sender: it wakes only
    /// once the mail is there to claim.
    pub async fn commit(&self, txn: DatabaseTransaction) -> Result<(), DbErr> {
        txn.commit().await?;
        self.wake.notify_one();
        Ok(())
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }
}
