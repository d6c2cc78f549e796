//! The quickstart example (`cargo run --example quickstart`) runs its Hello
//! World against the suite's server: its source is compiled in here.

#[allow(dead_code)] // its `main` and server start are for `cargo run`
#[path = "../examples/quickstart.rs"]
mod quickstart;

use quiver_tests::{execute_first, server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_hello_world_runs_and_tidies_up() {
    let Some(server) = server() else { return };
    quickstart::hello_world(&server.uri, &server.user, &server.password)
        .await
        .expect("the quickstart's Hello World");
    let driver = server.driver();
    let left: i64 = execute_first(
        &driver,
        "MATCH (p:Person {name: 'Alice'})-[:KNOWS]->(:Person {name: 'David'}) \
         RETURN count(p) AS c",
        "c",
    )
    .await;
    assert_eq!(left, 0, "the quickstart removes what it created");
    driver.close().await;
}
