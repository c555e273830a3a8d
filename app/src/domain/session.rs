//! Sessions as the API and the account page show them, and the scopes of a logout (docs/api.md, "Sessions").

use serde::{Deserialize, Serialize};

/// One live session, as `GET /api/sessions` lists it. Times are RFC 3339, UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = Session))]
pub struct SessionView {
    pub id: uuid::Uuid,
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub last_used_at: String,
    /// When it ends unless refreshed first: at its idle limit or its maximum age.
    #[cfg_attr(feature = "ssr", schema(format = DateTime))]
    pub expires_at: String,
    pub user_agent: String,
    /// The session of the token that asked.
    pub current: bool,
}

/// Which sessions a logout ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogoutScope {
    /// This session (the default).
    #[default]
    Local,
    /// Every other session of the user.
    Others,
    /// All of them.
    Global,
}

impl LogoutScope {
    /// The scope named in a request: `local`, `others` or `global`.
    ///
    /// # Errors
    /// The words for the `scope` field, for any other name.
    pub fn parse(name: &str) -> Result<Self, &'static str> {
        match name {
            "local" => Ok(Self::Local),
            "others" => Ok(Self::Others),
            "global" => Ok(Self::Global),
            _ => Err("must be local, others or global"),
        }
    }

    /// Whether the session that asks ends too.
    pub fn ends_current(self) -> bool {
        !matches!(self, Self::Others)
    }
}

/// A short name for a browser from its `User-Agent`, such as "Firefox on Linux": what a person
/// recognises in a list of their sessions. Unknown agents are shown as they are, cut short.
pub fn describe_user_agent(agent: &str) -> String {
    let agent = agent.trim();
    if agent.is_empty() {
        return "Unknown client".to_owned();
    }
    // Order matters: Edge and Opera say "Chrome", Chrome says "Safari".
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("PostmanRuntime/", "Postman"),
    ]
    .iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        _ => agent.chars().take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_scopes_parse_and_nothing_else() {
        assert_eq!(LogoutScope::parse("local"), Ok(LogoutScope::Local));
        assert_eq!(LogoutScope::parse("others"), Ok(LogoutScope::Others));
        assert_eq!(LogoutScope::parse("global"), Ok(LogoutScope::Global));
        for bad in ["", "Local", "all", "everywhere"] {
            assert!(LogoutScope::parse(bad).is_err(), "{bad}");
        }
        assert!(!LogoutScope::Others.ends_current());
        assert!(LogoutScope::Local.ends_current() && LogoutScope::Global.ends_current());
    }

    #[test]
    fn common_browsers_get_a_short_name() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(describe_user_agent(chrome), "Chrome on Linux");
        let firefox =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";
        assert_eq!(describe_user_agent(firefox), "Firefox on Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_user_agent(safari), "Safari on iOS");
        assert_eq!(describe_user_agent("curl/8.5.0"), "curl");
        assert_eq!(describe_user_agent(""), "Unknown client");
        assert_eq!(describe_user_agent("my-script/1.0"), "my-script/1.0");
    }
}
