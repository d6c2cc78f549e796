//! The transfer example on the blocking API.
//!
//! `cargo run -p quiver-neo4j --example transfer_blocking`

use quiver::blocking::{Driver, Session};
use quiver::{params, AuthToken, SessionConfig, TransactionConfig};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn transfer(session: &mut Session, from: &str, to: &str, amount: i64) -> quiver::Result<bool> {
    let mut tx = session.begin_transaction(TransactionConfig::default())?;
    let sufficient: bool = tx
        .run((
            "MATCH (a:Account {id: $id}) RETURN a.balance >= $amount AS sufficient",
            params! { "id" => from, "amount" => amount },
        ))?
        .single()?
        .get("sufficient")?;
    if !sufficient {
        tx.rollback()?;
        return Ok(false);
    }
    tx.run((
        "MATCH (a:Account {id: $id}) SET a.balance = a.balance - $amount",
        params! { "id" => from, "amount" => amount },
    ))?;
    tx.run((
        "MATCH (a:Account {id: $id}) SET a.balance = a.balance + $amount",
        params! { "id" => to, "amount" => amount },
    ))?;
    tx.commit()?;
    Ok(true)
}

fn main() -> quiver::Result<()> {
    let uri = env("NEO4J_URI", "bolt://localhost:7687");
    let auth = AuthToken::basic(
        env("NEO4J_USER", "neo4j"),
        env("NEO4J_PASSWORD", "password"),
    );
    let driver = Driver::new(&uri, auth)?;
    let mut session = driver.session(SessionConfig::default());
    session
        .run(
            "MERGE (a:Account {id: 'alice'}) SET a.balance = 100 \
              MERGE (b:Account {id: 'bob'}) SET b.balance = 0",
        )?
        .consume()?;
    for amount in [60, 60] {
        let done = transfer(&mut session, "alice", "bob", amount)?;
        println!(
            "transfer of {amount}: {}",
            if done { "done" } else { "refused, funds short" }
        );
    }
    let balances: Vec<(String, i64)> = session
        .run("MATCH (a:Account) RETURN a.id AS id, a.balance AS balance ORDER BY id")?
        .collect_as()?;
    for (id, balance) in balances {
        println!("{id}: {balance}");
    }
    session.close()?;
    driver.close();
    Ok(())
}
