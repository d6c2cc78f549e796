"""Shared by the scripts TestKit runs in Quiver's driver container.

TestKit (https://github.com/robsdedude/testkit, driver.py) runs each script as
`python3 /driver/testkit/<script>.py` in the container built from ./Dockerfile, with
the repository mounted at /driver (the working directory) and only the host's TEST_*
and TEAMCITY_* variables passed in. Python 3 standard library only.

Cargo builds into target/testkit-container so that a container build and a host build
of the same checkout never invalidate each other (the container runs as root, so that
folder ends up owned by root).
"""

import os
import subprocess
import sys
from pathlib import Path

# The repository root: /driver under TestKit, wherever the checkout is otherwise.
REPO = Path(__file__).resolve().parent.parent
TARGET_DIR = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target" / "testkit-container"))
BACKEND = TARGET_DIR / "release" / "testkit-backend"

# Oldest Neo4j Quiver speaks to: it implements Bolt 4.4 and newer only.
OLDEST_NEO4J = (4, 4)


def cargo_env(extra=None):
    """The environment for cargo: ours plus the target directory, no incremental."""
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(TARGET_DIR)
    env.setdefault("CARGO_INCREMENTAL", "0")
    env.setdefault("RUST_BACKTRACE", "1")
    env.update(extra or {})
    return env


def run(args, env=None):
    """Runs `args` in the repository root; exits with its status if it fails."""
    print("+", " ".join(str(a) for a in args), flush=True)
    code = subprocess.run(args, cwd=REPO, env=env or cargo_env()).returncode
    if code != 0:
        sys.exit(code)


def skip(reason):
    """Ends the script successfully, saying why it did nothing."""
    print(f"testkit/{Path(sys.argv[0]).name}: skipped: {reason}", flush=True)
    sys.exit(0)


def testkit_server():
    """The Neo4j server TestKit started for integration.py/stress.py.

    Returns (env, why_not): `env` maps TestKit's TEST_NEO4J_* variables to the ones
    Quiver's test suites read (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
    QUIVER_SERVER_KIND); `why_not` is a reason to skip, or None.
    """
    host = os.environ.get("TEST_NEO4J_HOST")
    if not host:
        return None, "TEST_NEO4J_HOST is not set (TestKit sets it when it runs a server)"
    port = os.environ.get("TEST_NEO4J_PORT", "7687")
    # The direct form of TestKit's scheme ("neo4j" -> "bolt", "neo4j+s" -> "bolt+s"):
    # the suites make routing URIs themselves from a bolt:// one.
    scheme = os.environ.get("TEST_NEO4J_SCHEME", "bolt")
    if scheme.startswith("neo4j"):
        scheme = "bolt" + scheme[len("neo4j"):]
    env = {
        "NEO4J_URI": f"{scheme}://{host}:{port}",
        "NEO4J_USER": os.environ.get("TEST_NEO4J_USER", "neo4j"),
        "NEO4J_PASSWORD": os.environ.get("TEST_NEO4J_PASS", "pass"),
        "QUIVER_SERVER_KIND": "neo4j",
    }
    version = os.environ.get("TEST_NEO4J_VERSION", "")  # unset: assume a recent one
    if version and _version(version) < OLDEST_NEO4J:
        return env, f"Neo4j {version} speaks Bolt older than 4.4, which Quiver does not"
    if "TEST_NEO4J_IS_CLUSTER" in os.environ:
        return env, "a cluster: Quiver's suites test against a single server"
    return env, None


def _version(text):
    """(major, minor) of "5.26", "4.4" or "5.dev" (a nightly: newer than any)."""
    parts = (text.split(".") + ["0"])[:2]
    try:
        return (int(parts[0]), int(parts[1]))
    except ValueError:
        return (99, 0) if parts[0].isdigit() else (0, 0)
