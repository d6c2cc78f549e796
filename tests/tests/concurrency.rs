//! One driver shared by many tasks and threads, async and blocking;
//! concurrent writers to one node end consistent (conflicts are retried).

use std::sync::Arc;

use quiver::{Config, SessionConfig};
use quiver_tests::{execute, execute_first, server, unique};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_share_one_driver() {
    let Some(server) = server() else { return };
    let config = Config::builder()
        .max_connection_pool_size(5)
        .build()
        .expect("config");
    let driver = server.driver_with(config);
    let label = unique("Shared");
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let driver = driver.clone();
            let label = label.clone();
            tokio::spawn(async move {
                driver
                    .execute_query(format!("CREATE (:{label} {{i: $i}})"))
                    .param("i", i)
                    .run()
                    .await?;
                let mut session = driver.session(SessionConfig::default());
                let n: i64 = session
                    .run((
                        format!("MATCH (n:{label}) WHERE n.i = $i RETURN count(n) AS c"),
                        quiver::params! { "i" => i },
                    ))
                    .await?
                    .single()
                    .await?
                    .get("c")?;
                session.close().await?;
                Ok::<_, quiver::Error>(n)
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task").expect("work"), 1);
    }
    let total: i64 = execute_first(
        &driver,
        format!("MATCH (n:{label}) RETURN count(n) AS c"),
        "c",
    )
    .await;
    assert_eq!(total, 24);
    for (address, metrics) in driver.metrics() {
        assert!(
            metrics.in_use + metrics.idle <= 5 && metrics.created >= 1,
            "{address}: {metrics:?} exceeds the pool size"
        );
        assert_eq!(metrics.in_use, 0, "every connection went back: {metrics:?}");
    }
    execute(&driver, format!("MATCH (n:{label}) DELETE n"), "clean up").await;
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_increments_are_not_lost() {
    let Some(server) = server() else { return };
    let driver = server.driver();
    let label = unique("Counter");
    execute(&driver, format!("CREATE (:{label} {{n: 0}})"), "counter").await;
    let (workers, rounds) = (6, 10);
    let attempts = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let driver = driver.clone();
            let label = label.clone();
            let attempts = Arc::clone(&attempts);
            tokio::spawn(async move {
                let mut session = driver.session(SessionConfig::default());
                for _ in 0..rounds {
                    session
                        .execute_write(|tx| {
                            let label = label.clone();
                            attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            async move {
                                tx.run(format!("MATCH (c:{label}) SET c.n = c.n + 1"))
                                    .await?
                                    .consume()
                                    .await?;
                                Ok(())
                            }
                        })
                        .await?;
                }
                session.close().await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("increments");
    }
    let n: i64 = execute_first(&driver, format!("MATCH (c:{label}) RETURN c.n AS n"), "n").await;
    assert_eq!(n, workers * rounds, "every increment counted once");
    let attempts = attempts.load(std::sync::atomic::Ordering::Relaxed);
    assert!(attempts >= n, "{attempts} attempts for {n} increments");
    eprintln!("{n} increments took {attempts} attempts (conflicts retried)");
    execute(&driver, format!("MATCH (c:{label}) DELETE c"), "clean up").await;
    driver.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_api_inside_a_runtime_blocking_thread() {
    let Some(server) = server() else { return };
    let driver = server.blocking_driver();
    let n = tokio::task::spawn_blocking(move || {
        let mut session = driver.session(SessionConfig::default());
        let n: i64 = session.run("RETURN 5 AS n")?.single()?.get("n")?;
        session.close()?;
        driver.close();
        Ok::<_, quiver::Error>(n)
    })
    .await
    .expect("join")
    .expect("blocking work inside spawn_blocking");
    assert_eq!(n, 5);
}

#[test]
fn blocking_driver_shared_across_threads() {
    let Some(server) = server() else { return };
    let driver = Arc::new(server.blocking_driver());
    let label = unique("Threads");
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let driver = Arc::clone(&driver);
            let label = label.clone();
            std::thread::spawn(move || {
                let mut session = driver.session(SessionConfig::default());
                session
                    .execute_write(|tx| {
                        tx.run((
                            format!("CREATE (:{label} {{i: $i}})"),
                            quiver::params! { "i" => i },
                        ))?
                        .consume()
                    })
                    .expect("write");
                session.close().expect("close");
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    let n: i64 = driver
        .execute_query(format!("MATCH (n:{label}) RETURN count(n) AS c"))
        .run()
        .expect("count")
        .records[0]
        .get("c")
        .expect("c");
    assert_eq!(n, 8);
    driver
        .execute_query(format!("MATCH (n:{label}) DELETE n"))
        .run()
        .expect("clean up");
    driver.close();
}
