//! docs/operations.md, "Several instances": several instances on one Postgres database, with nothing one instance keeps that
//! another needs. Three real binaries start at the same moment on a fresh, empty database (with
//! EdDSA, so the first key is made at that moment too), and each step of a user's life goes to a
//! different one.

use crate::binary::{command, Server};
use crate::helpers::*;
use crate::mail_sink::MailSink;
use crate::postgres::fresh_database;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

fn kid_of(token: &str) -> String {
    let head = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&B64.decode(head).unwrap()).unwrap();
    header["kid"].as_str().expect("a kid").to_owned()
}

#[tokio::test]
async fn three_instances_on_one_database_serve_one_user_step_by_step() {
    let Some(database) = fresh_database().await else {
        return;
    };
    {
        let sink = MailSink::start();
        let smtp = sink.url();
        let vars = [
            ("DATABASE_URL", database.url.as_str()),
            ("SMTP_URL", smtp.as_str()),
            ("JWT_ALGORITHM", "EdDSA"),
            ("KEY_PUBLISH_SECONDS", "0"),
            ("AUTH_RATE_PER_MINUTE", "0"),
            ("REFRESH_REUSE_GRACE_SECONDS", "0"),
        ];
        // All three migrate and look for a key at the same moment.
        let (dirs, servers) = Server::start_together(3, &vars).await;
        let [a, b, c] = [&servers[0], &servers[1], &servers[2]];
        let jwks: Vec<Value> = futures::future::join_all(servers.iter().map(|s| async {
            s.get("/.well-known/jwks.json")
                .await
                .json::<Value>()
                .await
                .unwrap()
        }))
        .await;
        assert_eq!(jwks[0]["keys"].as_array().unwrap().len(), 1, "one key made");
        assert!(
            jwks.iter().all(|j| j == &jwks[0]),
            "the same key everywhere"
        );

        // Register on A, log in on B, read /api/me on C.
        let email = unique_email();
        assert_eq!(
            a.register("Three", &email, GOOD_PASSWORD).await.status(),
            StatusCode::CREATED
        );
        let login = b.tokens(&email, GOOD_PASSWORD).await;
        let me = c.me(&login.access).await;
        assert_eq!(me.status(), StatusCode::OK);
        let body: Value = me.json().await.unwrap();
        assert_eq!(body["user"]["email"], email.as_str());

        // Refresh on A; the old refresh token replayed on B ends the session, seen on C at once.
        let refreshed = Tokens::from(a.refresh(login.refresh.as_deref().unwrap()).await).await;
        assert_eq!(c.me(&refreshed.access).await.status(), StatusCode::OK);
        assert_invalid_token(b.refresh(login.refresh.as_deref().unwrap()).await).await;
        for server in [a, b, c] {
            assert_invalid_token(server.me(&refreshed.access).await).await;
        }
        assert_invalid_token(a.refresh(refreshed.refresh.as_deref().unwrap()).await).await;

        // A logout on A: the other two refuse the token at once.
        let session = c.tokens(&email, GOOD_PASSWORD).await;
        assert_eq!(b.me(&session.access).await.status(), StatusCode::OK);
        assert_eq!(
            a.logout(&session.access).await.status(),
            StatusCode::NO_CONTENT
        );
        assert_invalid_token(b.me(&session.access).await).await;
        assert_invalid_token(c.me(&session.access).await).await;
        assert_invalid_token(b.refresh(session.refresh.as_deref().unwrap()).await).await;

        // A key rotated by the command line (signing at once here): the instance that signs with
        // it first is read by the other two, which have not seen the key yet.
        let output = command(dirs[0].path(), &vars)
            .args(["keys", "rotate"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let before = kid_of(&session.access);
        let deadline = Instant::now() + Duration::from_secs(10);
        let rotated = loop {
            let token = a.token(&email, GOOD_PASSWORD).await;
            if kid_of(&token) != before {
                break token;
            }
            assert!(
                Instant::now() < deadline,
                "the rotated key never signed on A"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(b.me(&rotated).await.status(), StatusCode::OK);
        assert_eq!(c.me(&rotated).await.status(), StatusCode::OK);

        // The login lock counts guesses sent to all three: ten wrong ones spread over them, and
        // then even the right password is refused by each.
        let victim = unique_email();
        assert_eq!(
            c.register("Victim", &victim, GOOD_PASSWORD).await.status(),
            StatusCode::CREATED
        );
        for guess in 0..10 {
            assert_error(
                servers[guess % 3].login(&victim, "not the password").await,
                401,
                "invalid_credentials",
            )
            .await;
        }
        for server in [a, b, c] {
            assert_error(
                server.login(&victim, GOOD_PASSWORD).await,
                429,
                "rate_limited",
            )
            .await;
        }

        // A reset asked on B is mailed once (three senders poll the outbox), used on C, and the
        // new password opens the account on A.
        let reader = unique_email();
        b.register("Reader", &reader, GOOD_PASSWORD).await;
        let kept = a.tokens(&reader, GOOD_PASSWORD).await;
        sink.wait_for(&reader, 1).await;
        assert_eq!(b.forgot(&reader).await.status(), StatusCode::ACCEPTED);
        let mails = sink.wait_for(&reader, 2).await;
        let token = mails[1].token();
        assert_eq!(
            c.reset(&token, "three instances, one outbox")
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_invalid_token(b.me(&kept.access).await).await;
        assert_eq!(
            a.login(&reader, "three instances, one outbox")
                .await
                .status(),
            StatusCode::OK
        );
        // Every sender has polled several times since: still two mails to the reader (the
        // confirmation and the reset), and the reset's notice.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let to_reader = sink
            .mails()
            .into_iter()
            .filter(|m| m.to.contains(&reader))
            .count();
        assert_eq!(to_reader, 3, "confirmation, reset link, notice: each once");
    }
    database.drop().await;
}

/// `AUTH_RATE_PER_MINUTE` counts an address's sign-in requests in the database: spreading them
/// over three instances gets it no more than one instance would give.
#[tokio::test]
async fn the_sign_in_rate_of_an_address_is_one_count_across_instances() {
    let Some(database) = fresh_database().await else {
        return;
    };
    {
        let vars = [
            ("DATABASE_URL", database.url.as_str()),
            ("AUTH_RATE_PER_MINUTE", "6"),
        ];
        let (_dirs, servers) = Server::start_together(3, &vars).await;
        for request in 0..6 {
            assert_error(
                servers[request % 3]
                    .login(&unique_email(), GOOD_PASSWORD)
                    .await,
                401,
                "invalid_credentials",
            )
            .await;
        }
        for server in &servers {
            let refused = server.login(&unique_email(), GOOD_PASSWORD).await;
            let wait = retry_after(&refused);
            assert!((1..=60).contains(&wait), "Retry-After {wait}");
            assert_error(refused, 429, "rate_limited").await;
        }
    }
    database.drop().await;
}

#[tokio::test]
async fn two_instances_and_a_slow_mail_server_send_each_mail_once() {
    let Some(database) = fresh_database().await else {
        return;
    };
    {
        // Two seconds a mail; a lease of five: a sender holding many mails at once would lose
        // the later ones' leases mid-batch, and the other instance would send them too.
        let sink = MailSink::start_slow(Duration::from_secs(2));
        let smtp = sink.url();
        let vars = [
            ("DATABASE_URL", database.url.as_str()),
            ("SMTP_URL", smtp.as_str()),
            ("AUTH_RATE_PER_MINUTE", "0"),
            ("MAIL_LEASE_SECONDS", "5"),
        ];
        let (_dirs, servers) = Server::start_together(2, &vars).await;
        let emails: Vec<String> = (0..8).map(|_| unique_email()).collect();
        for (i, email) in emails.iter().enumerate() {
            let server = &servers[i % 2];
            assert_eq!(
                server.register("Slow", email, GOOD_PASSWORD).await.status(),
                StatusCode::CREATED
            );
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while sink.mails().len() < emails.len() {
            assert!(Instant::now() < deadline, "{} mails", sink.mails().len());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // Long enough for any lease to run out and any second copy to arrive.
        tokio::time::sleep(Duration::from_secs(8)).await;
        let mails = sink.mails();
        for email in &emails {
            let copies = mails
                .iter()
                .filter(|m| m.to.contains(email.as_str()))
                .count();
            assert_eq!(copies, 1, "{email}: {copies} copies");
        }
        assert_eq!(mails.len(), emails.len());
        // Both instances took part.
        let senders = servers
            .iter()
            .filter(|s| s.log().iter().any(|l| l.contains("mail sent")))
            .count();
        assert_eq!(senders, 2, "each instance sent some");
    }
    database.drop().await;
}
