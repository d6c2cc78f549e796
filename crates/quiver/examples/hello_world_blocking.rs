//! The manual's "Hello World" on the blocking API: no async anywhere.
//!
//! `NEO4J_URI=bolt://localhost:7687 cargo run -p quiver-neo4j --example hello_world_blocking`

use quiver::blocking::Driver;
use quiver::{params, AuthToken, SessionConfig};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn create_friendship(driver: &Driver, person1: &str, person2: &str) -> quiver::Result<()> {
    let mut session = driver.session(SessionConfig::default());
    let rows = session.execute_write(|tx| {
        let query = "CREATE (p1:Person {name: $person1_name}) \
                     CREATE (p2:Person {name: $person2_name}) \
                     CREATE (p1)-[:KNOWS]->(p2) \
                     RETURN p1.name AS p1, p2.name AS p2";
        tx.run((
            query,
            params! { "person1_name" => person1, "person2_name" => person2 },
        ))?
        .list()
    })?;
    for row in rows {
        println!(
            "Created friendship between: {}, {}",
            row.get::<&str>("p1")?,
            row.get::<&str>("p2")?
        );
    }
    session.close()
}

fn find_person(driver: &Driver, name: &str) -> quiver::Result<()> {
    let mut session = driver.session(SessionConfig::default());
    let names = session.execute_read(|tx| {
        tx.run((
            "MATCH (p:Person) WHERE p.name = $person_name RETURN p.name AS name",
            params! { "person_name" => name },
        ))?
        .value::<String>()
    })?;
    for name in names {
        println!("Found person: {name}");
    }
    session.close()
}

fn main() -> quiver::Result<()> {
    let uri = env("NEO4J_URI", "bolt://localhost:7687");
    let auth = AuthToken::basic(
        env("NEO4J_USER", "neo4j"),
        env("NEO4J_PASSWORD", "password"),
    );
    let driver = Driver::new(&uri, auth)?;
    create_friendship(&driver, "Alice", "David")?;
    find_person(&driver, "Alice")?;
    driver.close();
    Ok(())
}
