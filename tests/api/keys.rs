//! docs/api.md, "Tokens other services verify": tokens that other services verify. With `JWT_ALGORITHM=EdDSA` tokens carry the
//! `kid` of an Ed25519 key that the JWKS publishes; `gatehouse keys rotate` and `keys list`; a
//! rotated key published before it signs; a replaced key kept until its tokens have expired, then
//! retired; only the configured algorithm accepted; a key never taken from a token's header. The
//! tokens are checked three ways: by Gatehouse, by `ed25519-dalek` alone from the JWKS, and by the
//! resource server of `examples/resource-server`.

use crate::binary::{command, Server};
use crate::helpers::*;
use crate::sessions::{claims_of, sid_of};
use app::backend::service::keys;
use app::backend::signing_keys;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use resource_server::{Settings, Verifier};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use sha2::Sha256;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

const EDDSA: [(&str, &str); 1] = [("JWT_ALGORITHM", "EdDSA")];

fn part(value: &Value) -> String {
    B64.encode(serde_json::to_vec(value).unwrap())
}

fn header_of(token: &str) -> Value {
    let head = token.split('.').next().unwrap();
    serde_json::from_slice(&B64.decode(head).unwrap()).unwrap()
}

fn kid_of(token: &str) -> String {
    header_of(token)["kid"].as_str().expect("a kid").to_owned()
}

/// Good claims for a live session: only the signature decides.
fn claims_like(token: &str) -> Value {
    let claims = claims_of(token);
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": claims["sub"], "sid": sid_of(token), "iat": now, "exp": now + 600,
        "jti": uuid::Uuid::new_v4(), "iss": "gatehouse", "aud": "gatehouse", "amr": ["pwd"],
    })
}

fn ed_sign(header: &Value, claims: &Value, key: &SigningKey) -> String {
    let input = format!("{}.{}", part(header), part(claims));
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", B64.encode(signature.to_bytes()))
}

