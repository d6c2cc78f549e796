//! The causal chaining example on the blocking API.
//!
//! `cargo run -p quiver-neo4j --example causal_chaining_blocking`

use quiver::blocking::{Driver, ManagedTransaction};
use quiver::{params, AuthToken, Bookmarks, SessionConfig};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn create_person(tx: &ManagedTransaction, name: &str) -> quiver::Result<()> {
    tx.run(("CREATE (:Person {name: $name})", params! { "name" => name }))?
        .consume()?;
    Ok(())
}

fn employ(tx: &ManagedTransaction, person: &str, company: &str) -> quiver::Result<()> {
    tx.run((
        "MATCH (person:Person {name: $person_name}) \
         MERGE (company:Company {name: $company_name}) \
         CREATE (person)-[:WORKS_FOR]->(company)",
        params! { "person_name" => person, "company_name" => company },
    ))?
    .consume()?;
    Ok(())
}

fn create_friendship(tx: &ManagedTransaction, a: &str, b: &str) -> quiver::Result<()> {
    tx.run((
        "MATCH (a:Person {name: $name_a}) MATCH (b:Person {name: $name_b}) MERGE (a)-[:KNOWS]->(b)",
        params! { "name_a" => a, "name_b" => b },
    ))?
    .consume()?;
    Ok(())
}

fn hire(driver: &Driver, person: &str, company: &str) -> quiver::Result<Bookmarks> {
    let mut session = driver.session(SessionConfig::default());
    session.execute_write(|tx| create_person(tx, person))?;
    session.execute_write(|tx| employ(tx, person, company))?;
    let bookmarks = session.last_bookmarks();
    session.close()?;
    Ok(bookmarks)
}

fn main() -> quiver::Result<()> {
    let uri = env("NEO4J_URI", "bolt://localhost:7687");
    let auth = AuthToken::basic(
        env("NEO4J_USER", "neo4j"),
        env("NEO4J_PASSWORD", "password"),
    );
    let driver = Driver::new(&uri, auth)?;

    let mut saved = hire(&driver, "Alice", "Wayne Enterprises")?;
    saved.merge(&hire(&driver, "Bob", "LexCorp")?);

    let mut session = driver.session(SessionConfig::builder().bookmarks(saved).build());
    session.execute_write(|tx| create_friendship(tx, "Alice", "Bob"))?;
    let pairs = session.execute_read(|tx| {
        tx.run("MATCH (a)-[:KNOWS]->(b) RETURN a.name AS a, b.name AS b")?
            .collect_as::<(String, String)>()
    })?;
    for (a, b) in pairs {
        println!("{a} knows {b}");
    }
    session.close()?;
    driver.close();
    Ok(())
}
