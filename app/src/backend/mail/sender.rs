//! The background sender. Each round claims the due mail with a lease ([`outbox::claim`]), sends
//! it, and records the outcome: sent (the bodies are dropped), or tried again later with a growing
//! delay, or given up on once it is [`GIVE_UP_AFTER`] old or the server refuses it for good.
//! A sender that dies mid-round loses nothing: its lease runs out and the mail is claimed again.
//! That also means a mail may go twice if the process dies between the server's "accepted" and
//! the record of it (delivery is at least once).

use super::{Mailer, Transport};
use crate::backend::clock;
use crate::backend::outbox::{self, OutboxMail};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, MultiPart, SinglePart};
use lettre::{AsyncTransport, Message};
use sea_orm::DatabaseConnection;
use std::time::Duration;
use tokio::sync::watch;

/// How often a sender looks for mail queued by other instances (its own wake it at once).
pub const POLL_EVERY: Duration = Duration::from_secs(2);
/// How long a claim holds a mail: longer than one SMTP conversation may take.
const LEASE_SECONDS: u64 = 120;
/// Mails claimed per round.
const BATCH: u64 = 20;
/// The first retry comes this many seconds after a failure, then twice as long each time...
const FIRST_RETRY_SECONDS: u64 = 2;
/// ...up to this.
const MAX_RETRY_SECONDS: u64 = 600;
/// A mail still unsent after three days is given up on (and logged as an error).
pub const GIVE_UP_AFTER: u64 = 3 * 24 * 3600;

/// Sends mail until `stop` turns true.
pub async fn run(db: DatabaseConnection, mailer: Mailer, mut stop: watch::Receiver<bool>) {
    loop {
        match deliver_due(&db, &mailer).await {
            // A full batch: there may be more.
            Ok(claimed) if claimed == BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the mail sender cannot read the outbox"),
        }
        tokio::select! {
            () = mailer.woken() => {}
            () = tokio::time::sleep(POLL_EVERY) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One round: claims what is due, delivers it; returns how many mails it claimed.
///
/// # Errors
/// When the outbox cannot be read; a failure to record one outcome is logged, and the lease frees
/// that mail for another try.
pub async fn deliver_due(db: &DatabaseConnection, mailer: &Mailer) -> Result<u64, sea_orm::DbErr> {
    let now = clock::now();
    let claimed = outbox::claim(db, now, now + LEASE_SECONDS, BATCH).await?;
    let count = claimed.len() as u64;
    for mail in claimed {
        deliver(db, mailer, mail).await;
    }
    Ok(count)
}

async fn deliver(db: &DatabaseConnection, mailer: &Mailer, mail: OutboxMail) {
    let (id, kind, attempts) = (mail.id, mail.kind.clone(), mail.attempts);
    let outcome = match message(mailer, &mail) {
        Ok(message) => send(mailer.transport.as_ref(), message).await,
        Err(e) => Err(Failure::Permanent(e)),
    };
    let now = clock::now();
    let recorded = match outcome {
        Ok(Sent::Smtp) => {
            tracing::info!(mail_id = %id, kind = %kind, attempts, "mail sent");
            outbox::sent(db, id, now).await
        }
        Ok(Sent::File(file)) => {
            tracing::info!(mail_id = %id, kind = %kind, file = %file, "mail written");
            outbox::sent(db, id, now).await
        }
        Err(failure) => {
            let age = now.saturating_sub(u64::try_from(mail.created_at).unwrap_or(0));
            match failure {
                Failure::Transient(error) if age < GIVE_UP_AFTER => {
                    let delay = retry_delay(attempts);
                    tracing::warn!(mail_id = %id, kind = %kind, attempts, error = %error, "mail not sent: trying again in {delay} s");
                    outbox::retry_at(db, id, now + delay, &error).await
                }
                Failure::Transient(error) | Failure::Permanent(error) => {
                    tracing::error!(mail_id = %id, kind = %kind, attempts, error = %error, "mail not sent: given up");
                    outbox::give_up(db, id, now, &error).await
                }
            }
        }
    };
    if let Err(e) = recorded {
        tracing::error!(mail_id = %id, error = %e, "cannot record a mail's outcome; it will be tried again");
    }
}

/// Seconds before the next try, after `attempts` tries: 2, 4, 8, … up to ten minutes.
pub fn retry_delay(attempts: i32) -> u64 {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    (FIRST_RETRY_SECONDS << doublings).min(MAX_RETRY_SECONDS)
}

enum Sent {
    Smtp,
    /// The file's path.
    File(String),
}

enum Failure {
    /// Worth another try: the server is down, slow, or busy.
    Transient(String),
    /// It will never go: a malformed address, or the server refuses it for good.
    Permanent(String),
}

async fn send(transport: &Transport, message: Message) -> Result<Sent, Failure> {
    match transport {
        Transport::Smtp(smtp) => match smtp.send(message).await {
            Ok(_) => Ok(Sent::Smtp),
            Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
            Err(e) => Err(Failure::Transient(e.to_string())),
        },
        Transport::Files(files, dir) => match files.send(message).await {
            Ok(name) => Ok(Sent::File(
                dir.join(format!("{name}.eml")).display().to_string(),
            )),
            Err(e) => Err(Failure::Transient(e.to_string())),
        },
    }
}

/// The MIME message: plain text and HTML as alternatives. The bodies go as 8-bit when they can,
/// so that a link stays whole and readable in the raw mail (an `.eml` file read in an editor);
/// otherwise lettre picks the encoding.
fn message(mailer: &Mailer, mail: &OutboxMail) -> Result<Message, String> {
    let to = mail
        .recipient
        .parse()
        .map_err(|e| format!("the recipient is not an address: {e}"))?;
    let part = |content_type: ContentType, text: &str| {
        SinglePart::builder().header(content_type).body(body(text))
    };
    Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, &mail.text_body))
                .singlepart(part(ContentType::TEXT_HTML, &mail.html_body)),
        )
        .map_err(|e| format!("cannot build the mail: {e}"))
}

