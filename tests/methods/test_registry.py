import numpy as np
import pytest

from crispcall.degrade import apply_preset, preset_rng
from crispcall.methods import available_methods, create_method, known_methods
from crispcall.methods.baselines import UnsharpParams, load_unsharp_params, tune_unsharp, unsharp_mask
from crispcall.methods.models import MODEL_FILES, default_model
from crispcall.methods.peers import PEERS, available_peers
from crispcall.metrics import psnr, sharpness
from crispcall.paths import peers_dir, weights_dir


def test_baselines(astronaut):
    degraded = apply_preset(astronaut, "call", preset_rng("a.png"))
    assert np.array_equal(create_method("input").restore(degraded), degraded.frame)
    out = create_method("unsharp").restore(degraded)
    assert out.shape == astronaut.shape and sharpness(out) > sharpness(degraded.frame)


def test_unknown_method_lists_known_ones():
    with pytest.raises(ValueError, match="known methods: input, unsharp"):
        create_method("magic")
    assert set(PEERS) <= set(known_methods())


@pytest.mark.parametrize(
    ("flags", "backend", "expected"),
    [
        (["avx2", "fma"], None, "student-int8-avx2"),
        (["avx2", "fma"], "onnxruntime", "student-int8-avx2"),
        (["avx2", "fma"], "openvino", "student-int8"),  # other runtimes keep it (the light file has no TFLite twin)
        (["avx2", "fma", "avx512f", "avx512_vnni"], None, "student-int8"),
        (["avx2", "fma", "avx_vnni"], None, "student-int8"),
        (["avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8"], None, "student-int8"),
        ([], None, "student-int8"),  # no x86 flags (an ARM CPU): its dot-product kernels
    ],
)
def test_default_model_follows_the_int8_kernels(flags, backend, expected):
    assert default_model(backend, flags) == expected


def test_every_default_model_is_shipped():
    for name in ("student-int8", "student-int8-avx2"):
        assert (weights_dir() / MODEL_FILES[name]).is_file()
    create_method(default_model())


def test_unsharp_params_are_recorded():
    params = load_unsharp_params()
    assert params.sigma > 0 and params.amount >= 0


def test_tune_unsharp_picks_the_best_grid_point(astronaut, coffee):
    record = tune_unsharp([astronaut, coffee], ["a.png", "c.png"], "x2", sigmas=(0.5, 1.5), amounts=(0.0, 0.5))
    degraded = [apply_preset(i, "x2", preset_rng(n)) for i, n in ((astronaut, "a.png"), (coffee, "c.png"))]
    for sigma in (0.5, 1.5):
        for amount in (0.0, 0.5):
            score = np.mean(
                [
                    psnr(unsharp_mask(d.frame, UnsharpParams(sigma, amount)), img)
                    for d, img in zip(degraded, (astronaut, coffee), strict=True)
                ]
            )
            assert score <= record["psnr"] + 1e-9
    assert record["gain_db"] == pytest.approx(record["psnr"] - record["input_psnr"])


@pytest.fixture(scope="session")
def peer_cache(tmp_path_factory):
    """A cache of the peers' ONNX exports shared by the whole test run: each peer is exported
    (and so the export exercised) once, not once a test."""
    return tmp_path_factory.mktemp("peer-cache")


PEERS_PRESENT = available_peers(peers_dir())


@pytest.mark.skipif(not PEERS_PRESENT, reason=f"no peer weights under {peers_dir()} (set CRISPCALL_PEERS)")
@pytest.mark.parametrize("name", sorted(PEERS))
def test_each_peer_enlarges_x2_and_beats_bilinear(name, astronaut, peer_cache, monkeypatch):
    if name not in PEERS_PRESENT:
        pytest.fail(f"peer {name} is missing from {peers_dir()}")
    monkeypatch.setenv("CRISPCALL_CACHE", str(peer_cache))  # the ONNX exports, made once a test run
    method = create_method(name, threads=1)
    degraded = apply_preset(astronaut, "x2", preset_rng("astronaut.png"))
    out = method.restore(degraded)
    assert method.low_input and out.shape == astronaut.shape
    # every peer but the GAN-trained anime model should beat the bilinear upscale on a clean x2
    if name != "realesr-compact":
        assert psnr(out, astronaut) > psnr(degraded.frame, astronaut)
    assert name in available_methods()


@pytest.mark.skipif(not PEERS_PRESENT, reason=f"no peer weights under {peers_dir()}")
def test_peer_at_x3_preset_is_resized_to_target(astronaut):
    degraded = apply_preset(astronaut, "poor", preset_rng("a.png"))
    assert create_method("fsrcnn-small", threads=1).restore(degraded).shape == astronaut.shape


def test_backend_option_applies_to_model_files_only(student_onnx, capsys, tmp_path):
    import json

    from crispcall.cli.main import main

    out = tmp_path / "bench.json"
    args = ["bench", "--size", "64x48", "--frames", "1", "--warmup", "0", "--threads", "1"]
    assert main([*args, "--method", "unsharp", str(student_onnx), "--backend", "openvino", "--json", str(out)]) == 0
    names = [row["method"] for row in json.loads(out.read_text())["results"]]
    assert names == ["bilinear", "unsharp", "student@openvino"]
    with pytest.raises(ValueError, match="only our networks"):
        create_method("unsharp@openvino")


def test_upscaled_only_shows_full_size_frames_as_received(astronaut):
    from crispcall.degrade.presets import Degraded

    method = create_method("unsharp+upscaled-only")
    assert method.name == "unsharp+upscaled-only"
    full = Degraded(astronaut, astronaut, 1)
    assert method.restore(full) is astronaut
    upscaled = apply_preset(astronaut, "call", preset_rng("a.png"))
    assert np.array_equal(method.restore(upscaled), create_method("unsharp").restore(upscaled))


@pytest.mark.parametrize("twin_scale", [2, 3])  # an x2 network resized by the player, or an x3 one
def test_an_enlarger_runs_its_twin_for_calls_at_another_scale(astronaut, tmp_path, twin_scale):
    torch = pytest.importorskip("torch", reason="the test networks are exported from PyTorch (train extra)")
    from crispcall.export.onnx import export_onnx
    from crispcall.methods.models import ModelMethod, call_scale_twin
    from crispcall.models.peers.rlfn import RLFNUpscaler

    def method() -> ModelMethod:
        return ModelMethod("teacher", tmp_path / "teacher.onnx", threads=1)

    torch.manual_seed(0)
    export_onnx(RLFNUpscaler(channels=8, blocks=1), tmp_path / "teacher.onnx")
    call = apply_preset(astronaut, "call", preset_rng("a.png"))
    poor = apply_preset(astronaut, "poor", preset_rng("a.png"))
    alone = method()
    alone_call, alone_poor = alone.restore(call), alone.restore(poor)
    twin = call_scale_twin(tmp_path / "teacher.onnx", 3)
    assert twin.name == "teacher-x3.onnx"
    export_onnx(RLFNUpscaler(channels=8, blocks=1, scale=twin_scale), twin)
    paired = method()
    twin_poor = poor.shown(ModelMethod("twin", twin, threads=1).run(poor.low))
    assert twin_poor.shape == poor.frame.shape
    assert np.array_equal(paired.restore(poor), twin_poor) and not np.array_equal(twin_poor, alone_poor)
    assert np.array_equal(paired.restore(call), alone_call)  # x2 calls still go to the x2 network
