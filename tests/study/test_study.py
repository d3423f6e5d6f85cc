import itertools
import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from crispcall.study.clips import CONDITIONS, load_manifest, make_clips
from crispcall.study.results import mos_table, pair_table, screen_raters, study_results
from crispcall.study.store import acr_plan, pair_plan
from tests.study.conftest import running_study


def call(base: str, method: str, path: str, body=None, raw: bytes | None = None) -> tuple[int, dict]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read()
            return response.status, json.loads(text) if text else {}
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def start_session(base: str, rater: str = "ann", mode: str = "acr") -> str:
    status, created = call(base, "POST", "/api/sessions", {"rater": rater, "mode": mode})
    assert status == 201
    assert call(base, "POST", f"/api/sessions/{created['session']}/trained")[0] == 204
    return created["session"]


def rate_all(base: str, session: str, score=lambda item: 3) -> int:
    count = 0
    while True:
        status, item = call(base, "GET", f"/api/sessions/{session}/next")
        assert status == 200
        if item.get("done"):
            return count
        assert (
            call(base, "POST", f"/api/sessions/{session}/answers", {"item": item["item"], "value": score(item)})[0]
            == 201
        )
        count += 1


def test_stimuli_cover_every_condition_under_names_that_reveal_nothing(study_clips):
    manifest = load_manifest(study_clips)
    stimuli = manifest["stimuli"]
    assert Counter(s["condition"] for s in stimuli) == dict.fromkeys(CONDITIONS, 4)
    assert {s["content"] for s in stimuli} == {"faces (video)", "faces", "screens", "natural"}
    for s in stimuli:
        assert s["file"].split(".")[0] == s["id"] and len(s["id"]) == 16  # random hex, nothing else
        assert not any(word in s["file"] for word in (*CONDITIONS, s["source"]))
    by_condition = {s["condition"]: s for s in stimuli if s["content"] == "faces"}
    assert (study_clips / by_condition["student"]["file"]).read_bytes() != (
        study_clips / by_condition["degraded"]["file"]
    ).read_bytes()
    assert [t["label"] for t in manifest["training"]] == ["excellent (5)", "bad (1)"]


