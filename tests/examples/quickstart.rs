//! Quiver's quickstart: the driver manual's "Hello World".
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With `NEO4J_URI` (and `NEO4J_USER`, `NEO4J_PASSWORD`) set, it talks to that
//! server. Otherwise it starts the embedded test server (`cargo xtask server
//! start`: ArcadeDB's Neo4j-compatible Bolt server, installed from PyPI on
//! first use) and stops it at the end.
//!
//! Then it creates two people and their friendship in a write transaction
//! function, reads them back in a read transaction function, prints them,
//! and removes them again.

use std::error::Error;
use std::process::ExitCode;

use quiver::{params, AuthToken, Driver, ErrorKind, SessionConfig};
use quiver_tests::embedded;

#[derive(serde::Deserialize)]
struct Friendship {
    person: String,
    friend: String,
}

/// Creates two people who know each other, in a write transaction function:
/// the driver retries it on transient failures, so it may run more than once.
/// Returns the element ids of the two people.
async fn create_friendship(
    driver: &Driver,
    person1: &str,
    person2: &str,
) -> quiver::Result<Vec<String>> {
    let mut session = driver.session(SessionConfig::default());
    let record = session
        .execute_write(|tx| async move {
            tx.run((
                "CREATE (p1:Person {name: $person1_name}) \
                 CREATE (p2:Person {name: $person2_name}) \
                 CREATE (p1)-[:KNOWS]->(p2) \
                 RETURN p1.name AS person, p2.name AS friend, [elementId(p1), elementId(p2)] AS ids",
                params! { "person1_name" => person1, "person2_name" => person2 },
            ))
            .await?
            .single()
            .await
        })
        .await?;
    let created: Friendship = record.to()?;
    println!(
        "Created friendship between: {}, {}",
        created.person, created.friend
    );
    session.close().await?;
    record.get("ids")
}

/// Reads a person and their friends back, in a read transaction function.
async fn find_person(driver: &Driver, name: &str) -> quiver::Result<()> {
    let mut session = driver.session(SessionConfig::default());
    let found: Vec<Friendship> = session
        .execute_read(|tx| async move {
            tx.run((
                "MATCH (p:Person {name: $name})-[:KNOWS]->(friend:Person) \
                 RETURN p.name AS person, friend.name AS friend",
                params! { "name" => name },
            ))
            .await?
            .collect_as()
            .await
        })
        .await?;
    if found.is_empty() {
        println!("Found nobody called {name}");
    }
    for f in found {
        println!("Found person: {}, who knows {}", f.person, f.friend);
    }
    session.close().await
}

/// Removes the people the example created, so it can run again.
async fn remove_people(driver: &Driver, ids: Vec<String>) -> quiver::Result<()> {
    driver
        .execute_query("MATCH (p:Person) WHERE elementId(p) IN $ids DETACH DELETE p")
        .param("ids", ids)
        .run()
        .await
        .map(|_| ())
}

/// The manual's Hello World against the server at `uri` (public so the
/// integration suite runs it too).
pub async fn hello_world(uri: &str, user: &str, password: &str) -> quiver::Result<()> {
    // One driver per application: it holds the connection pool.
    let driver = Driver::new(uri, AuthToken::basic(user, password))?;
    let info = driver.server_info().await?;
    let (major, minor) = info.protocol_version();
    println!(
        "Connected to {uri}: {} (Bolt {major}.{minor})",
        info.agent()
    );

    let outcome = async {
        let ids = create_friendship(&driver, "Alice", "David").await?;
        let found = find_person(&driver, "Alice").await;
        remove_people(&driver, ids).await?;
        found
    }
    .await;
    // Don't forget to close the driver when you are finished with it.
    driver.close().await;
    outcome
}

/// A hint for the failures a newcomer meets.
fn hint(e: &quiver::Error) -> &'static str {
    match e.kind() {
        ErrorKind::ServiceUnavailable => {
            "\nhint: is the server at NEO4J_URI running and reachable? Unset NEO4J_URI to use the embedded server."
        }
        ErrorKind::Authentication => "\nhint: check NEO4J_USER and NEO4J_PASSWORD.",
        ErrorKind::Configuration => "\nhint: NEO4J_URI looks like neo4j://host:7687 or bolt://host:7687.",
        _ => "",
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let from_env = std::env::var("NEO4J_URI").ok().filter(|u| !u.is_empty());
    if let Some(uri) = from_env {
        let user = std::env::var("NEO4J_USER").unwrap_or_else(|_| "neo4j".to_owned());
        let password = std::env::var("NEO4J_PASSWORD").unwrap_or_default();
        return hello_world(&uri, &user, &password)
            .await
            .map_err(|e| format!("{e}{}", hint(&e)).into());
    }

    println!(
        "NEO4J_URI is not set: starting the embedded server (cargo xtask server start; \
         the first time it builds xtask and installs the server, under a minute)..."
    );
    let server = embedded::start().map_err(|e| {
        format!(
            "could not start the embedded server: {e}\n\
             hint: or set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD to use a server of your own"
        )
    })?;
    if server.reused {
        println!("(using the embedded server that was already running; it stays running)");
    }
    // `server` stops the server when dropped, on errors and panics too.
    let outcome = hello_world(&server.uri, &server.user, &server.password).await;
    let reused = server.reused;
    let log = server.log.clone();
    server.stop()?;
    if !reused {
        println!("Stopped the embedded server.");
    }
    outcome.map_err(|e| {
        let log = log
            .map(|l| format!("\nthe server's log: {}", l.display()))
            .unwrap_or_default();
        format!("{e}{}{log}", hint(&e)).into()
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart: {e}");
            ExitCode::FAILURE
        }
    }
}
