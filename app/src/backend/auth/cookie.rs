//! The web app's refresh cookie (docs/api.md, "Sessions"): `gatehouse_refresh`, `HttpOnly` (script never
//! reads it), `SameSite=Strict` (no other site can make the browser send it), `Secure` when the
//! site is served over https, sent only to the refresh endpoint, and living as long as the
//! session may.

use super::RefreshToken;
use axum::http::{header, HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};

pub const NAME: &str = "gatehouse_refresh";
/// The one path that reads the cookie: the browser sends it nowhere else.
pub const PATH: &str = "/api/auth/refresh";

/// How this site's cookies are made: `secure` when `GATEHOUSE_PUBLIC_URL` is https.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    /// `Set-Cookie` handing `token` to the browser for `max_age` seconds.
    pub fn set(&self, token: &RefreshToken, max_age: u64) -> HeaderValue {
        self.header(token.expose(), max_age)
    }

    /// `Set-Cookie` that removes the cookie.
    pub fn clear(&self) -> HeaderValue {
        self.header("", 0)
    }

    fn header(&self, value: &str, max_age: u64) -> HeaderValue {
        let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
        let cookie = Cookie::build((NAME, value))
            .path(PATH)
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .max_age(cookie::time::Duration::seconds(max_age))
            .build();
        // A token is base64url: the header is always valid.
        HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// The refresh cookie of a request, if it sent one.
pub fn read(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == NAME)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_has_every_attribute_of_the_contract() {
        let token = RefreshToken::generate();
        let set = CookiePolicy { secure: true }.set(&token, 2_592_000);
        let set = set.to_str().unwrap();
        assert!(set.starts_with(&format!("{NAME}={}", token.expose())));
        for attribute in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/api/auth/refresh",
            "Max-Age=2592000",
        ] {
            assert!(set.contains(attribute), "{attribute} missing in {set}");
        }
        let plain = CookiePolicy { secure: false }.set(&token, 60);
        assert!(!plain.to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn clearing_expires_the_cookie_on_its_path() {
        let clear = CookiePolicy::default().clear();
        let clear = clear.to_str().unwrap();
        assert!(clear.starts_with(&format!("{NAME}=;")));
        assert!(clear.contains("Max-Age=0") && clear.contains("Path=/api/auth/refresh"));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; gatehouse_refresh=abc"),
        );
        assert_eq!(read(&headers).as_deref(), Some("abc"));
        headers.clear();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("gatehouse_refresh="),
        );
        assert_eq!(read(&headers), None);
    }
}