def test_make_clips_refuses_a_used_folder_and_leaves_nothing_on_failure(study_clips, tmp_path):
    with pytest.raises(FileExistsError):
        make_clips(tmp_path, study_clips)
    with pytest.raises(ValueError, match="per_set must be at least 1"):
        make_clips(tmp_path, tmp_path / "empty", per_set=0)  # an empty study is no study
    with pytest.raises(FileNotFoundError, match="no files"):
        make_clips(tmp_path, tmp_path / "new", sets=["faces"], progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no half-built folder, hidden or not
    with pytest.raises(FileNotFoundError, match="make-clips"):
        load_manifest(tmp_path)


def test_acr_order_is_balanced_and_keeps_sources_apart():
    stimuli = [{"id": f"{source}{c}", "source": source} for source in "abcd" for c in range(5)]
    plans = [acr_plan(stimuli, k, seed=1) for k in range(len(stimuli))]
    for plan in plans:
        assert sorted(plan) == sorted(s["id"] for s in stimuli)
    # Across as many sessions as stimuli, every stimulus takes every position once.
    for position in range(len(stimuli)):
        assert len({plan[position] for plan in plans}) == len(stimuli)
    base = plans[0]
    assert all(a[0] != b[0] for a, b in itertools.pairwise(base))
    assert acr_plan(stimuli, 0, seed=2) != base  # the order is random per study


def test_pair_plan_shows_every_condition_pair_once_with_sides_balanced():
    stimuli = [{"id": f"{s}-{c}", "source": s, "preset": "call", "condition": c} for s in "ab" for c in CONDITIONS]
    plans = [pair_plan(stimuli, list(CONDITIONS), k, seed=0) for k in range(2)]
    for plan in plans:
        pairs = [frozenset(item.split("|")) for item in plan]
        assert len(pairs) == len(set(pairs)) == 2 * 10
        assert all(len({i.split("-")[0] for i in pair}) == 1 for pair in pairs)  # same source side by side
    left = Counter(item.split("|")[0].split("-")[1] for plan in plans for item in plan)
    assert max(left.values()) - min(left.values()) <= 6


def test_a_rater_session_from_training_to_done(study_server):
    base = study_server
    with urllib.request.urlopen(base + "/") as page:
        assert page.status == 200 and b"rater.js" in page.read()
    status, created = call(base, "POST", "/api/sessions", {"rater": "ann"})
    session = created["session"]
    assert status == 201 and created["mode"] == "acr" and created["total"] == 20
    assert call(base, "GET", f"/api/sessions/{session}/next")[0] == 409  # training comes first
    status, first = call(base, "GET", "/api/training")
    assert status == 200 and len(first) == 2
    assert call(base, "POST", f"/api/sessions/{session}/trained")[0] == 204
    status, item = call(base, "GET", f"/api/sessions/{session}/next")
    assert status == 200 and item["position"] == 0 and len(item["stimuli"]) == 1
    assert urllib.request.urlopen(base + item["stimuli"][0]["url"]).status == 200
    assert rate_all(base, session) == 20
    status, state = call(base, "GET", f"/api/sessions/{session}")
    assert (state["done"], state["total"]) == (20, 20)


def test_bad_inputs_get_4xx_and_change_nothing(study_server):
    base = study_server
    session = start_session(base)
    _, item = call(base, "GET", f"/api/sessions/{session}/next")
    answers = f"/api/sessions/{session}/answers"
    for value in (0, 6, "x", None, 2.5, True):
        assert call(base, "POST", answers, {"item": item["item"], "value": value})[0] == 422, value
    assert call(base, "POST", answers, {"item": "nope", "value": 3})[0] == 404
    assert call(base, "POST", answers, raw=b"{not json")[0] == 400
    assert call(base, "POST", answers, [1, 2])[0] == 400
    assert call(base, "POST", "/api/sessions/unknown/answers", {"item": item["item"], "value": 3})[0] == 404
    assert call(base, "GET", "/api/sessions/unknown/next")[0] == 404
    for body in ({"rater": ""}, {"rater": "x" * 65}, {"rater": "bo", "mode": "dscqs"}):
        assert call(base, "POST", "/api/sessions", body)[0] == 422
    assert call(base, "GET", f"/api/sessions/{session}")[1]["done"] == 0
    assert call(base, "POST", answers, {"item": item["item"], "value": 4})[0] == 201
    assert call(base, "POST", answers, {"item": item["item"], "value": 5})[0] == 409  # a duplicate
    assert call(base, "GET", f"/api/sessions/{session}")[1]["done"] == 1
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(base + "/stimuli/manifest.json")  # the mapping is never served


def test_concurrent_raters_and_racing_duplicates(study_server):
    base = study_server

    def rater(name: str) -> int:
        return rate_all(base, start_session(base, name), score=lambda item: 1 + item["position"] % 5)

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(rater, [f"r{i}" for i in range(6)])) == [20] * 6
    session = start_session(base, "racer")
    _, item = call(base, "GET", f"/api/sessions/{session}/next")
    barrier = threading.Barrier(8)

    def post(_: int) -> int:
        barrier.wait()
        return call(base, "POST", f"/api/sessions/{session}/answers", {"item": item["item"], "value": 2})[0]

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(post, range(8))) == [201] + [409] * 7


