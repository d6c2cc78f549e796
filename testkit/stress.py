"""TestKit STRESS_TESTS: Quiver's fault soak against TestKit's Neo4j.

TestKit calls this for server configurations with a stress duration, setting the
TEST_NEO4J_* variables of integration.py plus TEST_NEO4J_STRESS_DURATION (seconds).
Runs `cargo xtask soak --secs N` against that server: 16 tasks of random work through
a fault proxy, no committed write lost, nothing leaked. The soak drives one server
directly, so it is skipped, saying why, for clusters (TestKit's public matrix only
stresses clusters: this is then a no-op) and for servers older than 4.4.
"""

import os

from _common import cargo_env, run, skip, testkit_server

if __name__ == "__main__":
    server, why_not = testkit_server()
    if why_not:
        skip(why_not)
    secs = os.environ.get("TEST_NEO4J_STRESS_DURATION", "0")
    if not secs.isdigit() or int(secs) <= 0:
        skip(f"TEST_NEO4J_STRESS_DURATION={secs!r} asks for no stress run")
    print(f"soak for {secs} s against {server['NEO4J_URI']}", flush=True)
    run(["cargo", "xtask", "soak", "--secs", secs], env=cargo_env(server))
