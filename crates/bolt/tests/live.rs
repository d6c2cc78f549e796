//! Against a real Bolt server when `NEO4J_URI` is set (xtask starts the embedded one);
//! skipped otherwise. Each version the server speaks is forced in turn.

use quiver_bolt::packstream::Value;
use quiver_bolt::{
    Address, AuthToken, Begin, Connection, ConnectionConfig, Pull, Request, Response, Run,
    ServerState, Version,
};

fn server() -> Option<(Address, AuthToken, String)> {
    let uri = std::env::var("NEO4J_URI").ok()?;
    let rest = uri.split_once("://").map(|(_, r)| r).unwrap_or(&uri);
    let hostport = rest.split(['/', '?']).next().unwrap_or(rest);
    let address: Address = hostport.parse().ok()?;
    let user = std::env::var("NEO4J_USER").unwrap_or_else(|_| "neo4j".into());
    let password = std::env::var("NEO4J_PASSWORD").unwrap_or_default();
    let kind = std::env::var("QUIVER_SERVER_KIND").unwrap_or_default();
    Some((address, AuthToken::basic(user, password), kind))
}

async fn rows(c: &mut Connection) -> (Vec<Vec<Value>>, quiver_bolt::Success) {
    let mut out = Vec::new();
    loop {
        match c.recv().await.unwrap() {
            Response::Record(r) => out.push(r.values(c.options()).unwrap()),
            other => return (out, other.into_success().unwrap()),
        }
    }
}

#[tokio::test]
async fn queries_on_each_version_the_server_speaks() {
    let Some((address, auth, kind)) = server() else {
        eprintln!("NEO4J_URI not set: skipped");
        return;
    };
    let versions: &[Version] = if kind == "arcadedb" {
        &[
            Version::V4_4,
            Version::V5_0,
            Version::V5_1,
            Version::V5_2,
            Version::V5_3,
            Version::V5_4,
        ]
    } else {
        Version::SUPPORTED
    };
    let mut spoken = 0;
    for &v in versions {
        let config = ConnectionConfig::builder()
            .auth(auth.clone())
            .versions(&[v])
            .build()
            .unwrap();
        let mut c = match Connection::connect(&address, &config).await {
            Ok(c) => c,
            Err(quiver_bolt::Error::NoCommonVersion) => continue,
            Err(e) => panic!("{v}: {e}"),
        };
        spoken += 1;
        assert_eq!(c.version(), v);
        assert_eq!(c.state(), ServerState::Ready);

        // auto-commit, one round trip
        c.send(&Request::Run(Run::new(
            "UNWIND range(1, 2500) AS x RETURN x, 'v' + x AS s",
        )))
        .unwrap();
        c.send(&Request::Pull(Pull::ALL)).unwrap();
        c.flush().await.unwrap();
        let fields = c.recv().await.unwrap().into_success().unwrap().fields();
        assert_eq!(fields, ["x", "s"], "{v}");
        let (got, _) = rows(&mut c).await;
        assert_eq!(got.len(), 2500, "{v}");
        assert_eq!(
            got[0],
            [Value::Integer(1), Value::String("v1".into())],
            "{v}"
        );
        assert!(c.is_idle(), "{v}");

        // explicit transaction, pipelined with COMMIT
        c.send(&Request::Begin(Begin::default())).unwrap();
        c.send(&Request::Run(Run::new("RETURN 42 AS answer")))
            .unwrap();
        c.send(&Request::Pull(Pull::ALL)).unwrap();
        c.send(&Request::Commit).unwrap();
        c.flush().await.unwrap();
        c.recv().await.unwrap().into_success().unwrap();
        c.recv().await.unwrap().into_success().unwrap();
        let (got, _) = rows(&mut c).await;
        assert_eq!(got, [[Value::Integer(42)]], "{v}");
        c.recv().await.unwrap().into_success().unwrap();
        assert!(c.is_idle(), "{v}");

        // failure, IGNORED, RESET
        c.send(&Request::Run(Run::new("RETRUN 1"))).unwrap();
        c.send(&Request::Pull(Pull::ALL)).unwrap();
        c.flush().await.unwrap();
        let Response::Failure(f) = c.recv().await.unwrap() else {
            panic!("{v}: no FAILURE for a syntax error")
        };
        assert!(f.code.starts_with("Neo.ClientError"), "{v}: {}", f.code);
        assert!(matches!(c.recv().await.unwrap(), Response::Ignored), "{v}");
        c.reset().await.unwrap();
        assert!(c.is_idle(), "{v}");

        c.goodbye().await;
    }
    assert!(spoken > 0, "the server spoke none of {versions:?}");
}