fn hs_sign(header: &Value, claims: &Value, secret: &[u8]) -> String {
    let input = format!("{}.{}", part(header), part(claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", B64.encode(mac.finalize().into_bytes()))
}

async fn jwks(api: &ApiClient) -> Value {
    let response = api.get("/.well-known/jwks.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=300",
        "cacheable by services"
    );
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// Checks `token`'s signature with the JWKS's key of its `kid`, with `ed25519-dalek` alone.
fn verifies_with_jwks(token: &str, jwks: &Value) -> bool {
    let kid = kid_of(token);
    let Some(jwk) = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
    else {
        return false;
    };
    let x: [u8; 32] = B64
        .decode(jwk["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = ed25519_dalek::Signature::from_slice(&B64.decode(signature).unwrap()).unwrap();
    VerifyingKey::from_bytes(&x)
        .unwrap()
        .verify_strict(input.as_bytes(), &signature)
        .is_ok()
}

/// The resource server of `examples/resource-server`, serving beside `gatehouse`.
struct ResourceServer {
    api: ApiClient,
    verifier: Arc<Verifier>,
}

impl ResourceServer {
    async fn start(gatehouse: &ApiClient, refetch_every: Duration) -> Self {
        let mut settings = Settings::new(
            gatehouse.url("/.well-known/jwks.json"),
            "gatehouse".into(),
            "gatehouse".into(),
        );
        settings.refetch_every = refetch_every;
        let verifier = Arc::new(Verifier::new(settings));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = ApiClient::new(format!("http://{}", listener.local_addr().unwrap()));
        let router = resource_server::router(verifier.clone());
        tokio::spawn(axum::serve(listener, router).into_future());
        Self { api, verifier }
    }

    async fn hello(&self, token: &str) -> reqwest::Response {
        self.api
            .http
            .get(self.api.url("/hello"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    async fn accepts(&self, token: &str) -> bool {
        let response = self.hello(token).await;
        match response.status() {
            StatusCode::OK => true,
            StatusCode::UNAUTHORIZED => false,
            other => panic!("the resource server answered {other}"),
        }
    }
}

/// The private half of a stored key, as the database holds it.
async fn stored_key(app: &TestApp, kid: &str) -> SigningKey {
    let stored = signing_keys::of_algorithm(&app.state.db, "EdDSA")
        .await
        .unwrap();
    let key = stored.iter().find(|k| k.kid == kid).expect("the key");
    let seed: [u8; 32] = B64.decode(&key.secret).unwrap().try_into().unwrap();
    SigningKey::from_bytes(&seed)
}

#[tokio::test]
async fn with_eddsa_every_token_names_the_published_key_that_verifies_it() {
    let app = spawn_app_with(&EDDSA, |_| {}).await;
    let published = jwks(&app).await;
    let keys = published["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{published}");
    let jwk = keys[0].as_object().unwrap();
    let mut members: Vec<&str> = jwk.keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(
        members,
        ["alg", "crv", "kid", "kty", "use", "x"],
        "public members only"
    );
    assert_eq!(jwk["kty"], "OKP");
    assert_eq!(jwk["crv"], "Ed25519");
    assert_eq!(jwk["alg"], "EdDSA");
    assert_eq!(jwk["use"], "sig");
    assert_eq!(B64.decode(jwk["x"].as_str().unwrap()).unwrap().len(), 32);

    let user = app.signed_in_user().await;
    assert_eq!(
        header_of(&user.token),
        json!({"alg": "EdDSA", "typ": "JWT", "kid": jwk["kid"]})
    );
    assert!(verifies_with_jwks(&user.token, &published));
    assert_eq!(app.me(&user.token).await.status(), StatusCode::OK);

    let service = ResourceServer::start(&app, Duration::from_secs(60)).await;
    let hello = service.hello(&user.token).await;
    assert_eq!(hello.status(), StatusCode::OK);
    let body: Value = hello.json().await.unwrap();
    assert_eq!(body["sub"], user.id.as_str());

    // Refreshed tokens are signed the same way.
    let refreshed = Tokens::from(app.refresh(&user.refresh).await).await;
    assert_eq!(kid_of(&refreshed.access), jwk["kid"].as_str().unwrap());
    assert!(service.accepts(&refreshed.access).await);
}

#[tokio::test]
async fn with_hs256_the_jwks_is_empty() {
    let app = spawn_app().await;
    assert_eq!(jwks(&app).await, json!({"keys": []}));
}

#[tokio::test]
async fn only_the_configured_algorithm_is_accepted() {
    let ed = spawn_app_with(&EDDSA, |_| {}).await;
    let user = ed.signed_in_user().await;
    let claims = claims_like(&user.token);
    let published = jwks(&ed).await;
    let kid = published["keys"][0]["kid"].as_str().unwrap();
    let x = B64
        .decode(published["keys"][0]["x"].as_str().unwrap())
        .unwrap();
    let service = ResourceServer::start(&ed, Duration::from_secs(60)).await;

    let refused = [
        // HS256 with the HMAC key the process also has (JWT_SECRET is set in the tests).
        hs_sign(
            &json!({"alg": "HS256", "typ": "JWT"}),
            &claims,
            TEST_SECRET.as_bytes(),
        ),
        // The classic confusion: the public key used as an HMAC secret.
        hs_sign(
            &json!({"alg": "HS256", "typ": "JWT", "kid": kid}),
            &claims,
            &x,
        ),
        hs_sign(
            &json!({"alg": "HS256", "typ": "JWT", "kid": kid}),
            &claims,
            published["keys"][0]["x"].as_str().unwrap().as_bytes(),
        ),
        format!(
            "{}.{}.",
            part(&json!({"alg": "none", "typ": "JWT", "kid": kid})),
            part(&claims)
        ),
        // EdDSA with no kid, and with a kid nobody published.
        ed_sign(
            &json!({"alg": "EdDSA", "typ": "JWT"}),
            &claims,
            &SigningKey::from_bytes(&[7; 32]),
        ),
        ed_sign(
            &json!({"alg": "EdDSA", "typ": "JWT", "kid": "made-up"}),
            &claims,
            &SigningKey::from_bytes(&[7; 32]),
        ),
    ];
    for token in &refused {
        assert_invalid_token(ed.me(token).await).await;
        assert!(!service.accepts(token).await, "{}", header_of(token));
    }
    assert_eq!(ed.me(&user.token).await.status(), StatusCode::OK);

    // The other way round: an EdDSA token, well signed by a key of its own, to an HS256 server.
    let hs = spawn_app().await;
    let hs_user = hs.signed_in_user().await;
    let key = SigningKey::from_bytes(&[9; 32]);
    let kid = app::backend::auth::key_ring::thumbprint(&B64.encode(key.verifying_key().to_bytes()));
    let token = ed_sign(
        &json!({"alg": "EdDSA", "typ": "JWT", "kid": kid}),
        &claims_like(&hs_user.token),
        &key,
    );
    assert_invalid_token(hs.me(&token).await).await;
}

#[tokio::test]
async fn a_jwk_in_a_forged_header_never_becomes_a_key() {
    let app = spawn_app_with(&EDDSA, |_| {}).await;
    let user = app.signed_in_user().await;
    let claims = claims_like(&user.token);
    let kid = kid_of(&user.token);
    let service = ResourceServer::start(&app, Duration::from_secs(60)).await;
    let secret = b"an attacker's own secret of 32 bytes!";
    let attacker = SigningKey::from_bytes(&[42; 32]);
    let attacker_x = B64.encode(attacker.verifying_key().to_bytes());
    let oct = json!({"kty": "oct", "k": B64.encode(secret), "alg": "HS256"});

    let forged = [
        // An `oct` JWK in the header, naming the real kid, signed with its `k`.
        hs_sign(
            &json!({"alg": "HS256", "typ": "JWT", "kid": kid, "jwk": oct}),
            &claims,
            secret,
        ),
        hs_sign(
            &json!({"alg": "EdDSA", "typ": "JWT", "kid": kid, "jwk": oct}),
            &claims,
            secret,
        ),
        // The attacker's own Ed25519 key in the header, under the real kid and under its own.
        ed_sign(
            &json!({"alg": "EdDSA", "typ": "JWT", "kid": kid,
                    "jwk": {"kty": "OKP", "crv": "Ed25519", "x": attacker_x}}),
            &claims,
            &attacker,
        ),
        ed_sign(
            &json!({"alg": "EdDSA", "typ": "JWT",
                    "kid": app::backend::auth::key_ring::thumbprint(&attacker_x),
                    "jwk": {"kty": "OKP", "crv": "Ed25519", "x": attacker_x}}),
            &claims,
            &attacker,
        ),
        // A JWKS address of the attacker's.
        ed_sign(
            &json!({"alg": "EdDSA", "typ": "JWT", "kid": "theirs",
                    "jku": "http://127.0.0.1:9/jwks.json"}),
            &claims,
            &attacker,
        ),
    ];
    for token in &forged {
        assert_invalid_token(app.me(token).await).await;
        assert!(!service.accepts(token).await, "{}", header_of(token));
    }
    // Only one fetch of the JWKS for all those unknown keys: at most once a minute.
    assert_eq!(service.verifier.jwks().fetches(), 1);
    assert_eq!(app.me(&user.token).await.status(), StatusCode::OK);
}

/// `gatehouse keys rotate` and `keys list` against the database of a running instance: tokens
/// signed before, during and after the rotation are all good, everywhere.
#[tokio::test]
async fn a_rotated_key_is_published_at_once_signs_after_the_delay_and_old_tokens_stay_good() {
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        ("JWT_ALGORITHM", "EdDSA"),
        ("KEY_PUBLISH_SECONDS", "3"),
        ("AUTH_RATE_PER_MINUTE", "0"),
        ("RUST_LOG", "debug"),
    ];
    let server = Server::start(dir.path(), &vars).await;
    let keys_command = |what: &str| {
        let output = command(dir.path(), &vars)
            .args(["keys", what])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let email = unique_email();
    server.register("Rotating", &email, GOOD_PASSWORD).await;
    let before = server.token(&email, GOOD_PASSWORD).await;
    let first = kid_of(&before);
    let listed = keys_command("list");
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with(&first) && l.contains(" active ")),
        "{listed}"
    );

    let rotated = keys_command("rotate");
    let second = rotated
        .split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches(':')
        .to_owned();
    assert!(rotated.starts_with("added key "), "{rotated}");
    assert_ne!(second, first);
    assert!(rotated.contains(" pending "), "{rotated}");
    // Published at once, newest first; the current key still signs.
    assert_eq!(kids(&jwks(&server).await), [second.clone(), first.clone()]);
    let during = server.token(&email, GOOD_PASSWORD).await;
    assert_eq!(
        kid_of(&during),
        first,
        "a new key signs only after the delay"
    );

    // A service that fetched the JWKS now has both keys before any token carries the new kid.
    let service = ResourceServer::start(&server, Duration::from_secs(60)).await;
    assert!(service.accepts(&during).await);

    let deadline = Instant::now() + Duration::from_secs(15);
    let after = loop {
        let token = server.token(&email, GOOD_PASSWORD).await;
        if kid_of(&token) == second {
            break token;
        }
        assert!(Instant::now() < deadline, "the new key never began to sign");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let published = jwks(&server).await;
    for token in [&before, &during, &after] {
        assert_eq!(server.me(token).await.status(), StatusCode::OK);
        assert!(service.accepts(token).await);
        assert!(verifies_with_jwks(token, &published));
    }
    assert_eq!(service.verifier.jwks().fetches(), 1, "no fetch was needed");
    let listed = keys_command("list");
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with(&first) && l.contains(" retiring ")),
        "{listed}"
    );
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with(&second) && l.contains(" active ")),
        "{listed}"
    );

    // No private key in the log or on the command line's output.
    let db = sea_orm::Database::connect(format!(
        "sqlite://{}/data/gatehouse.db",
        dir.path().display()
    ))
    .await
    .unwrap();
    let log = server.log().join("\n");
    for key in signing_keys::of_algorithm(&db, "EdDSA").await.unwrap() {
        assert!(!log.contains(&key.secret));
        assert!(!rotated.contains(&key.secret) && !listed.contains(&key.secret));
    }
}

#[tokio::test]
async fn a_retired_key_leaves_the_jwks_and_its_tokens_are_refused_even_fresh_ones() {
    let app = spawn_app_with(
        &[("JWT_ALGORITHM", "EdDSA"), ("JWT_TTL_SECONDS", "60")],
        |_| {},
    )
    .await;
    let user = app.signed_in_user().await;
    let old = kid_of(&user.token);
    let old_key = stored_key(&app, &old).await;

    // A rotation that signs at once, then read again as every instance does.
    let rotated = keys::rotate(&app.state.db, Duration::ZERO).await.unwrap();
    keys::reread(&app.state.db, &app.state.tokens)
        .await
        .unwrap();
    let fresh = Tokens::from(app.refresh(&user.refresh).await).await;
    assert_eq!(kid_of(&fresh.access), rotated.kid);
    assert_eq!(
        app.me(&user.token).await.status(),
        StatusCode::OK,
        "retiring"
    );
    assert_eq!(kids(&jwks(&app).await), [rotated.kid.clone(), old.clone()]);

    // Both keys' times moved 1000 s into the past: the old key was replaced long before its
    // last token (60 s, and the 30 s leeway) could have expired.
    app.state
        .db
        .execute_unprepared("UPDATE signing_keys SET signs_from = signs_from - 1000, created_at = created_at - 1000 WHERE algorithm = 'EdDSA'")
        .await
        .unwrap();
    keys::reread(&app.state.db, &app.state.tokens)
        .await
        .unwrap();
    assert_eq!(kids(&jwks(&app).await), std::slice::from_ref(&rotated.kid));
    assert_invalid_token(app.me(&user.token).await).await;
    // A token made now with the old key's private half: refused, whatever it says.
    let forged = ed_sign(
        &json!({"alg": "EdDSA", "typ": "JWT", "kid": old}),
        &claims_like(&user.token),
        &old_key,
    );
    assert_invalid_token(app.me(&forged).await).await;
    assert_eq!(app.me(&fresh.access).await.status(), StatusCode::OK);

    let listed = keys::list(&app.state.db, 60, chrono::Utc::now().timestamp())
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        app.purge().await.signing_keys,
        1,
        "the retired key is deleted"
    );
    let listed = keys::list(&app.state.db, 60, chrono::Utc::now().timestamp())
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(),
        [rotated.kid.as_str()]
    );
}

#[tokio::test]
async fn a_token_dated_after_its_key_was_replaced_is_refused() {
    let app = spawn_app_with(&EDDSA, |_| {}).await;
    let user = app.signed_in_user().await;
    let old = kid_of(&user.token);
    let old_key = stored_key(&app, &old).await;
    keys::rotate(&app.state.db, Duration::ZERO).await.unwrap();
    // The old key from 1000 s ago, the switch 100 s ago: the old key still verifies its own
    // tokens (retiring), but not one that claims to be made after the switch.
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE signing_keys SET signs_from = signs_from - CASE WHEN kid = '{old}' THEN 1000 ELSE 100 END WHERE algorithm = 'EdDSA'"
        ))
        .await
        .unwrap();
    keys::reread(&app.state.db, &app.state.tokens)
        .await
        .unwrap();
    let listed = keys::list(&app.state.db, 900, chrono::Utc::now().timestamp())
        .await
        .unwrap();
    assert_eq!(listed[0].kid, old);
    assert_eq!(listed[0].state.as_str(), "retiring");
    let mut dated = claims_like(&user.token);
    let switch = chrono::Utc::now().timestamp() - 100;
    // Dated just before the switch: good. Dated after it (beyond the leeway): forged.
    dated["iat"] = json!(switch - 10);
    let before = ed_sign(
        &json!({"alg": "EdDSA", "typ": "JWT", "kid": old}),
        &dated,
        &old_key,
    );
    assert_eq!(app.me(&before).await.status(), StatusCode::OK);
    let forged = ed_sign(
        &json!({"alg": "EdDSA", "typ": "JWT", "kid": old}),
        &claims_like(&user.token),
        &old_key,
    );
    assert_invalid_token(app.me(&forged).await).await;
}

