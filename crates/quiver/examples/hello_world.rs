//! The manual's "Hello World": create a friendship between two people, then
//! find a person, with transaction functions (retried on transient errors).
//!
//! Run against a server with
//! `NEO4J_URI=neo4j://localhost:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=password cargo run -p quiver-neo4j --example hello_world`.

use quiver::{params, AuthToken, Driver, SessionConfig};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[derive(serde::Deserialize)]
struct Friendship {
    p1: String,
    p2: String,
}

async fn create_friendship(driver: &Driver, person1: &str, person2: &str) -> quiver::Result<()> {
    let mut session = driver.session(SessionConfig::default());
    // Write transactions let the driver retry on transient errors.
    let friendships: Vec<Friendship> = session
        .execute_write(|tx| async move {
            let query = "CREATE (p1:Person {name: $person1_name}) \
                         CREATE (p2:Person {name: $person2_name}) \
                         CREATE (p1)-[:KNOWS]->(p2) \
                         RETURN p1.name AS p1, p2.name AS p2";
            tx.run((
                query,
                params! { "person1_name" => person1, "person2_name" => person2 },
            ))
            .await?
            .collect_as()
            .await
        })
        .await?;
    for f in friendships {
        println!("Created friendship between: {}, {}", f.p1, f.p2);
    }
    session.close().await
}

async fn find_person(driver: &Driver, name: &str) -> quiver::Result<()> {
    let mut session = driver.session(SessionConfig::default());
    let names: Vec<String> = session
        .execute_read(|tx| async move {
            tx.run((
                "MATCH (p:Person) WHERE p.name = $person_name RETURN p.name AS name",
                params! { "person_name" => name },
            ))
            .await?
            .value()
            .await
        })
        .await?;
    for name in names {
        println!("Found person: {name}");
    }
    session.close().await
}

#[tokio::main]
async fn main() -> quiver::Result<()> {
    let uri = env("NEO4J_URI", "bolt://localhost:7687");
    let auth = AuthToken::basic(
        env("NEO4J_USER", "neo4j"),
        env("NEO4J_PASSWORD", "password"),
    );
    let driver = Driver::new(&uri, auth)?;
    create_friendship(&driver, "Alice", "David").await?;
    find_person(&driver, "Alice").await?;
    // Don't forget to close the driver when you are finished with it.
    driver.close().await;
    Ok(())
}
