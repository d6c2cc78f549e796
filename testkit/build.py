"""TestKit step 1: build Quiver's TestKit backend (release).

Run by TestKit as `python3 /driver/testkit/build.py` in the driver container; by hand:
`python3 testkit/build.py` in the repository. backend.py starts the binary this builds,
so the backend is up well within TestKit's 120 s wait.
"""

from _common import run

if __name__ == "__main__":
    run(["cargo", "--version"])
    run(["cargo", "build", "--release", "--locked", "-p", "testkit-backend"])