#[tokio::test]
async fn a_service_fetches_the_keys_again_for_an_unknown_kid_at_most_once_in_its_interval() {
    let app = spawn_app_with(&EDDSA, |_| {}).await;
    let user = app.signed_in_user().await;
    let service = ResourceServer::start(&app, Duration::from_secs(2)).await;
    assert!(service.accepts(&user.token).await);
    assert_eq!(service.verifier.jwks().fetches(), 1);

    // A key that signs at once (no publish delay): the service has not seen it.
    let rotated = keys::rotate(&app.state.db, Duration::ZERO).await.unwrap();
    keys::reread(&app.state.db, &app.state.tokens)
        .await
        .unwrap();
    let new = Tokens::from(app.refresh(&user.refresh).await).await.access;
    assert_eq!(kid_of(&new), rotated.kid);
    // Within the interval the unknown kid fetches nothing; once it has passed, one fetch finds it.
    for _ in 0..5 {
        service.hello(&new).await;
    }
    assert!(service.verifier.jwks().fetches() <= 2);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(service.accepts(&new).await);
    let fetches = service.verifier.jwks().fetches();
    assert!(fetches <= 3, "{fetches}");
    for _ in 0..5 {
        assert!(service.accepts(&new).await);
    }
    assert_eq!(service.verifier.jwks().fetches(), fetches, "kept");
}

