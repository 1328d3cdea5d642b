"""Locust users of the served benchmark (benchmarks/bench_served.py starts locust on this file).

The pages to open (codes, ids, queries, the clerks' session keys) come from the JSON file named
by BENCH_SERVED_DATA, written by bench_served.py after it prepared the registry.
"""

import itertools
import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, SequentialTaskSet, between, constant, task

DATA = json.loads(Path(os.environ["BENCH_SERVED_DATA"]).read_text(encoding="utf-8"))
_sessions = itertools.cycle(DATA["sessions"])


def _get(client, url: str, name: str, expect: int = 200, headers=None) -> None:
    with client.get(
        url, name=name, headers=headers, allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code != expect:
            response.failure(f"HTTP {response.status_code}, expected {expect}")
        else:
            response.success()


class FloorCrowd(FastHttpUser):
    """The floor: a constant Django page, asked for as fast as the crowd can."""

    wait_time = constant(0)

    @task
    def floor(self):
        _get(self.client, "/bench-floor/", "floor")


class VerificationCrowd(FastHttpUser):
    """A hall of people scanning their certificates' QR codes: valid, revoked, unknown codes."""

    wait_time = constant(0)

    @task(6)
    def valid(self):
        code = random.choice(DATA["valid"])
        _get(self.client, f"/xac-thuc/{code}/", "verification: valid")

    @task(1)
    def revoked(self):
        code = random.choice(DATA["revoked"])
        _get(self.client, f"/xac-thuc/{code}/", "verification: revoked")

    @task(3)
    def unknown(self):
        code = random.choice(DATA["unknown"])
        _get(self.client, f"/xac-thuc/{code}/", "verification: unknown", expect=404)


class ClerkDay(SequentialTaskSet):
    """One clerk's round of pages, in order, with a pause of 1–3 s before each."""

    def on_start(self):
        self.headers = {"Cookie": f"sessionid={next(_sessions)}"}
        # The pause before the first page too: without it every clerk opens the decision list
        # within the seconds locust takes to start them, a burst no office sees.
        self.wait()

    def _page(self, url: str, name: str) -> None:
        _get(self.client, url, name, headers=self.headers)

    @task
    def decision_list(self):
        self._page("/admin/registry/decision/", "decision list")

    @task
    def person_search(self):
        self._page(
            f"/admin/registry/individual/?q={random.choice(DATA['searches'])}", "person search"
        )

    @task
    def person_page(self):
        self._page(
            f"/admin/registry/individual/{random.choice(DATA['people'])}/change/", "person page"
        )

    @task
    def decision_page(self):
        self._page(
            f"/admin/registry/decision/{random.choice(DATA['decisions'])}/change/", "decision page"
        )

    @task
    def annual_report(self):
        self._page(
            f"/admin/registry/bao-cao-nam/?{random.choice(DATA['reports'])}", "annual report"
        )

    @task
    def nominee_list(self):
        self._page(
            f"/admin/registry/eligibilityrule/nominees/?{random.choice(DATA['nominees'])}",
            "nominee list",
        )

    @task
    def floor(self):
        self._page("/bench-floor/", "floor")


class Clerk(FastHttpUser):
    wait_time = between(1, 3)
    tasks = [ClerkDay]
