//! A real SMTP server for the tests: Debian's `python3-aiosmtpd` (installed by
//! `scripts/install-tools.sh`), storing every mail it receives in a Maildir that the tests read.
//! It can be stopped and started again on the same port, to play a mail server that is down.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// One mail as a person reads it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    /// Parses a raw RFC 5322 message (from the sink or an `.eml` file).
    pub fn parse(raw: &[u8]) -> Mail {
        let parsed = mailparse::parse_mail(raw).expect("a MIME message");
        let header = |name: &str| {
            parsed
                .headers
                .iter()
                .find(|h| h.get_key().eq_ignore_ascii_case(name))
                .map(|h| h.get_value())
                .unwrap_or_default()
        };
        let part = |mime: &str| {
            parsed
                .subparts
                .iter()
                .find(|p| p.ctype.mimetype == mime)
                .map(|p| p.get_body().expect("a body"))
                .unwrap_or_default()
        };
        Mail {
            to: header("To"),
            from: header("From"),
            subject: header("Subject"),
            text: part("text/plain"),
            html: part("text/html"),
        }
    }

    /// The link in the plain-text body: the line that starts with http.
    pub fn link(&self) -> String {
        self.text
            .lines()
            .map(str::trim)
            .find(|line| line.starts_with("http"))
            .unwrap_or_else(|| panic!("no link in {:?}", self.text))
            .to_owned()
    }

    /// The token in the link's fragment.
    pub fn token(&self) -> String {
        let link = self.link();
        let (_, token) = link.split_once("#token=").expect("a token in the fragment");
        token.to_owned()
    }
}

/// Debian's own Python, where `python3-aiosmtpd` is installed (a `python3` earlier on `PATH`, such
/// as pyenv's, does not see Debian's packages).
const PYTHON: &str = "/usr/bin/python3";

pub struct MailSink {
    child: Option<Child>,
    pub port: u16,
    dir: TempDir,
    /// How long the server takes over each mail before it answers "accepted".
    delay: Duration,
}

/// aiosmtpd's Maildir handler, slowed down: it takes `delay` seconds over each mail before it
/// answers, like a distant or overloaded mail server.
const SLOW_HANDLER: &str = r#"
import asyncio
from aiosmtpd.handlers import Mailbox

class SlowMailbox(Mailbox):
    def __init__(self, maildir, delay):
        super().__init__(maildir)
        self.delay = float(delay)

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0], args[1])

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)
"#;

impl MailSink {
    pub fn start() -> MailSink {
        Self::start_slow(Duration::ZERO)
    }

    /// A sink that takes `delay` over each mail before it accepts it.
    pub fn start_slow(delay: Duration) -> MailSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut sink = MailSink {
            child: None,
            port,
            dir: tempfile::tempdir().unwrap(),
            delay,
        };
        std::fs::write(sink.dir.path().join("slow_sink.py"), SLOW_HANDLER).unwrap();
        sink.resume();
        sink
    }

    /// `SMTP_URL` for this sink (plain SMTP on localhost).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on its port, and waits until it accepts connections.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "the sink is running already");
        let maildir = self.dir.path().join("maildir");
        let child = Command::new(PYTHON)
            .env("PYTHONPATH", self.dir.path())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "slow_sink.SlowMailbox"])
            .arg(&maildir)
            .arg(self.delay.as_secs_f64().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("/usr/bin/python3 -m aiosmtpd (scripts/install-tools.sh installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the SMTP sink did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server: connections are refused until [`MailSink::resume`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every mail received so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        read_dir_mails(&self.dir.path().join("maildir").join("new"))
    }

    /// The mails to `to`, waiting up to 15 s until there are at least `count`.
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<Mail> {
        wait_for_mails(|| self.mails(), to, count).await
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The mails in a folder of message files, oldest first (by modification time).
pub fn read_dir_mails(dir: &Path) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| (e.metadata().unwrap().modified().unwrap(), e.path()))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|(_, path)| Mail::parse(&std::fs::read(path).unwrap()))
        .collect()
}

/// Waits up to 15 s for at least `count` mails to `to` among `mails()`.
pub async fn wait_for_mails(mails: impl Fn() -> Vec<Mail>, to: &str, count: usize) -> Vec<Mail> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found: Vec<Mail> = mails().into_iter().filter(|m| m.to.contains(to)).collect();
        if found.len() >= count || Instant::now() > deadline {
            assert!(
                found.len() >= count,
                "expected {count} mails to {to}, got {}: {found:?}",
                found.len()
            );
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
