//! Where to go after logging in: `?next=` is followed only when it is a path on this site.

/// The page after a login when `next` is missing or refused.
pub const DEFAULT_AFTER_LOGIN: &str = "/dashboard";

/// `next` when it is a local path (`/dashboard`, `/public?x=1`), else `None`. Refused: anything
/// with a scheme or host (`https://evil`, `//evil`), backslashes (`/\evil`, which browsers treat
/// as `//evil`), control characters or whitespace, and non-paths.
pub fn safe_next(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    let unsafe_char = |c: char| c == '\\' || c.is_control() || c.is_whitespace();
    if rest.starts_with('/') || next.chars().any(unsafe_char) {
        return None;
    }
    // A percent-encoded slash or backslash right after the first slash decodes to `//` or `/\`.
    let lower = rest.to_ascii_lowercase();
    if lower.starts_with("%2f") || lower.starts_with("%5c") {
        return None;
    }
    Some(next)
}

/// The page to land on after a good login.
pub fn after_login(next: Option<&str>) -> String {
    next.and_then(safe_next)
        .unwrap_or(DEFAULT_AFTER_LOGIN)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn local_paths_are_followed() {
        for next in ["/dashboard", "/public", "/", "/public?tab=1#top", "/a/b/c"] {
            assert_eq!(safe_next(next), Some(next));
        }
    }

    #[test]
    fn hostile_values_are_refused() {
        for next in [
            "//evil.example",
            "///evil.example",
            "https://evil.example",
            "http:/evil",
            "javascript:alert(1)",
            "/\\evil.example",
            "\\\\evil.example",
            "/%2fevil.example",
            "/%5Cevil.example",
            "evil.example",
            "",
            " /dashboard",
            "/dash\nboard",
            "/\tevil",
            "data:text/html,x",
            "/dash\\board",
        ] {
            assert_eq!(safe_next(next), None, "{next:?}");
        }
    }

    #[test]
    fn a_refused_next_lands_on_the_dashboard() {
        assert_eq!(after_login(Some("//evil.example")), "/dashboard");
        assert_eq!(after_login(None), "/dashboard");
        assert_eq!(after_login(Some("/public")), "/public");
    }

    proptest! {
        #[test]
        fn whatever_is_accepted_is_a_single_slash_path(next in "\\PC{0,40}") {
            if let Some(path) = safe_next(&next) {
                prop_assert!(path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'));
            }
        }
    }
}
