//! docs/api.md, "Tokens": what the tokens hold, and every attack that must end in `invalid_token`.

use crate::helpers::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn encode_part(value: &Value) -> String {
    B64.encode(serde_json::to_vec(value).unwrap())
}

/// A compact JWS signed with HMAC-SHA256 over whatever header and claims are given.
fn hs256(header: &Value, claims: &Value, secret: &str) -> String {
    let input = format!("{}.{}", encode_part(header), encode_part(claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", B64.encode(mac.finalize().into_bytes()))
}

fn header() -> Value {
    json!({"alg": "HS256", "typ": "JWT"})
}

/// Good claims for `user_id` in the session of `token` (a token names a live session).
fn claims_for(user_id: &str, token: &str) -> Value {
    claims_with(user_id, &crate::sessions::sid_of(token))
}

fn claims_with(user_id: &str, sid: &str) -> Value {
    let now = now();
    json!({
        "sub": user_id, "sid": sid, "iat": now, "exp": now + 900, "jti": uuid::Uuid::new_v4(),
        "iss": "gatehouse", "aud": "gatehouse", "amr": ["pwd"],
    })
}

fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&B64.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn an_issued_token_is_an_hs256_jwt_with_exactly_the_contract_claims() {
    let app = spawn_app().await;
    let TestUser { token, id, .. } = app.signed_in_user().await;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(decode_part(parts[0]), json!({"alg": "HS256", "typ": "JWT"}));
    let claims = decode_part(parts[1]);
    let mut keys: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["amr", "aud", "exp", "iat", "iss", "jti", "sid", "sub"],
        "no name or email in the token"
    );
    assert_eq!(claims["amr"], json!(["pwd"]), "signed in with a password");
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["iss"], "gatehouse");
    assert_eq!(claims["aud"], "gatehouse");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    assert!((claims["iat"].as_i64().unwrap() - now()).abs() <= 5);
    assert!(uuid::Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn issuer_and_audience_follow_the_configuration() {
    let app = spawn_app_with(
        &[("JWT_ISSUER", "issuer-x"), ("JWT_AUDIENCE", "audience-y")],
        |_| {},
    )
    .await;
    let TestUser { token, id, .. } = app.signed_in_user().await;
    let claims = decode_part(token.split('.').nth(1).unwrap());
    assert_eq!(
        (claims["iss"].as_str(), claims["aud"].as_str()),
        (Some("issuer-x"), Some("audience-y"))
    );
    assert_eq!(app.me(&token).await.status(), StatusCode::OK);
    // A token with the default issuer and audience is not one of this deployment's.
    assert_invalid_token(
        app.me(&hs256(&header(), &claims_for(&id, &token), TEST_SECRET))
            .await,
    )
    .await;
}

#[tokio::test]
async fn a_token_forged_here_with_the_right_key_is_accepted() {
    // The control for every attack below: the forging code makes tokens the server accepts.
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    assert_eq!(
        app.me(&hs256(&header(), &claims_for(&id, &token), TEST_SECRET))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn alg_none_is_refused_in_any_spelling() {
    let app = spawn_app().await;
    let TestUser { token, id, .. } = app.signed_in_user().await;
    let real_signature = token.split('.').nth(2).unwrap();
    for alg in ["none", "None", "NONE", "nOnE", "none "] {
        let unsigned = format!(
            "{}.{}",
            encode_part(&json!({"alg": alg, "typ": "JWT"})),
            encode_part(&claims_for(&id, &token))
        );
        for token in [
            format!("{unsigned}."),
            unsigned.clone(),
            format!("{unsigned}.{real_signature}"),
        ] {
            assert_invalid_token(app.me(&token).await).await;
        }
        assert_invalid_token(
            app.me(&hs256(
                &json!({"alg": alg, "typ": "JWT"}),
                &claims_for(&id, &token),
                TEST_SECRET,
            ))
            .await,
        )
        .await;
    }
}

#[tokio::test]
async fn other_algorithms_are_refused_even_with_the_right_key() {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let mut header = Header::new(alg);
        header.typ = Some("JWT".into());
        let token = encode(
            &header,
            &claims_for(&id, &token),
            &EncodingKey::from_secret(TEST_SECRET.as_bytes()).unwrap(),
        )
        .unwrap();
        assert_invalid_token(app.me(&token).await).await;
    }
    // Algorithm confusion: an asymmetric `alg` over an HMAC signature.
    for alg in ["RS256", "ES256", "PS256", "EdDSA", "hs256"] {
        assert_invalid_token(
            app.me(&hs256(
                &json!({"alg": alg, "typ": "JWT"}),
                &claims_for(&id, &token),
                TEST_SECRET,
            ))
            .await,
        )
        .await;
    }
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    let forged = hs256(
        &header(),
        &claims_for(&id, &token),
        "another-secret-of-at-least-32-bytes!!",
    );
    assert_invalid_token(app.me(&forged).await).await;
}

#[tokio::test]
async fn a_tampered_payload_or_stripped_signature_is_refused() {
    let app = spawn_app().await;
    let TestUser { token, .. } = app.signed_in_user().await;
    let TestUser { id: victim, .. } = app.signed_in_user().await;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = decode_part(parts[1]);
    claims["sub"] = json!(victim);
    let tampered = format!("{}.{}.{}", parts[0], encode_part(&claims), parts[2]);
    assert_invalid_token(app.me(&tampered).await).await;
    assert_invalid_token(app.me(&format!("{}.{}.", parts[0], parts[1])).await).await;
    assert_invalid_token(app.me(&format!("{}.{}", parts[0], parts[1])).await).await;
    let mut flipped = parts[2].to_owned();
    let last = if flipped.ends_with('A') { 'B' } else { 'A' };
    flipped.pop();
    flipped.push(last);
    assert_invalid_token(
        app.me(&format!("{}.{}.{}", parts[0], parts[1], flipped))
            .await,
    )
    .await;
}

#[tokio::test]
async fn expiry_is_checked_with_at_most_30_seconds_of_leeway() {
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    let with_times = |iat: i64, exp: i64| {
        let mut claims = claims_for(&id, &token);
        claims["iat"] = json!(iat);
        claims["exp"] = json!(exp);
        hs256(&header(), &claims, TEST_SECRET)
    };
    let now = now();
    // Lifetimes of exactly JWT_TTL_SECONDS (900 by default), so only the time window decides.
    assert_invalid_token(app.me(&with_times(now - 900 - 33, now - 31 - 2)).await).await;
    assert_invalid_token(app.me(&with_times(now - 1800, now - 900)).await).await;
    assert_eq!(
        app.me(&with_times(now - 910, now - 10)).await.status(),
        StatusCode::OK,
        "within leeway"
    );
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_refused() {
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    let mut claims = claims_for(&id, &token);
    let now = now();
    claims["iat"] = json!(now + 120);
    claims["exp"] = json!(now + 120 + 900);
    assert_invalid_token(app.me(&hs256(&header(), &claims, TEST_SECRET)).await).await;
    claims["iat"] = json!(now + 10);
    claims["exp"] = json!(now + 10 + 900);
    assert_eq!(
        app.me(&hs256(&header(), &claims, TEST_SECRET))
            .await
            .status(),
        StatusCode::OK,
        "within leeway"
    );
}

#[tokio::test]
async fn a_token_missing_any_claim_is_refused() {
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    for claim in ["sub", "sid", "iat", "exp", "jti", "iss", "aud", "amr"] {
        let mut claims = claims_for(&id, &token);
        claims.as_object_mut().unwrap().remove(claim);
        assert_invalid_token(app.me(&hs256(&header(), &claims, TEST_SECRET)).await).await;
    }
}

#[tokio::test]
async fn a_wrong_issuer_or_audience_is_refused() {
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    for (claim, value) in [
        ("iss", json!("evil")),
        ("aud", json!("evil")),
        ("aud", json!(["evil"])),
        ("iss", json!(null)),
    ] {
        let mut claims = claims_for(&id, &token);
        claims[claim] = value;
        assert_invalid_token(app.me(&hs256(&header(), &claims, TEST_SECRET)).await).await;
    }
}

#[tokio::test]
async fn a_token_for_an_unknown_or_deleted_user_is_refused() {
    let app = spawn_app().await;
    let unknown = hs256(
        &header(),
        &claims_with(
            &uuid::Uuid::new_v4().to_string(),
            &uuid::Uuid::new_v4().to_string(),
        ),
        TEST_SECRET,
    );
    assert_invalid_token(app.me(&unknown).await).await;
    assert_invalid_token(
        app.me(&hs256(
            &header(),
            &claims_with("not-a-uuid", &uuid::Uuid::new_v4().to_string()),
            TEST_SECRET,
        ))
        .await,
    )
    .await;

    // Deleted behind the service's back (an operator's `DELETE`): the check's answer kept on
    // SQLite (`auth::cache`) lasts at most `HOLD`. A deletion through the service is refused at
    // once (`account::deleting_the_account…`).
    let TestUser { token, id, .. } = app.signed_in_user().await;
    assert_eq!(app.me(&token).await.status(), StatusCode::OK);
    app::backend::users::delete_user(&app.state.db, id.parse().unwrap())
        .await
        .unwrap();
    tokio::time::sleep(app::backend::auth::cache::HOLD).await;
    assert_invalid_token(app.me(&token).await).await;
}

#[tokio::test]
async fn an_oversized_token_is_refused() {
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    let mut claims = claims_for(&id, &token);
    claims["pad"] = json!("x".repeat(8 * 1024));
    let token = hs256(&header(), &claims, TEST_SECRET);
    assert!(token.len() > 8 * 1024);
    assert_invalid_token(app.me(&token).await).await;
}

#[tokio::test]
async fn garbage_tokens_are_refused() {
    let app = spawn_app().await;
    for token in [
        "abc",
        "a.b.c",
        "..",
        "....",
        "eyJhbGciOiJIUzI1NiJ9",
        "Bearer",
        "%%%.%%%.%%%",
        "e30.e30.e30",
    ] {
        assert_invalid_token(app.me(token).await).await;
    }
    let empty = app
        .http
        .get(app.url("/api/me"))
        .header("authorization", "Bearer ")
        .send()
        .await
        .unwrap();
    assert_invalid_token(empty).await;
    let non_ascii = app
        .http
        .get(app.url("/api/me"))
        .header("authorization", b"Bearer \xff\xfe".as_slice())
        .send()
        .await
        .unwrap();
    assert_invalid_token(non_ascii).await;
}

#[tokio::test]
async fn a_token_without_the_jwt_type_is_refused() {
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    for header in [
        json!({"alg": "HS256"}),
        json!({"alg": "HS256", "typ": "at+jwt"}),
    ] {
        assert_invalid_token(
            app.me(&hs256(&header, &claims_for(&id, &token), TEST_SECRET))
                .await,
        )
        .await;
    }
}

#[tokio::test]
async fn a_revoked_token_stays_revoked_and_expired_revocations_are_purged() {
    let app = spawn_app().await;
    let TestUser { token, id, .. } = app.signed_in_user().await;
    assert_eq!(app.logout(&token).await.status(), StatusCode::NO_CONTENT);
    assert_invalid_token(app.me(&token).await).await;

    // A revocation of a token that has long expired is deleted; a live one is kept.
    let jti = uuid::Uuid::new_v4();
    let past = (now() - 3600) as u64;
    app::backend::revocations::revoke(&app.state.db, jti, id.parse().unwrap(), past)
        .await
        .unwrap();
    let purged = app.purge().await;
    assert_eq!(purged.revocations, 1);
    use sea_orm::EntityTrait;
    let kept = app::backend::revocations::entity::Entity::find_by_id(jti)
        .one(&app.state.db)
        .await
        .unwrap();
    assert!(kept.is_none(), "the expired revocation is purged");
    assert_invalid_token(app.me(&token).await).await;
}

#[tokio::test]
async fn a_crit_header_is_refused() {
    let app = spawn_app().await;
    let TestUser { id, token, .. } = app.signed_in_user().await;
    // Any `crit`: one naming an extension nobody understands, and the one `jsonwebtoken` itself
    // lets through (RFC 7797's `b64`, here with the ordinary encoding).
    for (crit, b64) in [(json!(["exp"]), None), (json!(["b64"]), Some(json!(true)))] {
        let mut with_crit = header();
        with_crit["crit"] = crit;
        if let Some(b64) = b64 {
            with_crit["b64"] = b64;
        }
        assert_invalid_token(
            app.me(&hs256(&with_crit, &claims_for(&id, &token), TEST_SECRET))
                .await,
        )
        .await;
    }
    // The control: the same claims under the plain header are accepted.
    assert_eq!(
        app.me(&hs256(&header(), &claims_for(&id, &token), TEST_SECRET))
            .await
            .status(),
        StatusCode::OK
    );
}