def test_a_restart_loses_nothing_and_the_rater_resumes(study_clips, tmp_path):
    db = tmp_path / "study.sqlite"
    with running_study(study_clips, db) as base:
        session = start_session(base)
        answered = []
        for _ in range(7):
            _, item = call(base, "GET", f"/api/sessions/{session}/next")
            assert call(base, "POST", f"/api/sessions/{session}/answers", {"item": item["item"], "value": 4})[0] == 201
            answered.append(item["item"])
    with running_study(study_clips, db) as base:  # a new process would see the same file
        status, state = call(base, "GET", f"/api/sessions/{session}")
        assert status == 200 and state["done"] == 7 and state["trained"]
        _, item = call(base, "GET", f"/api/sessions/{session}/next")
        assert item["position"] == 7 and item["item"] not in answered
        assert rate_all(base, session) == 13


def test_screening_drops_the_rater_who_disagrees():
    rng = np.random.default_rng(0)
    truth = {"original": 4.6, "teacher": 4.0, "student": 3.5, "unsharp": 3.0, "degraded": 2.0}
    rows = []
    for rater in ("a", "b", "c", "d"):
        for source in range(6):
            for condition, level in truth.items():
                score = level + rng.normal(0, 0.4) if rater != "d" else rng.integers(1, 6)
                rows.append(
                    {
                        "session": rater,
                        "rater": rater,
                        "stimulus": f"{source}{condition}",
                        "condition": condition,
                        "content": "faces",
                        "score": float(np.clip(round(score), 1, 5)),
                    }
                )
    verdicts = {v["rater"]: v for v in screen_raters(rows)}
    assert [verdicts[r]["kept"] for r in "abcd"] == [True, True, True, False]
    assert verdicts["a"]["r1"] > 0.75 and verdicts["d"]["r1"] < 0.75 and verdicts["d"]["r2"] < 0.8
    constant = [dict(r, session="e", rater="e", score=3.0) for r in rows if r["session"] == "a"]
    assert not {v["rater"]: v for v in screen_raters(rows + constant)}["e"]["kept"]


def test_mos_and_interval_and_pair_shares():
    rows = [{"condition": "student", "content": "faces", "score": s} for s in (4.0, 5.0, 3.0, 4.0)]
    cell = {(r["condition"], r["content"]): r for r in mos_table(rows)}[("student", "faces")]
    # t(0.975, 3) = 3.1824, sample std = 0.8165
    assert cell["mos"] == 4.0 and cell["n"] == 4
    assert cell["ci95"] == pytest.approx(3.1824 * 0.8165 / 2, abs=1e-3)
    choices = [{"value": "left", "left_condition": "student", "right_condition": "degraded"}] * 8 + [
        {"value": "left", "left_condition": "degraded", "right_condition": "student"},
        {"value": "same", "left_condition": "degraded", "right_condition": "student"},
    ]
    [pair] = pair_table(choices)
    assert (pair["first"], pair["second"], pair["first_share"]) == ("degraded", "student", 1 / 9)
    assert pair["same"] == 1 and 0 < pair["ci_low"] < 1 / 9 < pair["ci_high"] < 0.5


def test_results_write_csv_plot_and_json(study_server, study_clips, tmp_path):
    base = study_server
    quality = {
        s["id"]: {"original": 5, "teacher": 4, "student": 4, "unsharp": 3, "degraded": 2}[s["condition"]]
        for s in load_manifest(study_clips)["stimuli"]
    }
    for rater in ("a", "b"):
        rate_all(base, start_session(base, rater), score=lambda item: quality[item["item"]])
    pair_session = start_session(base, "p", mode="pair")
    assert rate_all(base, pair_session, score=lambda item: "left") == 40
    db = tmp_path / "study.sqlite"
    document = study_results(db, study_clips, tmp_path / "out")
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "mos.csv",
        "raters.csv",
        "pairs.csv",
        "mos.png",
        "results.json",
    }
    assert document["files"] == ["mos.csv", "raters.csv", "pairs.csv", "mos.png", "results.json"]
    overall = {r["condition"]: r["mos"] for r in document["mos"] if r["content"] == "all"}
    assert overall == {"original": 5, "teacher": 4, "student": 4, "unsharp": 3, "degraded": 2}
    assert len(document["pairs"]) == 10 and all(p["first_wins"] + p["second_wins"] == 4 for p in document["pairs"])
    with pytest.raises(FileNotFoundError):
        study_results(tmp_path / "missing.sqlite", study_clips, tmp_path / "out2")


