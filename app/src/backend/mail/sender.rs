//! The sender: delivers one claimed mail ([`outbox::claim`] leases it) and records the outcome:
//! sent (the bodies are dropped), or tried again later with a growing delay, or given up on once it
//! is [`GIVE_UP_AFTER`] old or the server refuses it for good. The loop that claims and calls it
//! is `service::outbox`.
//!
//! A mail is claimed one at a time, and its whole delivery is cut off at half its lease
//! ([`Mailer::send_timeout`]), so the lease covers the mail for as long as it is being sent:
//! another instance cannot claim it meanwhile and send it too. The outcome is recorded only under
//! the sender's own lease. A sender that dies mid-send loses nothing: its lease runs out and the
//! mail is claimed again, so a mail may go twice only if the process dies between the server's
//! "accepted" and the record of it (delivery is at least once).
//!
//! A mail that carries a link gets its token here, just before it is sent
//! (`link_tokens::mint`): the outbox holds only a marker in its place (docs/security.md).

use super::{link_marker, Mailer, Transport};
use crate::backend::auth::LinkToken;
use crate::backend::clock;
use crate::backend::link_tokens::{self, LinkLifetimes};
use crate::backend::outbox::{self, Lease, MailKind, OutboxMail, Recorded};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, MultiPart, SinglePart};
use lettre::{AsyncTransport, Message};
use sea_orm::{DatabaseConnection, DbErr};

/// The first retry comes this many seconds after a failure, then twice as long each time...
const FIRST_RETRY_SECONDS: u64 = 2;
/// ...up to this.
const MAX_RETRY_SECONDS: u64 = 600;
/// A mail still unsent after three days is given up on (and logged as an error).
pub const GIVE_UP_AFTER: u64 = 3 * 24 * 3600;

/// Claims the oldest due row of the outbox (a mail, or a reset request) under a lease of
/// [`Mailer::lease_seconds`].
///
/// # Errors
/// When the outbox cannot be read.
pub async fn claim_next(
    db: &DatabaseConnection,
    mailer: &Mailer,
) -> Result<Option<OutboxMail>, DbErr> {
    let now = clock::now();
    let lease_until = now.saturating_add(mailer.lease_seconds());
    Ok(outbox::claim(db, now, lease_until, 1).await?.pop())
}

/// Delivers a claimed mail and records how it went, under its lease. A failure to record is
/// logged; the lease then frees the mail for another try.
pub async fn deliver(
    db: &DatabaseConnection,
    mailer: &Mailer,
    links: LinkLifetimes,
    mut mail: OutboxMail,
) {
    let Some(lease) = mail.lease() else {
        tracing::error!(mail_id = %mail.id, "a mail was handed over without its lease");
        return;
    };
    let (id, kind, attempts) = (mail.id, mail.kind.clone(), mail.attempts);
    // A mail queued by an earlier version has its token written in already (no marker).
    let pending_link = MailKind::parse(&kind).is_some_and(MailKind::has_link)
        && mail.text_body.contains(&link_marker(id));
    if pending_link {
        match mint_link(db, links, &mut mail).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(mail_id = %id, kind = %kind, "mail dropped: its link was ended before it was sent");
                let recorded = outbox::give_up(
                    db,
                    lease,
                    clock::now(),
                    "its link was ended before it was sent",
                )
                .await;
                report(lease, recorded);
                return;
            }
            Err(e) => {
                tracing::error!(mail_id = %id, error = %e, "cannot make a mail's link; it will be tried again");
                return;
            }
        }
    }
    let outcome = match message(mailer, &mail) {
        Ok(message) => {
            let sending = send(mailer.transport.as_ref(), message);
            match tokio::time::timeout(mailer.send_timeout(), sending).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Failure::Transient(format!(
                    "no answer within {} s",
                    mailer.send_timeout().as_secs()
                ))),
            }
        }
        Err(e) => Err(Failure::Permanent(e)),
    };
    let now = clock::now();
    let recorded = match outcome {
        Ok(Sent::Smtp) => {
            tracing::info!(mail_id = %id, kind = %kind, attempts, "mail sent");
            outbox::sent(db, lease, now).await
        }
        Ok(Sent::File(file)) => {
            tracing::info!(mail_id = %id, kind = %kind, file = %file, "mail written");
            outbox::sent(db, lease, now).await
        }
        Err(failure) => {
            let age = now.saturating_sub(u64::try_from(mail.created_at).unwrap_or(0));
            match failure {
                Failure::Transient(error) if age < GIVE_UP_AFTER => {
                    let delay = retry_delay(attempts);
                    tracing::warn!(mail_id = %id, kind = %kind, attempts, error = %error, "mail not sent: trying again in {delay} s");
                    outbox::retry_at(db, lease, now + delay, &error).await
                }
                Failure::Transient(error) | Failure::Permanent(error) => {
                    tracing::error!(mail_id = %id, kind = %kind, attempts, error = %error, "mail not sent: given up");
                    outbox::give_up(db, lease, now, &error).await
                }
            }
        }
    };
    report(lease, recorded);
}

/// Logs what recording an outcome under `lease` came to, when it is not the plain success.
pub fn report(lease: Lease, recorded: Result<Recorded, DbErr>) {
    match recorded {
        Ok(Recorded::Yes) => {}
        Ok(Recorded::LeaseLost) => {
            tracing::warn!(mail_id = %lease.mail_id, "a mail's lease ran out before its outcome was recorded");
        }
        Err(e) => {
            tracing::error!(mail_id = %lease.mail_id, error = %e, "cannot record a mail's outcome; it will be tried again");
        }
    }
}

/// Mints the token of the link that `mail` carries and puts it in the bodies in place of the
/// marker. `false` when the link was killed meanwhile: the mail must not go.
async fn mint_link(
    db: &DatabaseConnection,
    links: LinkLifetimes,
    mail: &mut OutboxMail,
) -> Result<bool, DbErr> {
    let token = LinkToken::generate();
    if !link_tokens::mint(db, mail.id, token.hash(), links, clock::now()).await? {
        return Ok(false);
    }
    let marker = link_marker(mail.id);
    mail.text_body = mail.text_body.replace(&marker, token.expose());
    mail.html_body = mail.html_body.replace(&marker, token.expose());
    Ok(true)
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
