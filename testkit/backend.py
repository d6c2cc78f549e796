"""TestKit step 3: start Quiver's TestKit backend, in the foreground.

Run by TestKit in the background in the driver container, which then waits for port
9876 on localhost; TestKit's test runner reaches it as driver:9876, so it listens on
0.0.0.0:9876. The flags win over TEST_BACKEND_HOST/TEST_BACKEND_PORT, which the backend
also reads and which TestKit copies in from the host. Expects build.py to have run.
"""

import os
import sys

from _common import BACKEND, cargo_env

# Fork features: the backend advertises the features only robsdedude/testkit knows
# when QUIVER_TESTKIT_FORK=1 (the official TestKit fails every test on an unknown
# feature). TestKit copies only TEST_* variables into this container, so on the host
# set TEST_QUIVER_TESTKIT_FORK=1; QUIVER_TESTKIT_FORK itself works when this script
# runs outside TestKit's container. Unset: official TestKit.
FORK = os.environ.get("QUIVER_TESTKIT_FORK") or os.environ.get("TEST_QUIVER_TESTKIT_FORK")

if __name__ == "__main__":
    if not BACKEND.is_file():
        sys.exit(f"{BACKEND} is missing: run testkit/build.py first")
    env = cargo_env()
    if FORK:
        env["QUIVER_TESTKIT_FORK"] = FORK
    args = [str(BACKEND), "--host", "0.0.0.0", "--port", "9876"]
    print("+", " ".join(args), f"(QUIVER_TESTKIT_FORK={FORK or ''})", flush=True)
    # Replaces this process: the backend gets TestKit's signals and output directly.
    os.execve(args[0], args, env)
