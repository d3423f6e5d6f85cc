"""One registry of every method ``crispcall eval`` and ``crispcall bench`` can run."""

from __future__ import annotations

from pathlib import Path

from crispcall import paths
from crispcall.errors import InputError
from crispcall.methods.base import TEMPORAL_SUFFIX, UPSCALED_ONLY_SUFFIX, Method, TemporalMethod, UpscaledOnlyMethod
from crispcall.methods.baselines import InputMethod, UnsharpMethod
from crispcall.methods.models import MODEL_FILES, ModelMethod, create_model_method
from crispcall.methods.peers import PEERS, available_peers, create_peer

BASELINES: dict[str, type[Method]] = {"input": InputMethod, "unsharp": UnsharpMethod}
# suffix -> wrapper of the method named before it
WRAPPERS: dict[str, type[Method]] = {TEMPORAL_SUFFIX: TemporalMethod, UPSCALED_ONLY_SUFFIX: UpscaledOnlyMethod}


def known_methods() -> list[str]:
    """Every name the registry knows, whether or not it can run here."""
    return [*BASELINES, *MODEL_FILES, *PEERS]


def available_methods(peers_dir: Path | None = None) -> list[str]:
    """The names that can run with the given peers directory."""
    models = [name for name, file in MODEL_FILES.items() if (paths.weights_dir() / file).is_file()]
    return [*BASELINES, *models, *available_peers(peers_dir or paths.peers_dir())]


def create_method(name: str, peers_dir: Path | None = None, threads: int = 2) -> Method:
    """Build method ``name``; unknown names raise ``ValueError`` listing the known ones.

    A path to an ``.onnx`` or ``.tflite`` file exported by ``crispcall export`` is a method
    too, named by the file's stem (for ablations and candidates not yet shipped). Our
    networks and such files take a runtime backend after ``@``: ``student@openvino``,
    ``student@tflite`` (the ``.tflite`` twin of the file), ``runs/x.onnx@openvino``. Any
    same-size method followed by ``+temporal`` adds :class:`~crispcall.runtime.temporal.TemporalBlend`
    (stateful: for frames of one stream in order); any method followed by ``+upscaled-only``
    shows frames that arrived at display size as received (:class:`UpscaledOnlyMethod`).
    """
    for suffix, wrapper in WRAPPERS.items():
        if name.endswith(suffix):
            return wrapper(create_method(name.removesuffix(suffix), peers_dir, threads))
    name, _, backend = name.partition("@")
    backend = backend or None
    if name.endswith((".onnx", ".tflite")):
        stem = Path(name).stem
        return ModelMethod(stem if backend is None else f"{stem}@{backend}", Path(name), threads, backend)
    if name in MODEL_FILES:
        return create_model_method(name, threads, backend)
    if backend is not None:
        raise InputError(f"only our networks take a backend after @; got {name}@{backend}")
    if name in BASELINES:
        return BASELINES[name]()
    if name in PEERS:
        return create_peer(name, peers_dir or paths.peers_dir(), threads)
    raise InputError(f"unknown method {name!r}; known methods: {', '.join(known_methods())}")


def resolve_names(names: list[str], peers_dir: Path | None = None, backend: str | None = None) -> list[str]:
    """Method names as a user gives them: ``all`` expanded to :func:`available_methods`,
    ``backend`` applied to our networks and model files (``student`` -> ``student@openvino``),
    duplicates removed."""
    if "all" in names:
        names = [n for n in names if n != "all"] + available_methods(peers_dir)
    if backend is not None:
        names = [
            f"{n}@{backend}" if (n in MODEL_FILES or n.endswith((".onnx", ".tflite"))) and "@" not in n else n
            for n in names
        ]
    return list(dict.fromkeys(names))
