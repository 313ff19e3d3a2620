"""Run every benchmark of tools/bench/ and print their reports.

``python tools/bench/run.py`` from the repository root (the nox ``bench``
session does this). Each benchmark runs in its own interpreter, so Django's
set-up in one does not colour the timings of another. Missed targets are
reported, not fatal: the exit status is 0 unless a benchmark itself crashed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_totp.py", "bench_queries.py", "bench_webauthn.py", "bench_signin.py"]


def main() -> int:
    crashed = []
    for name in BENCHES:
        print(f"\n##### {name} #####", flush=True)
        started = time.perf_counter()
        status = subprocess.call([sys.executable, str(HERE / name)], cwd=HERE.parents[1])
        print(f"##### {name}: exit {status}, {time.perf_counter() - started:.1f} s #####")
        if status != 0:
            crashed.append(name)
    if crashed:
        print(f"\nBenchmarks that crashed (not a missed target): {', '.join(crashed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
