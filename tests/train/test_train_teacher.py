import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.data import write_cache  # noqa: E402
from crispcall.models.io import load_network  # noqa: E402
from crispcall.models.teacher import Teacher  # noqa: E402
from crispcall.train.config import load_config  # noqa: E402
from crispcall.train.loop import checkpoint_weights, lr_factor, train  # noqa: E402
from crispcall.train.losses import RestorationLoss, sobel, to_luma  # noqa: E402
from crispcall.train.teacher import train_teacher  # noqa: E402


@pytest.fixture
def run_config(tmp_path, train_images) -> Path:
    cache = write_cache(
        [train_images], tmp_path / "pairs.npz", count=24, patch_size=32, holdout_every=2, progress=False
    )
    config = {
        "model": {"channels": 8, "blocks": 2},
        "data": {
            "cache": str(cache),
            "roots": [str(train_images)],
            "holdout_every": 2,
            "val_images": 2,
            "val_crop": 48,
        },
        "train": {"steps": 4, "batch_size": 4, "val_every": 2, "checkpoint_every": 2, "warmup_steps": 1},
        "loss": {"l1": 1.0, "ssim": 0.2, "gradient": 0.2},
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _log(run: Path) -> list[dict]:
    with open(run / "log.csv") as handle:
        return list(csv.DictReader(handle))


def test_train_writes_log_checkpoint_and_weights_and_resumes(run_config, tmp_path):
    run = tmp_path / "run"
    final = train_teacher(run_config, run, steps=2)
    assert final.is_file() and (run / "checkpoint.pt").is_file()
    assert [int(r["step"]) for r in _log(run)] == [2]
    train_teacher(run_config, run, steps=4)  # resumes at step 2
    rows = _log(run)
    assert [int(r["step"]) for r in rows] == [2, 4]
    assert all(np.isfinite(float(r["val_psnr"])) and float(r["loss"]) > 0 for r in rows)
    model = load_network(final)
    assert model(torch.rand(1, 3, 16, 16)).shape == (1, 3, 16, 16)


def _same_weights(written: Path, final: Path) -> bool:
    taken, ended = torch.load(written, weights_only=False), torch.load(final, weights_only=False)
    same_keys = taken["model"].keys() == ended["model"].keys()
    return same_keys and all(torch.equal(taken["model"][key], ended["model"][key]) for key in ended["model"])


@pytest.mark.parametrize("arch", ["teacher", "student"])
def test_a_checkpoints_ema_weights_are_the_weights_its_run_ends_with(arch, request, tmp_path):
    from crispcall.distill.train import train_student

    run = tmp_path / "run"
    if arch == "teacher":
        final = train_teacher(request.getfixturevalue("run_config"), run, steps=2)
    else:
        final = train_student(request.getfixturevalue("student_config")({}), run, steps=3)
    written = checkpoint_weights(run / "checkpoint.pt", tmp_path / "from-checkpoint.pt")
    taken = torch.load(written, weights_only=False)
    assert taken["arch"] == arch and taken["steps"] == torch.load(final, weights_only=False)["steps"]
    assert _same_weights(written, final)
    with pytest.raises(ValueError, match="not a checkpoint"):
        checkpoint_weights(final, tmp_path / "refused.pt")


def test_a_checkpoint_that_does_not_record_its_arch_is_told_it(run_config, tmp_path):
    final = train_teacher(run_config, tmp_path / "run", steps=2)
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)
    del state["arch"]  # as checkpoints were written before session 41
    torch.save(state, tmp_path / "old.pt")
    with pytest.raises(RuntimeError, match="state_dict"):  # read as a student's, which it is not
        checkpoint_weights(tmp_path / "old.pt", tmp_path / "as-student.pt")
    assert _same_weights(checkpoint_weights(tmp_path / "old.pt", tmp_path / "teacher.pt", "teacher"), final)


