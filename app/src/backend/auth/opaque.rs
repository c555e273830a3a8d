//! Opaque tokens: refresh tokens (docs/api.md, "Sessions") and the tokens of mailed links (docs/api.md, "The account over email"). 256 bits from a
//! CSPRNG, base64url. Only a SHA-256 of each is stored; a fast hash is enough for a secret this
//! long (nobody can guess their way to it), and it lets the lookup be one indexed read.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Random bytes in a token.
const TOKEN_BYTES: usize = 32;
/// Characters of a token: base64url of [`TOKEN_BYTES`], no padding.
const TOKEN_CHARS: usize = 43;

/// An opaque token: its `Debug` prints nothing of it.
#[derive(Clone)]
pub struct OpaqueToken(SecretString);

/// A session's refresh token.
pub type RefreshToken = OpaqueToken;
/// The token of a mailed link (confirmation, reset, change of address).
pub type LinkToken = OpaqueToken;

impl std::fmt::Debug for OpaqueToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpaqueToken(..)")
    }
}

impl OpaqueToken {
    /// A fresh token from the thread's CSPRNG (ChaCha, seeded by the operating system).
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::fill(&mut bytes);
        Self(SecretString::from(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A presented token, if it has a token's shape; anything else cannot be one, and is refused
    /// without a lookup.
    pub fn parse(presented: &str) -> Option<Self> {
        let token = presented.trim();
        let shaped = token.len() == TOKEN_CHARS
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        shaped.then(|| Self(SecretString::from(token.to_owned())))
    }

    /// The token, for the one response, cookie or mail that hands it over.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// What the database keeps: SHA-256, lower-case hex.
    pub fn hash(&self) -> String {
        Sha256::digest(self.0.expose_secret().as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_has_256_random_bits_and_parses_back() {
        let token = RefreshToken::generate();
        assert_eq!(token.expose().len(), TOKEN_CHARS);
        assert_eq!(URL_SAFE_NO_PAD.decode(token.expose()).unwrap().len(), 32);
        let parsed = RefreshToken::parse(token.expose()).unwrap();
        assert_eq!(parsed.hash(), token.hash());
        assert_ne!(RefreshToken::generate().expose(), token.expose());
    }

    #[test]
    fn the_stored_hash_is_sha256_hex_and_not_the_token() {
        let token = RefreshToken::parse(&"A".repeat(TOKEN_CHARS)).unwrap();
        let hash = token.hash();
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!hash.contains(token.expose()));
        assert!(!format!("{token:?}").contains('A'));
    }

    #[test]
    fn what_cannot_be_a_token_is_refused_before_any_lookup() {
        for junk in [
            "",
            "short",
            &"A".repeat(44),
            &format!("{}=", "A".repeat(42)),
            "a.b.c",
        ] {
            assert!(RefreshToken::parse(junk).is_none(), "{junk:?}");
        }
    }
}