/// Longest line, in octets, that a message may carry (RFC 5322 §2.1.1).
const MAX_LINE_OCTETS: usize = 998;

/// `text` as an 8-bit body with CRLF line ends, when every line fits (RFC 5322 allows 998 octets;
/// lettre's own choice stops at 76 and would quote-print a long link); otherwise as lettre encodes it.
fn body(text: &str) -> Body {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let fits = crlf
        .split("\r\n")
        .all(|line| line.len() <= MAX_LINE_OCTETS && !line.contains(['\r', '\0']));
    if fits {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit)
    } else {
        Body::new(crlf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_goes_as_8_bit_with_crlf_unless_a_line_is_too_long() {
        let link = format!(
            "https://auth.example.com/reset-password#token={}",
            "A".repeat(43)
        );
        let fine = body(&format!("Hello Zoë,\n\n{link}\n"));
        assert_eq!(fine.encoding(), ContentTransferEncoding::EightBit);
        assert_eq!(
            String::from_utf8(fine.into_vec()).unwrap(),
            format!("Hello Zoë,\r\n\r\n{link}\r\n")
        );
        let long = body(&"x".repeat(MAX_LINE_OCTETS + 1));
        assert_ne!(long.encoding(), ContentTransferEncoding::EightBit);
    }

    #[test]
    fn retries_come_later_each_time_up_to_ten_minutes() {
        let delays: Vec<u64> = (1..=12).map(retry_delay).collect();
        assert_eq!(&delays[..5], &[2, 4, 8, 16, 32]);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*delays.last().unwrap(), MAX_RETRY_SECONDS);
        assert_eq!(retry_delay(0), 2);
        assert_eq!(retry_delay(i32::MAX), MAX_RETRY_SECONDS);
    }
}
