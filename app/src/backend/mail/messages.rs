//! The words of every mail. Each has a plain-text and an HTML body; a link stands on a line of
//! its own in both. Names and addresses are escaped in the HTML.

use crate::backend::outbox::{MailKind, NewMail};
use crate::html::escape;

/// A mail's parts before they go into the outbox.
struct Draft<'a> {
    kind: MailKind,
    to: &'a str,
    subject: &'a str,
    greeting: &'a str,
    /// Paragraphs before the link.
    before: &'a [&'a str],
    /// The link, with the words of its HTML anchor.
    link: Option<(&'a str, &'a str)>,
    /// Paragraphs after the link.
    after: &'a [&'a str],
}

impl Draft<'_> {
    fn compose(self) -> NewMail {
        let mut text = format!("{}\n\n", wrap(self.greeting));
        let mut html = format!(
            "<!doctype html>\n<html><body>\n<p>{}</p>\n",
            escape(self.greeting)
        );
        for paragraph in self.before {
            text.push_str(&format!("{}\n\n", wrap(paragraph)));
            html.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
        }
        if let Some((label, url)) = self.link {
            text.push_str(&format!("{url}\n\n"));
            html.push_str(&format!(
                "<p><a href=\"{url}\">{label}</a></p>\n<p>{url}</p>\n",
                url = escape(url),
                label = escape(label)
            ));
        }
        for paragraph in self.after {
            text.push_str(&format!("{}\n\n", wrap(paragraph)));
            html.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
        }
        text.push_str("Gatehouse\n");
        html.push_str("<p>Gatehouse</p>\n</body></html>\n");
        NewMail {
            kind: self.kind,
            recipient: self.to.to_owned(),
            subject: self.subject.to_owned(),
            text_body: text,
            html_body: html,
        }
    }
}

/// Characters per line of the plain-text body, as mail clients expect (a link is never cut).
const TEXT_WIDTH: usize = 72;

/// A paragraph broken into lines of at most [`TEXT_WIDTH`] characters, at spaces (a longer word
/// stands alone on its line).
fn wrap(paragraph: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= TEXT_WIDTH => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines.join("\n")
}

fn hello(name: &str) -> String {
    format!("Hello {name},")
}

/// A mail that carries a link: `(to, name, link, valid_for)`.
pub type LinkMail = fn(&str, &str, &str, &str) -> NewMail;

/// After registration, and on "Resend": confirm the account's address.
pub fn confirm_address(to: &str, name: &str, link: &str, valid_for: &str) -> NewMail {
    Draft {
        kind: MailKind::Verify,
        to,
        subject: "Confirm your email address",
        greeting: &hello(name),
        before: &["Please confirm that this is your email address by opening this link:"],
        link: Some(("Confirm my email address", link)),
        after: &[
            &format!("The link works once, for {valid_for}."),
            "If you did not create a Gatehouse account, ignore this mail.",
        ],
    }
    .compose()
}

/// "Forgot your password?": a link to set a new one.
pub fn reset_password(to: &str, name: &str, link: &str, valid_for: &str) -> NewMail {
    Draft {
        kind: MailKind::Reset,
        to,
        subject: "Reset your password",
        greeting: &hello(name),
        before: &["Someone asked to reset the password of your Gatehouse account. To choose a new password, open this link:"],
        link: Some(("Choose a new password", link)),
        after: &[
            &format!("The link works once, for {valid_for}. Setting a new password signs you out everywhere."),
            "If you did not ask for this, ignore this mail: your password stays as it is.",
        ],
    }
    .compose()
}

/// A change of address: the link goes to the new address.
pub fn confirm_new_address(to: &str, name: &str, link: &str, valid_for: &str) -> NewMail {
    Draft {
        kind: MailKind::ChangeEmail,
        to,
        subject: "Confirm your new email address",
        greeting: &hello(name),
        before: &["To make this the email address of your Gatehouse account, open this link:"],
        link: Some(("Confirm my new email address", link)),
        after: &[
            &format!("The link works once, for {valid_for}. Until then your account keeps its old address."),
            "If you did not ask for this, ignore this mail.",
        ],
    }
    .compose()
}

