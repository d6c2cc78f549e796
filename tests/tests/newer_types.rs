use quiver::types::{Uuid, Vector};
use quiver::{params, ErrorKind, SessionConfig, Value};
use quiver_tests::{server, single};

/// A UUID (Bolt 6.1) or a vector (Bolt 6.0) parameter on an older protocol
/// fails before anything is sent, with a kind that says so, and the session
/// goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newer_types_fail_clearly_on_older_protocols() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let version = driver
        .server_info()
        .await
        .expect("server_info")
        .protocol_version();
    let mut session = driver.session(SessionConfig::default());
    let cases = [
        ("uuid", Value::from(Uuid([7; 16])), (6, 1)),
        ("vector", Value::from(Vector::F32(vec![1.0, 2.0])), (6, 0)),
    ];
    for (name, value, needs) in cases {
        if version >= needs {
            continue;
        }
        let outcome = match session
            .run(("RETURN $v AS v", params! { "v" => value }))
            .await
        {
            Err(e) => Err(e),
            Ok(mut r) => r.list().await.map(|rows| format!("{rows:?}")),
        };
        let err = outcome.expect_err(&format!("a {name} parameter on Bolt {version:?}"));
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Serialization | ErrorKind::Unsupported
            ),
            "{name}: {:?}: {err}",
            err.kind()
        );
        let n: i64 = single(&mut session, "RETURN 1 AS n", "n").await;
        assert_eq!(n, 1);
    }
    session.close().await.expect("close");
    driver.close().await;
}
