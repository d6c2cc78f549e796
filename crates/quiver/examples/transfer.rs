//! A money transfer in an explicit transaction: check the balance, move the
//! amount, commit, or roll back when funds are short.
//!
//! `cargo run -p quiver-neo4j --example transfer` (NEO4J_URI, NEO4J_USER,
//! NEO4J_PASSWORD; defaults bolt://localhost:7687, neo4j/password).

use quiver::{params, AuthToken, Driver, Session, SessionConfig, TransactionConfig};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Moves `amount` from account `from` to account `to`; returns whether it
/// happened.
async fn transfer(
    session: &mut Session,
    from: &str,
    to: &str,
    amount: i64,
) -> quiver::Result<bool> {
    let mut tx = session
        .begin_transaction(TransactionConfig::default())
        .await?;
    let sufficient: bool = tx
        .run((
            "MATCH (a:Account {id: $id}) RETURN a.balance >= $amount AS sufficient",
            params! { "id" => from, "amount" => amount },
        ))
        .await?
        .single()
        .await?
        .get("sufficient")?;
    if !sufficient {
        tx.rollback().await?;
        return Ok(false);
    }
    tx.run((
        "MATCH (a:Account {id: $id}) SET a.balance = a.balance - $amount",
        params! { "id" => from, "amount" => amount },
    ))
    .await?;
    tx.run((
        "MATCH (a:Account {id: $id}) SET a.balance = a.balance + $amount",
        params! { "id" => to, "amount" => amount },
    ))
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[tokio::main]
async fn main() -> quiver::Result<()> {
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
        )
        .await?
        .consume()
        .await?;
    for amount in [60, 60] {
        let done = transfer(&mut session, "alice", "bob", amount).await?;
        println!(
            "transfer of {amount}: {}",
            if done { "done" } else { "refused, funds short" }
        );
    }
    let balances: Vec<(String, i64)> = session
        .run("MATCH (a:Account) RETURN a.id AS id, a.balance AS balance ORDER BY id")
        .await?
        .collect_as()
        .await?;
    for (id, balance) in balances {
        println!("{id}: {balance}");
    }
    session.close().await?;
    driver.close().await;
    Ok(())
}
