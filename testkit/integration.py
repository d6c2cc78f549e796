"""TestKit INTEGRATION_TESTS: Quiver's integration suite against TestKit's Neo4j.

TestKit runs this once per standalone server it starts, with TEST_NEO4J_HOST, _PORT,
_USER, _PASS, _SCHEME, _VERSION and _EDITION set (clusters get TEST_NEO4J_IS_CLUSTER;
TestKit does not call this script for them). They become NEO4J_URI, NEO4J_USER,
NEO4J_PASSWORD and QUIVER_SERVER_KIND=neo4j for `cargo xtask test --suite
integration`, which then starts no server of its own. Skipped, saying why, for servers
older than 4.4 and for clusters.
"""

from _common import cargo_env, run, skip, testkit_server

if __name__ == "__main__":
    server, why_not = testkit_server()
    if why_not:
        skip(why_not)
    print(f"integration suite against {server['NEO4J_URI']}", flush=True)
    run(["cargo", "xtask", "test", "--suite", "integration"], env=cargo_env(server))
