"""Settings of the served benchmark's gunicorn (benchmarks/bench_served.py): the registry's own
settings, plus a URLconf with one more page, the floor, that production never has."""

from registry.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.served_urls"
# A crowd from one address is the point of the benchmark: the public pages' per-address rate
# limit must not answer it (bench_served.py also sets RATE_LIMIT_VERIFICATION very high).
RATELIMIT_ENABLE = False
