//! The benchmark's ceiling: a bare axum route that checks a token's HMAC and answers from memory,
//! with no database, no revocation check and no logging. `bench/run.sh` runs it beside Gatehouse.

use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};
use std::sync::Arc;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3900".into());
    let secret = std::env::var("JWT_SECRET").expect("JWT_SECRET");
    let key = Arc::new(DecodingKey::from_secret(secret.as_bytes()).unwrap());
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&["gatehouse"]);
    validation.set_issuer(&["gatehouse"]);
    let validation = Arc::new(validation);
    let app = Router::new().route(
        "/api/me",
        get(move |headers: HeaderMap| {
            let (key, validation) = (key.clone(), validation.clone());
            async move {
                let token = headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .ok_or(StatusCode::UNAUTHORIZED)?;
                let data = jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|_| StatusCode::UNAUTHORIZED)?;
                Ok::<_, StatusCode>(Json(json!({"user": {"id": data.claims["sub"], "name": "Bench", "email": "bench@example.com", "created_at": "2026-01-01T00:00:00Z"}})))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
