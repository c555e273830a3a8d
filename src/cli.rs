//! The command line: `gatehouse` serves; `gatehouse keys rotate` and `gatehouse keys list` look
//! after the Ed25519 signing keys (docs/api.md, "Tokens other services verify") in the database that the configuration names,
//! while the instances keep serving.

use app::backend::config::JwtAlgorithm;
use app::backend::service::keys::{self, KeyInfo};
use app::backend::{clock, db, Config, StartupError};
use std::fmt::Write as _;

pub const USAGE: &str = "\
usage: gatehouse [COMMAND]

With no command, serves the app (configuration from the environment and .env; see the README).

Commands:
  keys rotate   add an Ed25519 signing key: published in the JWKS at once, signing new tokens
                after KEY_PUBLISH_SECONDS; the current key stays published until every token
                it signed has expired
  keys list     show each signing key's kid, state and age
  help          show this text
";

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Serve,
    RotateKeys,
    ListKeys,
    Help,
}

/// Reads the arguments after the program's name.
///
/// # Errors
/// A message naming what was not understood.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => Ok(Command::Serve),
        ["keys", "rotate"] => Ok(Command::RotateKeys),
        ["keys", "list"] => Ok(Command::ListKeys),
        ["help" | "--help" | "-h"] => Ok(Command::Help),
        _ => Err(format!("unknown command `{}`", args.join(" "))),
    }
}

/// Runs `keys rotate` or `keys list` and returns what to print.
///
/// # Errors
/// A [`StartupError`] for a bad configuration value or a database that cannot be used.
pub async fn keys(command: Command) -> Result<String, StartupError> {
    let config = Config::from_env()?;
    let url = secrecy::ExposeSecret::expose_secret(&config.database_url).to_owned();
    let database = |e: &dyn std::fmt::Display| {
        StartupError::new("DATABASE_URL", format!("cannot use the database: {e}"))
    };
    let db = db::connect(&url).await.map_err(|e| database(&e))?;
    db::migrate(&db, &url).await.map_err(|e| database(&e))?;
    let ttl = config.jwt.ttl.as_secs();
    let mut out = String::new();
    if command == Command::RotateKeys {
        let rotated = keys::rotate(&db, config.jwt.key_publish)
            .await
            .map_err(|e| database(&e))?;
        let now = clock::to_db(clock::now());
        let _ = writeln!(
            out,
            "added key {}: published now, signs new tokens from {} ({}).",
            rotated.kid,
            when(rotated.signs_from),
            match rotated.signs_from - now {
                ..=0 => "at once".to_owned(),
                wait => format!("in {}", duration(wait)),
            }
        );
    }
    let now = clock::to_db(clock::now());
    let list = keys::list(&db, ttl, now).await.map_err(|e| database(&e))?;
    out.push_str(&table(&list, now));
    if config.jwt.algorithm != JwtAlgorithm::EdDsa {
        out.push_str(
            "note: JWT_ALGORITHM is HS256, so these keys sign nothing until it is EdDSA.\n",
        );
    }
    db.close().await.map_err(|e| database(&e))?;
    Ok(out)
}

/// The key list as a table, in signing order.
fn table(keys: &[KeyInfo], now: i64) -> String {
    if keys.is_empty() {
        return "no Ed25519 keys yet: the first start with JWT_ALGORITHM=EdDSA makes one, \
                or run `gatehouse keys rotate`.\n"
            .to_owned();
    }
    let mut out = format!(
        "{:<43}  {:<8}  {:>9}  {}\n",
        "KID", "STATE", "AGE", "SIGNS FROM"
    );
    for key in keys {
        let _ = writeln!(
            out,
            "{:<43}  {:<8}  {:>9}  {}",
            key.kid,
            key.state.as_str(),
            duration(now - key.created_at),
            when(key.signs_from),
        );
    }
    out
}

/// Unix seconds as an RFC 3339 UTC time.
fn when(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A length of time in its two largest units: `2d 3h`, `15m 4s`, `40s`.
fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m, s) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_commands_are_read_and_anything_else_refused() {
        assert_eq!(parse(&args("")), Ok(Command::Serve));
        assert_eq!(parse(&args("keys rotate")), Ok(Command::RotateKeys));
        assert_eq!(parse(&args("keys list")), Ok(Command::ListKeys));
        assert_eq!(parse(&args("--help")), Ok(Command::Help));
        assert!(parse(&args("keys")).is_err());
        assert!(parse(&args("keys rotate now")).is_err());
        assert!(parse(&args("serve")).is_err());
    }

    #[test]
    fn ages_read_in_two_units() {
        assert_eq!(duration(40), "40s");
        assert_eq!(duration(15 * 60 + 4), "15m 4s");
        assert_eq!(duration(3 * 3600 + 60), "3h 1m");
        assert_eq!(duration(2 * 86_400 + 3 * 3600 + 5), "2d 3h");
        assert_eq!(duration(-5), "0s");
    }
}
