//! Mail (CONTRACT §6). A change that mails someone puts the mail in the `outbox` table in its own
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
/// The longest one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

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
        })
    }

    /// Queues a mail in `db` (the caller's transaction): it is sent once that commits, through
    /// [`Mailer::commit`].
    pub async fn enqueue(
        &self,
        db: &impl ConnectionTrait,
        mail: NewMail,
        now: u64,
    ) -> Result<Uuid, DbErr> {
        outbox::enqueue(db, mail, now).await
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