def test_results_without_ratings_say_what_they_wrote(study_clips, tmp_path, capsys):
    from crispcall.cli.main import main

    db, out = tmp_path / "study.sqlite", tmp_path / "out"
    with running_study(study_clips, db) as base:
        rate_all(base, start_session(base, "p", mode="pair"), score=lambda item: "same")
    out.mkdir()
    (out / "mos.csv").write_text("stale")  # an earlier run's table must not pass for this one's
    assert main(["study", "results", "--db", str(db), "--clips", str(study_clips), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "no MOS" in printed and "wrote pairs.csv, results.json in" in printed
    assert {p.name for p in out.iterdir()} == {"pairs.csv", "results.json"}


def test_relative_clips_folder_restart_seed_and_hostile_requests(study_clips, tmp_path, monkeypatch):
    from crispcall.study import store

    monkeypatch.chdir(study_clips.parent)
    db = tmp_path / "study.sqlite"
    with running_study(Path(study_clips.name), db, seed=None) as base:  # a relative path, as --help shows
        session = start_session(base)
        _, item = call(base, "GET", f"/api/sessions/{session}/next")
        with urllib.request.urlopen(base + item["stimuli"][0]["url"]) as response:
            assert response.status == 200 and response.read()
        answers = f"/api/sessions/{session}/answers"
        assert call(base, "POST", answers, raw=b"[" * 50_000)[0] == 400  # nested too deeply for json
        assert call(base, "POST", answers, raw=b"x" * 100_000)[0] == 413
    seed = store.init_db(db)
    with running_study(Path(study_clips.name), db, seed=None) as base:  # restarted without --seed
        second = start_session(base, "r2")
    # The second session rotates the first one's base order by one place: the balance holds.
    first_plan, second_plan = store.get_session(db, session)["plan"], store.get_session(db, second)["plan"]
    assert second_plan == first_plan[1:] + first_plan[:1]
    assert store.init_db(db) == seed
    with pytest.raises(ValueError, match="seed"):
        store.init_db(db, seed + 1)


def test_a_scripted_rater_completes_a_session_in_chromium(study_server, study_clips, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need the web extra")
    from crispcall.web.browser import launch_chromium

    quality = {"original": "5", "teacher": "4", "student": "4", "unsharp": "3", "degraded": "2"}
    condition = {s["file"]: s["condition"] for s in load_manifest(study_clips)["stimuli"]}
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.goto(study_server)
            page.fill("#rater-name", "scripted")
            page.click("#join-button")
            page.wait_for_selector("#training:not([hidden]) figure img")
            assert page.locator("#anchors figcaption").all_inner_texts() == ["excellent (5)", "bad (1)"]
            page.click("#train-done")
            for count in range(20):
                page.wait_for_selector(f"#progress:text-is('{count + 1} of 20')")
                if count == 5:  # a reload resumes at the same place
                    page.reload()
                    page.wait_for_selector("#progress:text-is('6 of 20')")
                source = page.locator("#stimulus img, #stimulus video").first.get_attribute("src")
                assert source.startswith("/stimuli/") and "student" not in source
                page.click(f"#answers button[data-value='{quality[condition[source.split('/')[-1]]]}']")
            page.wait_for_selector("#done:not([hidden])")
        finally:
            browser.close()
    document = study_results(tmp_path / "study.sqlite", study_clips, tmp_path / "results")
    assert (tmp_path / "results" / "mos.csv").is_file() and (tmp_path / "results" / "mos.png").stat().st_size > 0
    overall = {r["condition"]: r["mos"] for r in document["mos"] if r["content"] == "all"}
    assert overall == {c: float(v) for c, v in quality.items()}
    assert [r["ratings"] for r in document["raters"]] == [20]
