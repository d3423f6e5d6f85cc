"""``crispcall study serve``: the rating app (Flask) of an ITU-T P.910 study.

A rater opens the page, gives a name and gets a session: the training page (the anchors),
then every stimulus of the plan, one at a time, with no label that names its condition. In
ACR mode each is rated 1 (bad) to 5 (excellent); in pair mode two versions of the same source
play side by side and the rater picks the better one or "same". The page keeps the session id
in the address and in local storage, so a reload or a server restart resumes where it stopped.

API (JSON): ``POST /api/sessions`` {rater, mode}; ``GET /api/sessions/<id>``;
``POST /api/sessions/<id>/trained``; ``GET /api/sessions/<id>/next``;
``POST /api/sessions/<id>/answers`` {item, value}. Errors: 400 malformed, 404 unknown session
or item, 409 an item answered twice or rated before training, 422 a value out of range.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, jsonify, request, send_from_directory

from crispcall.study import store
from crispcall.study.clips import load_manifest

STATIC = Path(__file__).parent / "static"
MAX_REQUEST_BYTES = 64 * 1024  # an answer or a new session is a few dozen bytes


def _json_body() -> object:
    """The request's JSON, or None when it is not JSON or nests too deeply to parse."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _error(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    return response


def create_app(clips: Path, db: Path, seed: int | None = None, default_mode: str = "acr") -> Flask:
    """The app for the stimuli in ``clips`` (from make-clips), storing into ``db``.
    ``seed`` fixes the study's base order (random when None); the database keeps it."""
    clips = clips.resolve()  # Flask would read a relative folder against the package's
    manifest = load_manifest(clips)
    study_seed = store.init_db(db, seed)
    files = {s["file"] for s in manifest["stimuli"] + manifest["training"]}
    by_id = {s["id"]: s for s in manifest["stimuli"]}
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @app.errorhandler(413)
    def too_large(_exception):
        return _error(413, f"a request is at most {MAX_REQUEST_BYTES} bytes")

    def session_or_404(session: str) -> dict:
        found = store.get_session(db, session)
        if found is None:
            abort(_error(404, f"no session {session}"))
        return found

    def stimulus_url(stimulus_id: str) -> dict:
        s = by_id[stimulus_id]
        return {"url": f"/stimuli/{s['file']}", "kind": s["kind"]}

    @app.get("/")
    def page():
        return send_from_directory(STATIC, "index.html")

    @app.get("/static/<path:name>")
    def static_file(name: str):
        return send_from_directory(STATIC, name)

    @app.get("/stimuli/<name>")
    def stimulus(name: str):
        if name not in files:
            abort(404)
        return send_from_directory(clips, name, max_age=3600)

    @app.get("/api/training")
    def training():
        return jsonify(
            [{"url": f"/stimuli/{t['file']}", "kind": t["kind"], "label": t["label"]} for t in manifest["training"]]
        )

    @app.post("/api/sessions")
    def new_session():
        body = _json_body()
        if not isinstance(body, dict):
            return _error(400, "send a JSON object: {rater, mode}")
        rater = body.get("rater")
        mode = body.get("mode", default_mode)
        if not isinstance(rater, str) or not 0 < len(rater.strip()) <= 64:
            return _error(422, "rater must be a name of 1 to 64 characters")
        if mode not in ("acr", "pair"):
            return _error(422, "mode must be acr or pair")
        created = store.create_session(db, rater.strip(), mode, manifest, study_seed)
        return jsonify(created), 201

    @app.get("/api/sessions/<session>")
    def session_state(session: str):
        s = session_or_404(session)
        return jsonify(
            {
                "session": session,
                "mode": s["mode"],
                "rater": s["rater"],
                "trained": s["trained"],
                "done": len(s["answered"]),
                "total": len(s["plan"]),
            }
        )

    @app.post("/api/sessions/<session>/trained")
    def trained(session: str):
        session_or_404(session)
        store.mark_trained(db, session)
        return "", 204

    @app.get("/api/sessions/<session>/next")
    def next_item(session: str):
        s = session_or_404(session)
        if not s["trained"]:
            return _error(409, "the training page comes first")
        for position, item in enumerate(s["plan"]):
            if item not in s["answered"]:
                return jsonify(
                    {
                        "item": item,
                        "position": position,
                        "total": len(s["plan"]),
                        "mode": s["mode"],
                        "stimuli": [stimulus_url(i) for i in item.split("|")],
                    }
                )
        return jsonify({"done": True, "total": len(s["plan"])})

    @app.post("/api/sessions/<session>/answers")
    def answer(session: str):
        s = session_or_404(session)
        body = _json_body()
        if not isinstance(body, dict) or not isinstance(body.get("item"), str):
            return _error(400, "send a JSON object: {item, value}")
        if not s["trained"]:
            return _error(409, "the training page comes first")
        item, value = body["item"], body.get("value")
        if item not in s["plan"]:
            return _error(404, f"item {item} is not in this session")
        allowed = store.ACR_SCORES if s["mode"] == "acr" else store.PAIR_CHOICES
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if value not in allowed:
            return _error(422, f"value must be one of {', '.join(allowed)}")
        try:
            store.add_answer(db, session, item, value, s["plan"].index(item))
        except store.AnswerExists:
            return _error(409, f"item {item} was answered already")
        return jsonify({"stored": item, "done": len(s["answered"]) + 1, "total": len(s["plan"])}), 201

    return app
