"""Shared helpers for benchmarks/bench_*.py.

Each benchmark measures its own floor in the same run and prints medians and the ratio
(machines are shared and noisy). BENCH_SCALE (float, default 1.0) shrinks the workload;
generated data is cached under benchmarks/.cache/.

Databases: ``run_on_both(main)`` runs ``main()`` on a SQLite file under the cache, then runs
the same script again under tests/pgserver.py (a throwaway PostgreSQL 15) with BENCH_DB=postgres.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"


def scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1.0"))


def scaled(n: int, minimum: int = 10) -> int:
    return max(minimum, int(n * scale()))


def database_label() -> str:
    return "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def django_setup(sqlite_name: str | None = None) -> None:
    """Point Django at the benchmark database (a cached SQLite file unless DATABASE_URL is set)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    CACHE.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL") and sqlite_name:
        os.environ["DATABASE_URL"] = f"sqlite:///{CACHE / sqlite_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(name: str, measured: list[float], floor: list[float], extra: str = "") -> None:
    m, f = median(measured), median(floor)
    ratio = m / f if f else float("inf")
    print(
        f"[{database_label()}] {name}: median {m:.3f} s over {len(measured)} runs; "
        f"floor {f:.3f} s; ratio {ratio:.2f}x{'; ' + extra if extra else ''}",
        flush=True,
    )


def run_on_both(main: Callable[[], int], script: str) -> int:
    """SQLite in this process, then PostgreSQL in a child under tests/pgserver.py."""
    if os.environ.get("BENCH_DB") == "postgres":
        return main()
    code = main()
    if os.environ.get("BENCH_SKIP_POSTGRES"):
        return code
    env = {**os.environ, "BENCH_DB": "postgres"}
    env.pop("DATABASE_URL", None)
    child = subprocess.run(
        # -P: tests/ must not shadow standard modules (tests/selectors/ vs selectors).
        [sys.executable, "-P", str(ROOT / "tests" / "pgserver.py"), "--", sys.executable, script],
        env=env,
        cwd=ROOT,
    )
    return code or child.returncode