def test_interrupted_run_resumes_to_the_same_weights(run_config, tmp_path):
    config = load_config(run_config)
    loss = RestorationLoss(**config["loss"])
    calls = {"n": 0}

    def loss_fn(model, degraded, clean):
        calls["n"] += 1
        if calls["n"] == 4:  # die mid-step, after the step-2 checkpoint
            raise KeyboardInterrupt
        return loss(model(degraded), clean)

    def build():
        return Teacher(**config["model"])

    train_teacher(run_config, tmp_path / "a")
    with pytest.raises(KeyboardInterrupt):
        train(build, config, tmp_path / "b", loss_fn, "teacher")
    assert not (tmp_path / "b" / "teacher.pt").exists()
    train_teacher(run_config, tmp_path / "b")
    a = torch.load(tmp_path / "a" / "teacher.pt", weights_only=False)["model"]
    b = torch.load(tmp_path / "b" / "teacher.pt", weights_only=False)["model"]
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


@pytest.mark.skipif(shutil.which("torchrun", path=os.path.dirname(sys.executable)) is None, reason="no torchrun")
def test_two_process_ddp_on_cpu(run_config, tmp_path):
    run = tmp_path / "ddp"
    torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
    command = [
        torchrun,
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "crispcall",
        "train",
        "teacher",
        "--config",
        str(run_config),
        "--out",
        str(run),
        "--steps",
        "2",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (run / "teacher.pt").is_file()
    assert [int(r["step"]) for r in _log(run)] == [2]


def test_losses_and_schedule():
    x = torch.rand(2, 3, 24, 24)
    total, parts = RestorationLoss(1.0, 0.5, 0.5)(x, x)
    assert float(total) == pytest.approx(0.0, abs=1e-5) and set(parts) == {"l1", "ssim", "gradient"}
    total, parts = RestorationLoss(l1=0.0, l2=1.0)(x, x + 0.1)
    assert float(total) == pytest.approx(0.01) and set(parts) == {"l2"}
    flat = torch.ones(1, 3, 8, 8)
    assert torch.count_nonzero(sobel(flat)) == 0
    assert lr_factor(0, 100, 10, 0.1) == pytest.approx(0.1)
    assert lr_factor(10, 100, 10, 0.1) == pytest.approx(1.0)
    assert lr_factor(100, 100, 10, 0.1) == pytest.approx(0.1)


def test_the_loss_of_a_bfloat16_step_is_the_float32_loss():
    torch.manual_seed(0)
    target = torch.rand(4, 3, 32, 32)
    output = (target + 0.002 * torch.randn_like(target)).requires_grad_()  # a network near the end of training
    loss = RestorationLoss(l1=1.0, ssim=0.2, gradient=0.2)
    wide, wide_parts = loss(output, target)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        narrow, narrow_parts = loss(output, target)
    narrow.backward()
    # SSIM's variances are differences of squares that bfloat16 would round to noise (and NaN).
    assert narrow_parts == pytest.approx(wide_parts, rel=1e-5) and float(narrow) == pytest.approx(float(wide))
    assert torch.isfinite(output.grad).all()


def test_a_luma_loss_ignores_chroma_and_scores_luma_as_psnr_does():
    x = torch.rand(2, 3, 24, 24)
    # A chroma shift of no luma (BT.601: 0.299 R + 0.587 G + 0.114 B unchanged).
    chroma = torch.tensor([0.1, -0.1 * 0.299 / 0.587, 0.0]).view(1, 3, 1, 1) * torch.rand(2, 1, 24, 24)
    luma_loss = RestorationLoss(l1=1.0, ssim=0.5, gradient=0.5, luma=True)
    assert float(luma_loss(x, x + chroma)[0]) == pytest.approx(0.0, abs=1e-4)
    assert float(RestorationLoss(l1=1.0)(x, x + chroma)[0]) > 0.01
    # A grey shift of 0.1 on every channel is a luma shift of 0.1.
    assert float(RestorationLoss(l1=0.0, l2=1.0, luma=True)(x, x + 0.1)[0]) == pytest.approx(0.01)
    assert to_luma(x).shape == (2, 1, 24, 24)


def test_init_starts_from_earlier_weights(run_config, tmp_path):
    first = train_teacher(run_config, tmp_path / "first", steps=2)
    config = yaml.safe_load(run_config.read_text())
    config["train"].update(init=str(first), lr=1e-12, warmup_steps=0, ema_decay=0.0)
    tuned = tmp_path / "tuned.yaml"
    tuned.write_text(yaml.safe_dump(config))
    second = train_teacher(tuned, tmp_path / "second", steps=1)
    # With a negligible learning rate, one step keeps the initial weights.
    a, b = load_network(first).state_dict(), load_network(second).state_dict()
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_a_bfloat16_run_learns_as_a_float32_one_and_writes_float32_weights(run_config, tmp_path):
    config = yaml.safe_load(run_config.read_text())
    config["train"].update(lr=1e-2, warmup_steps=0, ema_decay=0.0)
    quick = tmp_path / "quick.yaml"
    quick.write_text(yaml.safe_dump(config))
    wide = train_teacher(quick, tmp_path / "float32", steps=4, overrides=["train.precision=float32"])
    narrow = train_teacher(quick, tmp_path / "bfloat16", steps=4, overrides=["train.precision=bfloat16"])
    assert all(w.dtype == torch.float32 for w in load_network(narrow).state_dict().values())
    torch.manual_seed(0)  # the run's seed: its network as it started
    start = Teacher(**config["model"])
    frame = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        before, a, b = start(frame), load_network(wide)(frame), load_network(narrow)(frame)
    # The same steps from the same start: bfloat16's rounding ends near float32's, far from the start.
    assert 0 < (b - a).abs().mean() < 0.2 * (a - before).abs().mean()
    losses = [[float(r["loss"]) for r in _log(tmp_path / run)] for run in ("float32", "bfloat16")]
    assert losses[1] == pytest.approx(losses[0], rel=0.05)
    with pytest.raises(ValueError, match="precision"):
        load_config(run_config, ["train.precision=half"])


def test_config_overrides(run_config):
    config = load_config(run_config, ["distill.response=0.5", "train.steps=7", "model.channels=4", "train.lr=5e-4"])
    assert config["distill"]["response"] == 0.5 and config["train"]["steps"] == 7
    assert config["model"]["channels"] == 4
    assert config["train"]["lr"] == 5e-4  # a number, though YAML 1.1 reads "5e-4" as a string
    assert load_config(run_config, ["distill.responses=data/x.npz"])["distill"]["responses"] == "data/x.npz"
    with pytest.raises(ValueError, match=r"section\.key=value"):
        load_config(run_config, ["steps=3"])
    with pytest.raises(ValueError, match="stepz"):
        load_config(run_config, ["train.stepz=3"])
    # --steps wins over the file and its overrides, and is checked as they are.
    assert load_config(run_config, ["train.steps=7"], steps=9)["train"]["steps"] == 9
    with pytest.raises(ValueError, match="steps"):
        load_config(run_config, steps=0)


def test_waifu2x_import_is_a_teacher_to_fine_tune(run_config, upconv7_ncnn, tmp_path, capsys):
    from crispcall.cli.main import main
    from crispcall.models.upconv7 import UpConv7Teacher

    imported = tmp_path / "upconv7.pt"
    assert main(["train", "import-waifu2x", "--bin", str(upconv7_ncnn[0]), "--out", str(imported)]) == 0
    start = load_network(imported, "teacher")
    assert isinstance(start, UpConv7Teacher)
    config = yaml.safe_load(run_config.read_text())
    config["model"] = {"kind": "upconv7"}
    config["train"]["init"] = str(imported)
    tuned = tmp_path / "upconv7.yaml"
    tuned.write_text(yaml.safe_dump(config))
    final = load_network(train_teacher(tuned, tmp_path / "run", steps=2), "teacher")
    assert isinstance(final, UpConv7Teacher)
    assert not torch.equal(final.net.up.weight, start.net.up.weight)  # it trained from the import
    assert main(["train", "import-waifu2x", "--bin", str(tmp_path / "missing.bin"), "--out", str(imported)]) == 2
    assert "no such file" in capsys.readouterr().err


def _train_enlarger(
    run_config: Path, tmp_path: Path, kind: str | dict, init: Path, scale: int, patch: int, **data
) -> Path:
    """Fine-tune the x``scale`` teacher ``kind`` (or ``model`` config) from ``init`` for 2 steps on
    low-resolution pairs at its scale, export it and check the exported file enlarges by ``scale``;
    returns the weights."""
    from crispcall.cli.main import main
    from crispcall.methods.models import ModelMethod

    config = yaml.safe_load(run_config.read_text())
    degrade = tmp_path / f"x{scale}.yaml"
    packaged = (Path(__file__).parents[2] / "src/crispcall/degrade/train.yaml").read_text()
    degrade.write_text(packaged.replace("scale: [", f"scale: [{scale}, {scale}] #", 1))
    cache = write_cache(config["data"]["roots"], tmp_path / "low.npz", 12, patch, holdout_every=2,
                        degradation_config=str(degrade), low_resolution=True, progress=False)  # fmt: skip
    config["model"] = {"kind": kind} if isinstance(kind, str) else kind
    config["data"].update(cache=str(cache), **data)
    config["train"]["init"] = str(init)
    tuned = tmp_path / f"x{scale}-run.yaml"
    tuned.write_text(yaml.safe_dump(config))
    final = train_teacher(tuned, tmp_path / "run", steps=2)
    assert np.isfinite(float(_log(tmp_path / "run")[-1]["val_psnr"]))
    onnx = tmp_path / f"x{scale}.onnx"
    assert main(["export", "--checkpoint", str(final), "--out", str(onnx)]) == 0
    method = ModelMethod(config["model"]["kind"], onnx, threads=1)
    side = patch // scale  # a frame as small as the pairs' received patches
    assert method.low_input and method.scale == scale
    assert method.run(np.zeros((side, side + 4, 3), np.uint8)).shape == (side * scale, (side + 4) * scale, 3)
    return final


def test_x2_teacher_trains_on_low_resolution_pairs_and_exports_with_its_scale(run_config, upconv7_ncnn, tmp_path):
    from crispcall.cli.main import main
    from crispcall.models.upconv7 import UpConv7Upscaler

    imported = tmp_path / "x2.pt"
    command = ["train", "import-waifu2x", "--bin", str(upconv7_ncnn[0]), "--kind", "upconv7-x2", "--out", str(imported)]
    assert main(command) == 0
    final = _train_enlarger(run_config, tmp_path, "upconv7-x2", imported, scale=2, patch=32)
    assert isinstance(load_network(final, "teacher"), UpConv7Upscaler)


def test_rlfn_import_and_ensemble_are_teacher_files(tmp_path, capsys):
    from crispcall.cli.main import main
    from crispcall.models.peers.rlfn import RLFN, RLFNUpscaler

    torch.manual_seed(0)
    published = RLFN(channels=48)
    pth = tmp_path / "rlfn_s_x2.pth"
    torch.save({f"module.{k}": v for k, v in published.state_dict().items()}, pth)  # as DataParallel saved it
    rlfn = tmp_path / "rlfn.pt"
    assert main(["train", "import-rlfn", "--pth", str(pth), "--kind", "rlfn-s-x2", "--out", str(rlfn)]) == 0
    teacher = load_network(rlfn, "teacher")
    assert isinstance(teacher, RLFNUpscaler)
    assert torch.equal(teacher.conv_1.weight, published.conv_1.weight)
    # A file of the other width is refused in one line.
    assert main(["train", "import-rlfn", "--pth", str(pth), "--out", str(tmp_path / "wrong.pt")]) == 2
    assert "holds no rlfn-x2 weights" in capsys.readouterr().err
    other = RLFNUpscaler(channels=48)
    torch.save({"arch": "teacher", "model": other.state_dict(), "config": {"model": {"kind": "rlfn-s-x2"}}},
               tmp_path / "other.pt")  # fmt: skip
    joined = tmp_path / "ensemble.pt"
    assert main(["train", "ensemble", "--weights", str(rlfn), str(tmp_path / "other.pt"), "--out", str(joined)]) == 0
    ensemble = load_network(joined, "teacher")
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        assert torch.allclose(ensemble(x), (teacher(x) + other.eval()(x)) / 2, atol=1e-6)
    assert main(["train", "ensemble", "--weights", str(rlfn), str(pth), "--out", str(joined)]) == 2
    assert "not a teacher weights file" in capsys.readouterr().err


def test_rescaled_x2_teacher_trains_as_an_x3_one_on_x3_pairs(run_config, tmp_path, capsys):
    from crispcall.cli.main import main
    from crispcall.models.io import build_teacher
    from crispcall.models.peers.rlfn import RLFNUpscaler

    torch.manual_seed(0)
    x2 = RLFNUpscaler(channels=52, blocks=6).eval()
    x2_file = tmp_path / "x2.pt"
    torch.save({"arch": "teacher", "model": x2.state_dict(), "config": {"model": {"kind": "rlfn-x2"}}}, x2_file)
    init = tmp_path / "x3.pt"
    assert main(["train", "rescale", "--weights", str(x2_file), "--out", str(init)]) == 0
    x3 = load_network(init, "teacher")
    assert isinstance(x3, RLFNUpscaler) and x3.scale == 3
    x = torch.rand(1, 3, 16, 20)  # RLFN's attention pools 7x7 of a half-size map
    with torch.no_grad():
        before, after = x2(x), x3(x)
    assert after.shape == (1, 3, 48, 60)  # the same body: corner sub-pixels are the x2 network's
    assert torch.allclose(after[..., 0::3, 0::3], before[..., 0::2, 0::2], atol=1e-5)
    assert main(["train", "rescale", "--weights", str(init), "--out", str(tmp_path / "x9.pt")]) == 2
    assert "rescale takes rlfn-x2" in capsys.readouterr().err
    # Of a teacher behind a concealment repair, the network alone is rescaled.
    repaired_config = {"kind": "repaired", "network": {"kind": "rlfn-x2"}, "repair": {"channels": 8}}
    repaired = build_teacher(**repaired_config)
    repaired.network.load_state_dict(x2.state_dict())
    torch.save({"arch": "teacher", "model": repaired.state_dict(), "config": {"model": repaired_config}},
               tmp_path / "repaired.pt")  # fmt: skip
    assert main(["train", "rescale", "--weights", str(tmp_path / "repaired.pt"), "--out", str(tmp_path / "r3.pt")]) == 0
    with torch.no_grad():
        assert torch.equal(load_network(tmp_path / "r3.pt", "teacher")(x), after)

    final = _train_enlarger(run_config, tmp_path, "rlfn-x3", init, scale=3, patch=48, val_presets=["poor"])
    assert load_network(final, "teacher").scale == 3


def test_a_grown_teacher_starts_as_the_trained_one_and_trains(run_config, tmp_path, capsys):
    from crispcall.cli.main import main
    from crispcall.models.io import build_teacher

    torch.manual_seed(0)
    x3_config = {"kind": "rlfn-x3"}
    trained = build_teacher(**x3_config).eval()
    source = tmp_path / "x3.pt"
    torch.save({"arch": "teacher", "model": trained.state_dict(), "config": {"model": x3_config}}, source)
    grown_file = tmp_path / "x3-b8.pt"
    assert main(["train", "grow", "--weights", str(source), "--blocks", "8", "--out", str(grown_file)]) == 0
    grown = load_network(grown_file, "teacher")
    assert grown.blocks == 8 and torch.load(grown_file, weights_only=False)["config"]["model"]["blocks"] == 8
    x = torch.rand(1, 3, 16, 20)
    with torch.no_grad():
        assert torch.allclose(grown(x), trained(x), atol=1e-4)
    assert main(["train", "grow", "--weights", str(grown_file), "--blocks", "8", "--out", str(tmp_path / "no.pt")]) == 2
    assert "has 8 blocks already" in capsys.readouterr().err
    # Behind a concealment repair, the network is grown and the repair kept.
    repaired_config = {"kind": "repaired", "network": x3_config, "repair": {"channels": 8}}
    repaired = build_teacher(**repaired_config).eval()
    repaired.network.load_state_dict(trained.state_dict())
    torch.save({"arch": "teacher", "model": repaired.state_dict(), "config": {"model": repaired_config}},
               tmp_path / "repaired.pt")  # fmt: skip
    out = tmp_path / "repaired-b7.pt"
    assert main(["train", "grow", "--weights", str(tmp_path / "repaired.pt"), "--blocks", "7", "--out", str(out)]) == 0
    frame = torch.rand(1, 3, 32, 48)  # the repair works on whole 16 x 16 blocks
    with torch.no_grad():
        assert torch.allclose(load_network(out, "teacher")(frame), repaired(frame), atol=1e-4)
    other = tmp_path / "upconv7.pt"
    upconv7 = build_teacher("upconv7").state_dict()
    torch.save({"arch": "teacher", "model": upconv7, "config": {"model": {"kind": "upconv7"}}}, other)
    assert main(["train", "grow", "--weights", str(other), "--blocks", "8", "--out", str(tmp_path / "no.pt")]) == 2
    assert "grow takes rlfn-x2" in capsys.readouterr().err
    # A grown x2 teacher rescaled to x3 keeps its depth.
    x2_file, x2_grown = tmp_path / "x2.pt", tmp_path / "x2-b7.pt"
    x2 = build_teacher("rlfn-x2").state_dict()
    torch.save({"arch": "teacher", "model": x2, "config": {"model": {"kind": "rlfn-x2"}}}, x2_file)
    assert main(["train", "grow", "--weights", str(x2_file), "--blocks", "7", "--out", str(x2_grown)]) == 0
    assert main(["train", "rescale", "--weights", str(x2_grown), "--out", str(tmp_path / "x3-b7.pt")]) == 0
    assert load_network(tmp_path / "x3-b7.pt", "teacher").blocks == 7

    final = _train_enlarger(run_config, tmp_path, {"kind": "rlfn-x3", "blocks": 8}, grown_file, scale=3, patch=48,
                            val_presets=["poor"])  # fmt: skip
    assert load_network(final, "teacher").blocks == 8


def test_unknown_teacher_kind():
    from crispcall.models.io import build_teacher

    with pytest.raises(ValueError, match="kinds: srresnet, upconv7, upconv7-x2"):
        build_teacher(kind="edsr")
    with pytest.raises(ValueError, match="takes no options"):
        build_teacher(kind="upconv7", channels=8)


def test_the_log_takes_its_columns_from_the_loss_and_keeps_them_on_resume(tmp_path):
    from crispcall.train.loop import append_log_row

    log = tmp_path / "log.csv"
    append_log_row(log, {"step": 1, "loss": 0.5, "l1": 0.4, "val_psnr": 30.0})
    append_log_row(log, {"step": 2, "l1": 0.3, "loss": 0.4, "val_psnr": 31.0, "unknown": 9})
    assert log.read_text().splitlines() == ["step,loss,l1,val_psnr", "1,0.5,0.4,30.0", "2,0.4,0.3,31.0"]