/// To the old address, when a change of address is asked for.
pub fn address_changing(to: &str, name: &str, new_address: &str) -> NewMail {
    Draft {
        kind: MailKind::EmailChanging,
        to,
        subject: "Your email address is being changed",
        greeting: &hello(name),
        before: &[
            &format!("Someone signed in to your Gatehouse account asked to change its email address to {new_address}. The change happens when the link mailed there is opened."),
            "If this was not you, change your password now: that also signs out every other session.",
        ],
        link: None,
        after: &[],
    }
    .compose()
}

pub fn password_changed(to: &str, name: &str) -> NewMail {
    Draft {
        kind: MailKind::PasswordChanged,
        to,
        subject: "Your password was changed",
        greeting: &hello(name),
        before: &[
            "The password of your Gatehouse account was just changed, and every other session was signed out.",
            "If this was not you, reset your password now with \"Forgot your password?\" on the login page.",
        ],
        link: None,
        after: &[],
    }
    .compose()
}

pub fn password_reset(to: &str, name: &str) -> NewMail {
    Draft {
        kind: MailKind::PasswordReset,
        to,
        subject: "Your password was reset",
        greeting: &hello(name),
        before: &[
            "The password of your Gatehouse account was just reset with a link mailed to this address, and every session was signed out.",
            "If this was not you, reset your password again with \"Forgot your password?\" on the login page.",
        ],
        link: None,
        after: &[],
    }
    .compose()
}

pub fn account_deleted(to: &str, name: &str) -> NewMail {
    Draft {
        kind: MailKind::AccountDeleted,
        to,
        subject: "Your account was deleted",
        greeting: &hello(name),
        before: &[
            "Your Gatehouse account and everything in it were deleted, as you asked. This address can register again at any time.",
        ],
        link: None,
        after: &[],
    }
    .compose()
}

/// `24 hours`, `30 minutes`, `1 minute`: a lifetime in the words of a mail.
pub fn duration_words(seconds: u64) -> String {
    let (count, unit) = if seconds >= 3600 && seconds.is_multiple_of(3600) {
        (seconds / 3600, "hour")
    } else if seconds >= 60 {
        (seconds.div_ceil(60), "minute")
    } else {
        (seconds, "second")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://auth.example.com/reset-password#token=abc_DEF-123";

    #[test]
    fn the_link_stands_on_a_line_of_its_own_in_both_bodies() {
        let mail = reset_password("ann@example.com", "Ann", LINK, "30 minutes");
        assert!(mail.text_body.lines().any(|line| line == LINK));
        assert!(mail
            .html_body
            .lines()
            .any(|line| line == format!("<p>{LINK}</p>")));
        assert!(mail.html_body.contains(&format!("<a href=\"{LINK}\">")));
        assert!(mail.text_body.contains("30 minutes"));
        assert_eq!(mail.kind, MailKind::Reset);
        assert_eq!(mail.recipient, "ann@example.com");
    }

    #[test]
    fn a_name_is_escaped_in_the_html_and_left_as_typed_in_the_text() {
        let name = "<script>alert(1)</script> & \"Bob\"";
        let mail = confirm_address("b@example.com", name, LINK, "24 hours");
        assert!(!mail.html_body.contains("<script>"));
        assert!(mail
            .html_body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Bob&quot;"));
        assert!(mail.text_body.contains(name));
    }

    #[test]
    fn notices_carry_no_link() {
        for mail in [
            password_changed("a@example.com", "A"),
            password_reset("a@example.com", "A"),
            account_deleted("a@example.com", "A"),
            address_changing("a@example.com", "A", "new@example.com"),
        ] {
            assert!(!mail.text_body.contains("#token="), "{}", mail.subject);
            assert!(!mail.html_body.contains("href"), "{}", mail.subject);
        }
    }

    #[test]
    fn text_paragraphs_wrap_at_72_characters_and_the_link_stays_whole() {
        let mail = reset_password("ann@example.com", "Ann", LINK, "30 minutes");
        for line in mail.text_body.lines().filter(|line| *line != LINK) {
            assert!(line.chars().count() <= TEXT_WIDTH, "{line:?}");
        }
        assert!(mail
            .text_body
            .contains("reset the password of your Gatehouse"));
        assert_eq!(wrap(&"word ".repeat(30)).lines().count(), 3);
    }

    #[test]
    fn lifetimes_read_as_words() {
        assert_eq!(duration_words(86_400), "24 hours");
        assert_eq!(duration_words(3_600), "1 hour");
        assert_eq!(duration_words(1_800), "30 minutes");
        assert_eq!(duration_words(90), "2 minutes");
        assert_eq!(duration_words(5), "5 seconds");
    }
}
