//! Driver and session settings the server sees (notification filters in
//! HELLO and BEGIN, user agent, telemetry, keep-alive) are accepted, and the
//! pool settings (connection lifetime, liveness checks) work against it.

use std::time::Duration;

use quiver::{Config, Driver, MinimumSeverity, NotificationFilter, SessionConfig};
use quiver_tests::{consume, server};

async fn answers(driver: &Driver, what: &str) {
    let got = driver
        .execute_query("RETURN 1 AS x")
        .run()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(got.records[0].get::<i64>("x").expect("x"), 1, "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_sent_to_the_server_are_accepted() {
    let Some(server) = server() else { return };
    let configs = [
        (
            "notifications off",
            Config::builder().notification_filter(NotificationFilter::none()),
        ),
        (
            "warnings only",
            Config::builder().notification_filter(
                NotificationFilter::default().with_minimum_severity(MinimumSeverity::Warning),
            ),
        ),
        (
            "user agent, no telemetry, no keep-alive",
            Config::builder()
                .user_agent("quiver-tests/1.0")
                .telemetry_disabled(true)
                .keep_alive(false),
        ),
    ];
    for (what, config) in configs {
        let driver = server.driver_with(config.build().expect("config"));
        answers(&driver, what).await;
        driver.close().await;
    }
    // A session's own filter travels with BEGIN / RUN.
    let driver = server.driver();
    let mut session = driver.session(
        SessionConfig::builder()
            .notification_filter(NotificationFilter::none())
            .build(),
    );
    consume(
        &mut session,
        "RETURN 1",
        "a session with its own notification filter",
    )
    .await;
    session.close().await.expect("close");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_their_lifetime_are_replaced() {
    let Some(server) = server() else { return };
    let config = Config::builder()
        .max_connection_lifetime(Some(Duration::from_millis(100)))
        .build()
        .expect("config");
    let driver = server.driver_with(config);
    for round in 0..3 {
        answers(&driver, &format!("round {round}")).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let (_, metrics) = driver.metrics().into_iter().next().expect("one pool");
    assert!(
        metrics.created >= 3,
        "each round on a new connection: {metrics:?}"
    );
    assert!(metrics.closed >= 2, "the old ones closed: {metrics:?}");
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_checks_on_every_acquisition() {
    let Some(server) = server() else { return };
    let config = Config::builder()
        .liveness_check_timeout(Some(Duration::ZERO))
        .build()
        .expect("config");
    let driver = server.driver_with(config);
    for round in 0..5 {
        answers(&driver, &format!("round {round}")).await;
    }
    let (_, metrics) = driver.metrics().into_iter().next().expect("one pool");
    assert_eq!(
        metrics.created, 1,
        "the checked connection is reused: {metrics:?}"
    );
    driver.close().await;
}
