"""What the two import-time tricks save: each import in a fresh interpreter, with the trick and plain.

    python tests/benchmarks/bench_imports.py

- ``storage.corpus`` imports sqlite-utils without pandas (sqlite-utils imports pandas whenever it is
  installed, only to map its Timestamp type);
- ``dedup.lsh`` imports datasketch without ``scipy.integrate`` and without redis.

Prints peak RSS and import time of each, beside the plain import, in the same run. Not collected by
pytest: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, resource, sys, time
started = time.perf_counter()
{statement}
seconds = time.perf_counter() - started
heavy = sorted({{name.split('.')[0] for name in sys.modules}} & {{'pandas', 'scipy', 'redis'}})
print(json.dumps([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, seconds, heavy]))
"""

PAIRS = [
    ("storage.corpus (sqlite-utils without pandas)", "import storage.corpus", "import sqlite_utils"),
    ("dedup.lsh (datasketch without scipy.integrate, redis)", "import dedup.lsh", "import datasketch"),
]


def measure(statement: str, runs: int = 3) -> tuple[float, float, list[str]]:
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", PROBE.format(statement=statement)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(done.stdout))
    rss = min(r[0] for r in results)
    seconds = min(r[1] for r in results)
    return rss, seconds, results[0][2]


def main() -> None:
    base_rss, _, _ = measure("pass")
    print(f"empty interpreter: {base_rss:.0f} MB peak RSS")
    for name, ours, plain in PAIRS:
        ours_rss, ours_s, ours_heavy = measure(ours)
        plain_rss, plain_s, plain_heavy = measure(plain)
        print(
            f"{name}:\n  ours  {ours_rss:6.0f} MB {ours_s * 1000:6.0f} ms  loads {ours_heavy or 'none of them'}"
            f"\n  plain {plain_rss:6.0f} MB {plain_s * 1000:6.0f} ms  loads {plain_heavy or 'none of them'}"
            f"\n  saved {plain_rss - ours_rss:6.0f} MB per process"
        )


if __name__ == "__main__":
    main()
