"""Locust users of the served benchmark (benchmarks/bench_served.py starts locust on this file).

The pages to open (codes, ids, queries, the clerks' session keys) come from the JSON file named
by BENCH_SERVED_DATA, written by bench_served.py after it prepared the registry.
"""

import itertools
import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, TaskSet, between, constant, task

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


def _clerk_pages():
    """A clerk's round, in order: (url, name) of each page, the ids and queries drawn anew."""
    return (
        ("/admin/registry/decision/", "decision list"),
        (f"/admin/registry/individual/?q={random.choice(DATA['searches'])}", "person search"),
        (f"/admin/registry/individual/{random.choice(DATA['people'])}/change/", "person page"),
        (f"/admin/registry/decision/{random.choice(DATA['decisions'])}/change/", "decision page"),
        (f"/admin/registry/bao-cao-nam/?{random.choice(DATA['reports'])}", "annual report"),
        (
            f"/admin/registry/eligibilityrule/nominees/?{random.choice(DATA['nominees'])}",
            "nominee list",
        ),
        ("/bench-floor/", "floor"),
    )


ROUND = len(_clerk_pages())


class ClerkDay(TaskSet):
    """One clerk's round of pages, in order, with a pause of 1–3 s before each.

    Each clerk starts at a page of the round drawn at random, after a first pause: started
    together at the same page, the twenty clerks kept opening the same page within seconds of
    each other for their first rounds, a lockstep no office works in.
    """

    def on_start(self):
        self.headers = {"Cookie": f"sessionid={next(_sessions)}"}
        self.position = random.randrange(ROUND)
        self.wait()

    @task
    def next_page(self):
        url, name = _clerk_pages()[self.position]
        self.position = (self.position + 1) % ROUND
        _get(self.client, url, name, headers=self.headers)


class Clerk(FastHttpUser):
    wait_time = between(1, 3)
    tasks = [ClerkDay]
