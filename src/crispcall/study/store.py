"""The study's SQLite database: sessions, their presentation plans, and every answer.

Each answer is committed before the server replies, so a crash or restart loses nothing that
a rater was told was saved. A primary key on (session, item) makes a second answer to the same
item fail inside SQLite, so two requests racing each other cannot both be stored. Every
request opens its own connection (WAL journal, busy timeout): concurrent raters are safe.
"""

from __future__ import annotations

import json
import random
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crispcall.errors import InputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    rater TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('acr', 'pair')),
    plan TEXT NOT NULL,             -- JSON list of items, in presentation order
    trained INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS study (
    key TEXT PRIMARY KEY,           -- 'seed': the base order every session's plan rotates
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    session TEXT NOT NULL REFERENCES sessions(id),
    item TEXT NOT NULL,             -- a stimulus id (acr) or "left|right" stimulus ids (pair)
    value TEXT NOT NULL,            -- "1".."5" (acr) or "left" / "right" / "same" (pair)
    position INTEGER NOT NULL,      -- where in the plan the item was
    created REAL NOT NULL,
    PRIMARY KEY (session, item)
);
"""
ACR_SCORES = ("1", "2", "3", "4", "5")
PAIR_CHOICES = ("left", "right", "same")


class AnswerExists(Exception):
    """The session already answered this item."""


@contextmanager
def connect(db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db, timeout=10.0, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
        yield connection
    finally:
        connection.close()


def init_db(db: Path, seed: int | None = None) -> int:
    """Create the tables where missing; return the study's seed. The first start stores
    ``seed`` (random when None) and every later start reuses it, so the plans of sessions
    created after a restart keep rotating the same base order (the balance holds)."""
    with connect(db) as connection:
        connection.executescript(SCHEMA)
        offered = secrets.randbits(32) if seed is None else seed
        # One statement, so two servers starting on one file agree on the first seed stored.
        connection.execute("INSERT OR IGNORE INTO study (key, value) VALUES ('seed', ?)", (str(offered),))
        stored = int(connection.execute("SELECT value FROM study WHERE key = 'seed'").fetchone()[0])
    if seed is not None and seed != stored:
        raise InputError(f"{db} holds a study with seed {stored}, not {seed}: use another --db")
    return stored


def acr_plan(stimuli: list[dict], session_index: int, seed: int) -> list[str]:
    """Every stimulus once. One shuffled base order per study, with no two neighbours from the
    same source where it can be avoided; session k sees it rotated by k places, so across
    raters every stimulus takes every position equally often (a cyclic Latin square)."""
    rng = random.Random(seed)
    pool = list(stimuli)
    rng.shuffle(pool)
    order: list[dict] = []
    while pool:
        pick = next((i for i, s in enumerate(pool) if not order or s["source"] != order[-1]["source"]), 0)
        order.append(pool.pop(pick))
    shift = session_index % len(order)
    return [s["id"] for s in order[shift:] + order[:shift]]


def pair_plan(stimuli: list[dict], conditions: list[str], session_index: int, seed: int) -> list[str]:
    """Every pair of conditions for every (source, preset), in a random order; which side
    each condition shows on alternates between sessions and is shuffled between pairs."""
    groups: dict[tuple[str, str], dict[str, str]] = {}
    for s in stimuli:
        groups.setdefault((s["source"], s["preset"]), {})[s["condition"]] = s["id"]
    rng = random.Random(seed)
    items = []
    for group in groups.values():
        present = [c for c in conditions if c in group]
        for i, a in enumerate(present):
            for b in present[i + 1 :]:
                items.append([group[a], group[b]])
    rng.shuffle(items)
    plan = []
    for index, (a, b) in enumerate(items):
        swap = (index + session_index + rng.randrange(2)) % 2
        plan.append(f"{b}|{a}" if swap else f"{a}|{b}")
    shift = session_index % max(1, len(plan))
    return plan[shift:] + plan[:shift]


def create_session(db: Path, rater: str, mode: str, manifest: dict, seed: int) -> dict:
    with connect(db) as connection:
        connection.execute("BEGIN IMMEDIATE")  # the session count and the insert stay together
        index = connection.execute("SELECT COUNT(*) FROM sessions WHERE mode = ?", (mode,)).fetchone()[0]
        if mode == "acr":
            plan = acr_plan(manifest["stimuli"], index, seed)
        else:
            plan = pair_plan(manifest["stimuli"], manifest["conditions"], index, seed)
        session = secrets.token_urlsafe(12)
        connection.execute(
            "INSERT INTO sessions (id, rater, mode, plan, created) VALUES (?, ?, ?, ?, ?)",
            (session, rater, mode, json.dumps(plan), time.time()),
        )
        connection.execute("COMMIT")
    return {"session": session, "mode": mode, "total": len(plan)}


def get_session(db: Path, session: str) -> dict | None:
    with connect(db) as connection:
        row = connection.execute("SELECT rater, mode, plan, trained FROM sessions WHERE id = ?", (session,)).fetchone()
        if row is None:
            return None
        answered = {r[0] for r in connection.execute("SELECT item FROM answers WHERE session = ?", (session,))}
    rater, mode, plan, trained = row
    return {
        "session": session,
        "rater": rater,
        "mode": mode,
        "plan": json.loads(plan),
        "trained": bool(trained),
        "answered": answered,
    }


def mark_trained(db: Path, session: str) -> None:
    with connect(db) as connection:
        connection.execute("UPDATE sessions SET trained = 1 WHERE id = ?", (session,))


def add_answer(db: Path, session: str, item: str, value: str, position: int) -> None:
    """Store one answer; :class:`AnswerExists` when the item was answered already."""
    with connect(db) as connection:
        try:
            connection.execute(
                "INSERT INTO answers (session, item, value, position, created) VALUES (?, ?, ?, ?, ?)",
                (session, item, value, position, time.time()),
            )
        except sqlite3.IntegrityError as error:
            raise AnswerExists(item) from error


def all_answers(db: Path) -> list[dict]:
    """Every answer with its session's rater and mode."""
    with connect(db) as connection:
        rows = connection.execute(
            "SELECT a.session, s.rater, s.mode, a.item, a.value, a.position, a.created "
            "FROM answers a JOIN sessions s ON s.id = a.session ORDER BY a.created"
        ).fetchall()
    keys = ("session", "rater", "mode", "item", "value", "position", "created")
    return [dict(zip(keys, row, strict=True)) for row in rows]