#[tokio::test]
async fn the_command_line_says_what_it_does_and_refuses_what_it_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| command(dir.path(), &[]).args(args).output().unwrap();

    let listed = run(&["keys", "list"]);
    assert!(listed.status.success(), "{listed:?}");
    let out = String::from_utf8(listed.stdout).unwrap();
    assert!(out.starts_with("no Ed25519 keys yet"), "{out}");
    assert!(out.contains("JWT_ALGORITHM is HS256"), "{out}");

    let help = run(&["help"]);
    assert!(help.status.success());
    let usage = String::from_utf8(help.stdout).unwrap();
    assert!(
        usage.contains("keys rotate") && usage.contains("keys list"),
        "{usage}"
    );

    for wrong in [&["keys"][..], &["keys", "delete"], &["serve", "now"]] {
        let refused = run(wrong);
        assert_eq!(refused.status.code(), Some(2), "{wrong:?}");
        let err = String::from_utf8(refused.stderr).unwrap();
        assert!(err.starts_with("gatehouse: unknown command"), "{err}");
        assert!(err.contains("usage: gatehouse"), "{err}");
    }

    let bad = command(dir.path(), &[("KEY_PUBLISH_SECONDS", "soon")])
        .args(["keys", "rotate"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.starts_with("gatehouse: KEY_PUBLISH_SECONDS:"), "{err}");
}
