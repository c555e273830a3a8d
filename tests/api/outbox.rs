//! The outbox with the real binary: a mail acknowledged before a `kill -9` still goes out after
//! the restart; the `.eml` default names each file in the log; no link or token is ever logged.

use crate::binary::Server;
use crate::helpers::{unique_email, GOOD_PASSWORD};
use crate::mail_sink::{read_dir_mails, wait_for_mails, MailSink};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_mail_queued_before_a_kill_9_goes_out_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut sink = MailSink::start();
    // The mail server is down: the mail can only wait in the outbox.
    sink.stop();
    let url = sink.url();
    let vars = [("SMTP_URL", url.as_str())];
    let server = Server::start(dir.path(), &vars).await;
    let email = unique_email();
    assert_eq!(
        server.register("Ann", &email, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(server.forgot(&email).await.status(), StatusCode::ACCEPTED);
    // Both mails were tried (and failed) at least once.
    let deadline = Instant::now() + Duration::from_secs(10);
    while server
        .log()
        .iter()
        .filter(|l| l.contains("mail not sent"))
        .count()
        < 2
    {
        assert!(Instant::now() < deadline, "no attempt: {:?}", server.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut server = server;
    server.kill_9();
    drop(server);

    sink.resume();
    let _server = Server::start(dir.path(), &vars).await;
    let mails = sink.wait_for(&email, 2).await;
    let mut subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        ["Confirm your email address", "Reset your password"]
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sink.mails().len(), 2, "each mail once");
}

#[tokio::test]
async fn the_eml_default_logs_each_files_name_and_no_link_or_token_is_ever_logged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("RUST_LOG", "trace")]).await;
    let email = unique_email();
    server.register("Ann", &email, GOOD_PASSWORD).await;
    server.forgot(&email).await;
    let outbox = dir.path().join("data/outbox");
    let mails = wait_for_mails(|| read_dir_mails(&outbox), &email, 2).await;
    let confirm = mails[0].token();
    let reset = mails[1].token();
    assert_eq!(server.verify_email(&confirm).await.status(), StatusCode::OK);
    let response = server.reset(&reset, "a brand new passphrase").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    wait_for_mails(|| read_dir_mails(&outbox), &email, 3).await;

    let log = server.log().join("\n");
    for entry in std::fs::read_dir(&outbox).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(log.contains(&name), "the log names {name}");
    }
    for secret in [
        confirm.as_str(),
        reset.as_str(),
        "#token=",
        GOOD_PASSWORD,
        "a brand new passphrase",
    ] {
        assert!(!log.contains(secret), "the log contains {secret}");
    }
    assert!(!log.contains(&email), "addresses are not logged");
}

#[tokio::test]
async fn forgot_answered_just_before_a_kill_9_still_mails_its_links_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sink = MailSink::start();
    let url = sink.url();
    // A request the killed process had claimed waits for its lease to run out: a short one.
    let vars = [
        ("SMTP_URL", url.as_str()),
        ("AUTH_RATE_PER_MINUTE", "0"),
        ("MAIL_LEASE_SECONDS", "3"),
    ];
    let mut server = Server::start(dir.path(), &vars).await;
    let emails: Vec<String> = (0..8).map(|_| unique_email()).collect();
    for email in &emails {
        assert_eq!(
            server.register("Ann", email, GOOD_PASSWORD).await.status(),
            StatusCode::CREATED
        );
    }
    for email in &emails {
        sink.wait_for(email, 1).await;
    }
    // Every request answered, then the process dies at once.
    let answers = futures::future::join_all(emails.iter().map(|email| server.forgot(email))).await;
    server.kill_9();
    drop(server);
    assert!(answers.iter().all(|a| a.status() == StatusCode::ACCEPTED));

    let _server = Server::start(dir.path(), &vars).await;
    for email in &emails {
        let mails = sink.wait_for(email, 2).await;
        assert_eq!(mails[1].subject, "Reset your password", "{email}");
    }
}

#[tokio::test]
async fn sigterm_lets_the_mail_being_sent_finish_and_it_goes_once() {
    let dir = tempfile::tempdir().unwrap();
    // The mail server takes three seconds over each mail.
    let sink = MailSink::start_slow(Duration::from_secs(3));
    let url = sink.url();
    let vars = [("SMTP_URL", url.as_str())];
    let server = Server::start(dir.path(), &vars).await;
    let email = unique_email();
    assert_eq!(
        server.register("Ann", &email, GOOD_PASSWORD).await.status(),
        StatusCode::CREATED
    );
    // The confirmation is being sent: stop now.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(sink.mails().is_empty());
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        sink.mails().len(),
        1,
        "the send under way was finished first"
    );

    // Its outcome was recorded: the next start does not send it again.
    let _server = Server::start(dir.path(), &vars).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(sink.mails().len(), 1, "once");
}
