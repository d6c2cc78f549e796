"""TestKit step 2 (UNIT_TESTS): Quiver's own tests that need no server.

Runs `cargo xtask test --suite unit,doc,testkit`: every crate's tests with the stub
server suites, the doc tests and the backend's own tests. Left out: fmt/clippy/docs
(CI's job), fuzz (nightly), and integration/soak, which need a Bolt server (the
embedded one needs a Python venv, Neo4j needs Docker); integration.py and stress.py run
those against TestKit's Neo4j.
"""

from _common import run

if __name__ == "__main__":
    run(["cargo", "xtask", "test", "--suite", "unit,doc,testkit"])
