//! Who is asking: the client's address (the socket's, or `X-Forwarded-For`'s when the socket is a
//! trusted proxy), and the per-address limit on sign-in requests (`AUTH_RATE_PER_MINUTE`),
//! counted in the database.

use super::clock::{self, to_db};
use super::db::Writer;
use super::error::{AppError, Context, Limit};
use super::sign_in_rates;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::{IpNet, Ipv6Net};
use sea_orm::DatabaseConnection;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// `TRUSTED_PROXIES`: the networks whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Addresses or CIDR networks, separated by commas or spaces.
    ///
    /// # Errors
    /// The reason, naming the entry that is neither an address nor a network.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{entry}` is not an address or a CIDR network"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }
}

/// The client's address: the socket's peer, unless that peer is a trusted proxy; then the
/// nearest address in `X-Forwarded-For` that is not a trusted proxy (proxies append on the right,
/// so everything left of the first untrusted hop could have been written by the client).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(address) => {
                client = address;
                if !trusted.contains(address) {
                    break;
                }
            }
            // Garbage where an address should be: stop at the last hop we could read.
            Err(_) => break,
        }
    }
    client
}

/// The address a request comes from, as [`client_address`] decides. Handlers extract it as part
/// of [`Caller`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ClientAddr {
    /// What the sign-in limits count this address as: an IPv4 address itself (an IPv4-mapped
    /// IPv6 address is the IPv4 one), an IPv6 address by its /64 network, since one host usually
    /// holds a whole /64 and could otherwise start afresh by changing the low bits
    /// (`AUTH_RATE_PER_MINUTE` and the login lock alike; see docs/security.md).
    pub fn limit_key(self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let network = Ipv6Net::new(v6, 64).map(|net| net.trunc());
                    network.map_or_else(|_| v6.to_string(), |net| net.to_string())
                }
            },
        }
    }

    /// From a request's parts; a request without a socket address (only in tests that call the
    /// router directly) counts as `0.0.0.0`.
    pub fn of(parts: &Parts, trusted: &TrustedProxies) -> Self {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        Self(client_address(peer, &parts.headers, trusted))
    }
}

/// Who is asking: the client's address, and its `User-Agent` without control characters (a
/// session keeps its first characters, docs/api.md, "Sessions").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub addr: ClientAddr,
    pub user_agent: String,
}

impl Caller {
    pub fn of(parts: &Parts, trusted: &TrustedProxies) -> Self {
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .map(|value| String::from_utf8_lossy(value.as_bytes()))
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        Self {
            addr: ClientAddr::of(parts, trusted),
            user_agent,
        }
    }
}

impl<S> FromRequestParts<S> for Caller
where
    TrustedProxies: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts, &TrustedProxies::from_ref(state)))
    }
}

/// The window `AUTH_RATE_PER_MINUTE` counts in.
pub const RATE_WINDOW_SECONDS: u64 = 60;

/// `AUTH_RATE_PER_MINUTE` sign-in requests a minute per client address, counted in the database
/// (`sign_in_rates`) so that every instance adds to the same count: an address gets no more by
/// spreading its requests over several instances. Fixed one-minute windows; 0 turns it off.
#[derive(Clone, Debug)]
pub struct SignInLimiter {
    per_minute: u32,
    db: DatabaseConnection,
    /// SQLite's turns (`db::Writer`): the count is a write.
    writer: Writer,
}

impl SignInLimiter {
    pub fn new(per_minute: u32, db: DatabaseConnection, writer: Writer) -> Self {
        Self {
            per_minute,
            db,
            writer,
        }
    }

    /// Counts one sign-in request from `client`.
    ///
    /// # Errors
    /// `429 rate_limited` with the seconds until the address's minute is over; an internal error
    /// when the database fails.
    pub async fn check(&self, client: ClientAddr) -> Result<(), AppError> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let now = clock::now();
        let counted = {
            let _turn = self.writer.turn().await;
            sign_in_rates::count(&self.db, &client.limit_key(), now, RATE_WINDOW_SECONDS)
                .await
                .context("counting a sign-in request")?
        };
        if counted.requests <= i64::from(self.per_minute) {
            return Ok(());
        }
        let ends = counted
            .window_started_at
            .saturating_add(to_db(RATE_WINDOW_SECONDS));
        Err(AppError::RateLimited {
            limit: Limit::Client,
            retry_after: u64::try_from(ends - to_db(now)).unwrap_or(0).max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use sea_orm::ConnectionTrait;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_socket_is_the_client() {
        let forged = headers(&["1.2.3.4"]);
        assert_eq!(
            client_address(ip("10.0.0.5"), &forged, &TrustedProxies::default()),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client forged the first entry; the proxy appended the real address.
        let forwarded = headers(&["6.6.6.6, 203.0.113.9", "10.0.0.7"]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &forwarded, &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers(&[]), &trusted),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &headers(&["not-an-ip"]), &trusted),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn limits_count_an_ipv6_address_by_its_64_and_ipv4_as_itself() {
        let key = |s: &str| ClientAddr(ip(s)).limit_key();
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"));
    }

    #[tokio::test]
    async fn the_limiter_refuses_past_the_rate_until_the_minute_is_over() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/rates.db?mode=rwc", dir.path().display());
        let db = crate::backend::db::connect(&url).await.unwrap();
        crate::backend::db::migrate(&db, &url).await.unwrap();
        let limiter = SignInLimiter::new(3, db.clone(), Writer::for_database(&db));
        let client = ClientAddr(ip("192.0.2.1"));
        for _ in 0..3 {
            limiter.check(client).await.unwrap();
        }
        match limiter.check(client).await {
            Err(AppError::RateLimited { retry_after, .. }) => {
                assert!((1..=RATE_WINDOW_SECONDS).contains(&retry_after));
            }
            other => panic!("expected a 429, got {other:?}"),
        }
        limiter.check(ClientAddr(ip("192.0.2.2"))).await.unwrap();
        // The minute over (the row aged by SQL), the address starts again.
        db.execute_unprepared(
            "UPDATE sign_in_rates SET window_started_at = window_started_at - 60",
        )
        .await
        .unwrap();
        limiter.check(client).await.unwrap();
        let off = SignInLimiter::new(0, db.clone(), Writer::for_database(&db));
        for _ in 0..10 {
            off.check(client).await.unwrap();
        }
    }
}
