//! The manual's causal chaining example: two sessions each create a person
//! and an employment; a third session, started with both sessions'
//! bookmarks, sees both people and befriends them.
//!
//! `cargo run -p quiver-neo4j --example causal_chaining`

use quiver::{params, AuthToken, Bookmarks, Driver, ManagedTransaction, SessionConfig};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

async fn create_person(tx: ManagedTransaction, name: &str) -> quiver::Result<()> {
    tx.run(("CREATE (:Person {name: $name})", params! { "name" => name }))
        .await?
        .consume()
        .await?;
    Ok(())
}

async fn employ(tx: ManagedTransaction, person: &str, company: &str) -> quiver::Result<()> {
    tx.run((
        "MATCH (person:Person {name: $person_name}) \
         MERGE (company:Company {name: $company_name}) \
         CREATE (person)-[:WORKS_FOR]->(company)",
        params! { "person_name" => person, "company_name" => company },
    ))
    .await?
    .consume()
    .await?;
    Ok(())
}

async fn create_friendship(tx: ManagedTransaction, a: &str, b: &str) -> quiver::Result<()> {
    tx.run((
        "MATCH (a:Person {name: $name_a}) MATCH (b:Person {name: $name_b}) MERGE (a)-[:KNOWS]->(b)",
        params! { "name_a" => a, "name_b" => b },
    ))
    .await?
    .consume()
    .await?;
    Ok(())
}

async fn friendships(tx: ManagedTransaction) -> quiver::Result<Vec<(String, String)>> {
    // Each record as an (a, b) tuple, in column order.
    tx.run("MATCH (a)-[:KNOWS]->(b) RETURN a.name AS a, b.name AS b")
        .await?
        .collect_as()
        .await
}

/// A person and their employer, in one session; returns its bookmarks.
async fn hire(driver: &Driver, person: &str, company: &str) -> quiver::Result<Bookmarks> {
    let mut session = driver.session(SessionConfig::default());
    session
        .execute_write(|tx| create_person(tx, person))
        .await?;
    session
        .execute_write(|tx| employ(tx, person, company))
        .await?;
    let bookmarks = session.last_bookmarks().await;
    session.close().await?;
    Ok(bookmarks)
}

#[tokio::main]
async fn main() -> quiver::Result<()> {
    let uri = env("NEO4J_URI", "bolt://localhost:7687");
    let auth = AuthToken::basic(
        env("NEO4J_USER", "neo4j"),
        env("NEO4J_PASSWORD", "password"),
    );
    let driver = Driver::new(&uri, auth)?;

    let mut saved = hire(&driver, "Alice", "Wayne Enterprises").await?;
    saved.merge(&hire(&driver, "Bob", "LexCorp").await?);

    // This session waits until both sessions' writes are visible.
    let mut session = driver.session(SessionConfig::builder().bookmarks(saved).build());
    session
        .execute_write(|tx| create_friendship(tx, "Alice", "Bob"))
        .await?;
    for (a, b) in session.execute_read(friendships).await? {
        println!("{a} knows {b}");
    }
    session.close().await?;
    driver.close().await;
    Ok(())
}
