//! Gatehouse's public keys, fetched from its JWKS and kept. A token naming a `kid` the cache does
//! not hold sends for the JWKS again, at most once a minute however many such tokens come (a
//! stream of made-up `kid`s must not turn into a stream of fetches); the whole set is also fetched
//! again once it is older than the `max-age` Gatehouse gave, so retired keys leave.

use jsonwebtoken::DecodingKey;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// At most one fetch for unknown `kid`s in this long.
pub const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(60);
/// How long a fetched set is kept when the answer names no `max-age`.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot fetch the JWKS: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the JWKS answered {0}")]
    Status(reqwest::StatusCode),
}

/// The verification keys in a JWKS document, by `kid`. Only Ed25519 public keys meant for
/// signatures become keys: a JWK of any other type (an `oct` key above all, which a careless
/// verifier would turn into an HMAC secret anyone can sign with), another curve, another `alg` or
/// `use`, or a malformed `x` is skipped.
pub fn keys_from_jwks(document: &Value) -> HashMap<String, DecodingKey> {
    let Some(keys) = document.get("keys").and_then(Value::as_array) else {
        return HashMap::new();
    };
    keys.iter()
        .filter_map(|jwk| {
            let field = |name: &str| jwk.get(name).and_then(Value::as_str);
            let optional_is =
                |name: &str, want: &str| jwk.get(name).is_none() || field(name) == Some(want);
            let usable = field("kty") == Some("OKP")
                && field("crv") == Some("Ed25519")
                && optional_is("alg", "EdDSA")
                && optional_is("use", "sig");
            if !usable {
                return None;
            }
            let (kid, x) = (field("kid")?, field("x")?);
            // A raw Ed25519 public key is 32 bytes: 43 base64url characters.
            if x.len() != 43 {
                return None;
            }
            let key = DecodingKey::from_ed_components(x).ok()?;
            Some((kid.to_owned(), key))
        })
        .collect()
}

struct Cached {
    keys: Arc<HashMap<String, DecodingKey>>,
    fetched_at: Option<Instant>,
    max_age: Duration,
}

/// The cache of one JWKS.
pub struct Jwks {
    url: String,
    http: reqwest::Client,
    cached: RwLock<Cached>,
    /// One fetch at a time; the others wait for it and use its result.
    fetching: tokio::sync::Mutex<()>,
    refetch_every: Duration,
    fetches: std::sync::atomic::AtomicU64,
}

impl Jwks {
    pub fn new(url: String, refetch_every: Duration) -> Self {
        Self {
            url,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            cached: RwLock::new(Cached {
                keys: Arc::default(),
                fetched_at: None,
                max_age: DEFAULT_MAX_AGE,
            }),
            fetching: tokio::sync::Mutex::new(()),
            refetch_every,
            fetches: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// How many times the JWKS has been fetched.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The key `kid` names. Fetches the JWKS first when the cache is older than its `max-age`, or
    /// when it lacks `kid` and the last fetch is at least [`REFETCH_AT_MOST_EVERY`] old.
    pub async fn key(&self, kid: &str) -> Option<DecodingKey> {
        let (keys, stale, may_refetch) = self.snapshot();
        if !stale && (keys.contains_key(kid) || !may_refetch) {
            return keys.get(kid).cloned();
        }
        let _turn = self.fetching.lock().await;
        // Another request may have fetched while this one waited for its turn.
        let (keys, stale, may_refetch) = self.snapshot();
        if stale || (may_refetch && !keys.contains_key(kid)) {
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "keeping the keys fetched before");
            }
        }
        self.snapshot().0.get(kid).cloned()
    }

    /// Fetches the JWKS now and replaces the cache (kept as it was if the fetch fails).
    ///
    /// # Errors
    /// When Gatehouse cannot be reached or answers an error.
    pub async fn refresh(&self) -> Result<(), FetchError> {
        // Counted as a fetch even when it fails: the once-a-minute limit holds either way.
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.cached
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .fetched_at = Some(Instant::now());
        let response = self.http.get(&self.url).send().await?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status()));
        }
        let max_age = max_age(response.headers()).unwrap_or(DEFAULT_MAX_AGE);
        let document: Value = response.json().await?;
        let keys = keys_from_jwks(&document);
        tracing::info!(keys = keys.len(), "fetched Gatehouse's JWKS");
        let mut cached = self.cached.write().unwrap_or_else(|e| e.into_inner());
        *cached = Cached {
            keys: Arc::new(keys),
            fetched_at: Some(Instant::now()),
            max_age,
        };
        Ok(())
    }

    /// The keys, whether they are older than their `max-age`, and whether an unknown `kid` may
    /// send for them again now.
    fn snapshot(&self) -> (Arc<HashMap<String, DecodingKey>>, bool, bool) {
        let cached = self.cached.read().unwrap_or_else(|e| e.into_inner());
        let age = cached.fetched_at.map(|at| at.elapsed());
        let stale = age.is_none_or(|age| age >= cached.max_age);
        let may_refetch = age.is_none_or(|age| age >= self.refetch_every);
        (Arc::clone(&cached.keys), stale, may_refetch)
    }
}

/// The `max-age` of a `Cache-Control` header.
fn max_age(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::CACHE_CONTROL)?.to_str().ok()?;
    value.split(',').find_map(|part| {
        let seconds = part.trim().strip_prefix("max-age=")?;
        seconds.parse().ok().map(Duration::from_secs)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
    fn only_ed25519_signature_keys_become_keys() {
        let document = json!({ "keys": [
            { "kty": "OKP", "crv": "Ed25519", "x": X, "kid": "good", "alg": "EdDSA", "use": "sig" },
            { "kty": "OKP", "crv": "Ed25519", "x": X, "kid": "bare" },
            { "kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", "kid": "oct", "alg": "HS256" },
            { "kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", "kid": "oct-as-ed", "alg": "EdDSA" },
            { "kty": "OKP", "crv": "X25519", "x": X, "kid": "x25519" },
            { "kty": "OKP", "crv": "Ed25519", "x": X, "kid": "hs", "alg": "HS256" },
            { "kty": "OKP", "crv": "Ed25519", "x": X, "kid": "enc", "use": "enc" },
            { "kty": "OKP", "crv": "Ed25519", "x": "short", "kid": "short" },
            { "kty": "OKP", "crv": "Ed25519", "x": X },
        ]});
        let mut kids: Vec<String> = keys_from_jwks(&document).into_keys().collect();
        kids.sort();
        assert_eq!(kids, ["bare", "good"]);
        assert!(keys_from_jwks(&json!({ "keys": "none" })).is_empty());
        assert!(keys_from_jwks(&json!([])).is_empty());
    }

    #[test]
    fn the_cache_header_sets_how_long_keys_are_kept() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::CACHE_CONTROL,
            "public, max-age=300".parse().unwrap(),
        );
        assert_eq!(max_age(&headers), Some(Duration::from_secs(300)));
        headers.insert(reqwest::header::CACHE_CONTROL, "no-store".parse().unwrap());
        assert_eq!(max_age(&headers), None);
    }
}
