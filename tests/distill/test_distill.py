import json
import math
from pathlib import Path

import pytest
import yaml

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.distill.losses import (  # noqa: E402
    DistillationLoss,
    FeatureAdapters,
    matched_taps,
    orientation_descriptors,
)
from crispcall.distill.train import response_targets, train_student  # noqa: E402
from crispcall.models.blocks import SelfEnsemble  # noqa: E402
from crispcall.models.io import load_network  # noqa: E402
from crispcall.models.student import Student  # noqa: E402
from crispcall.models.teacher import Teacher  # noqa: E402
from crispcall.train.losses import RestorationLoss  # noqa: E402


def _ramp(angle: float, size: int = 32) -> torch.Tensor:
    ys, xs = torch.meshgrid(
        torch.arange(size, dtype=torch.float32), torch.arange(size, dtype=torch.float32), indexing="ij"
    )
    ramp = (xs * math.cos(angle) + ys * math.sin(angle)) / (2 * size) + 0.5
    return ramp.expand(1, 3, size, size).contiguous()


@pytest.mark.parametrize("bin_index", [0, 2, 3, 5])
def test_descriptor_peaks_at_the_gradient_orientation(bin_index):
    desc = orientation_descriptors(_ramp(bin_index * 2 * math.pi / 8), bins=8, cell=8)
    assert desc.shape == (1, 8, 4, 4)
    inner = desc[0, :, 1:-1, 1:-1]  # away from the replicated border
    assert (inner.argmax(0) == bin_index).all()


def test_descriptor_is_differentiable_on_flat_images():
    flat = torch.full((1, 3, 16, 16), 0.5, requires_grad=True)
    orientation_descriptors(flat).sum().backward()
    assert torch.isfinite(flat.grad).all()


def test_distillation_terms_are_zero_when_student_equals_teacher():
    teacher = Teacher(channels=8, blocks=2)
    loss = DistillationLoss(teacher, RestorationLoss(1.0), response=1.0, structure=1.0, feature=0.0, teacher_channels=8)
    clean = torch.rand(2, 3, 16, 16)
    _total, parts = loss(teacher, clean, clean)
    assert parts["response"] == 0.0 and parts["structure"] == 0.0
    assert set(parts) == {"l1", "response", "structure"}
    assert not list(loss.parameters())  # the frozen teacher is no trainable part of the loss


def test_the_response_term_compares_luma_when_the_ground_truth_terms_do():
    student = Student(channels=8, blocks=1)
    degraded = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        output = student(degraded)
    chroma = torch.tensor([0.1, -0.1 * 0.299 / 0.587, 0.0]).view(1, 3, 1, 1)  # no luma (BT.601)
    for luma, expected_zero in ((True, True), (False, False)):
        loss = DistillationLoss(Teacher(channels=8, blocks=1), RestorationLoss(1.0, luma=luma), response=1.0)
        _total, parts = loss(student, degraded, output, output + chroma)
        assert (parts["response"] < 1e-6) == expected_zero and (parts["l1"] < 1e-6)


def test_feature_adapters_resample_and_learn():
    adapters = FeatureAdapters([4, 4], teacher_channels=6)
    student = [torch.rand(1, 4, 4, 4, requires_grad=True) for _ in range(2)]
    teacher = [torch.rand(1, 6, 8, 8) for _ in range(2)]
    value = adapters(student, teacher)
    value.backward()
    assert value > 0 and all(a.weight.grad is not None for a in adapters.adapters)
    assert matched_taps(2, 4) == [1, 3] and matched_taps(4, 4) == [0, 1, 2, 3]


def test_terms_need_a_teacher_or_its_responses():
    with pytest.raises(ValueError, match="feature alignment needs a teacher"):
        DistillationLoss(None, RestorationLoss(1.0), feature=1.0)
    loss = DistillationLoss(None, RestorationLoss(1.0), response=1.0)
    student, degraded = Student(channels=8, blocks=1), torch.rand(1, 3, 16, 16)
    _total, parts = loss(student, degraded, degraded, torch.rand(1, 3, 16, 16))  # precomputed responses stand in
    assert parts["response"] > 0
    with pytest.raises(ValueError, match="precomputed responses"):
        loss(student, degraded, degraded)


def test_an_upscaling_teacher_aligns_features_on_the_received_batch():
    from crispcall.models.peers.rlfn import RLFNUpscaler

    teacher = RLFNUpscaler(channels=8, blocks=2)
    student = Student(channels=8, blocks=2, feature_taps=2)
    loss = DistillationLoss(teacher, RestorationLoss(1.0), response=1.0, feature=1.0,
                            student_channels=[8, 8], teacher_channels=teacher.feature_channels)  # fmt: skip
    assert loss.needs_received
    received = torch.rand(2, 3, 16, 16)
    played = torch.nn.functional.interpolate(received, scale_factor=2, mode="bilinear")
    total, parts = loss(student, played, played, received=received)
    total.backward()
    assert parts["feature"] > 0 and all(a.weight.grad is not None for a in loss.adapters.adapters)
    with torch.no_grad():
        expected = teacher(received)
    assert parts["response"] == pytest.approx(float((student(played) - expected).abs().mean()), rel=1e-4)
    with pytest.raises(ValueError, match="low-resolution pair cache"):
        loss(student, played, played)


def test_train_student_with_every_term_then_resume(student_config, tmp_path):
    config = student_config({"response": 1.0, "feature": 0.5, "structure": 0.5})
    run = tmp_path / "all"
    final = train_student(config, run, steps=2)
    state = torch.load(run / "checkpoint.pt", weights_only=False)
    assert any(k.startswith("adapters.") for k in state["loss_module"])
    train_student(config, run, steps=3)  # resumes, adapters included
    changed = student_config({"response": 1.0, "feature": 0.5, "structure": 0.25})
    with pytest.raises(ValueError, match="another run"):
        train_student(changed, run, steps=4)  # another recipe never continues this one's checkpoint
    with open(run / "log.csv") as handle:
        header, *rows = [line.strip().split(",") for line in handle]
    assert len(rows) == 2
    assert all(float(row[header.index(term)]) > 0 for row in rows for term in ("response", "feature", "structure"))
    model = load_network(final, "student")
    assert isinstance(model, Student)
    assert not any(k.startswith("adapters") for k in torch.load(final, weights_only=False)["model"])


def test_ground_truth_only_student_needs_no_teacher(student_config, tmp_path):
    config = yaml.safe_load(Path(student_config({})).read_text())
    config["distill"]["teacher"] = None
    path = tmp_path / "scratch.yaml"
    path.write_text(yaml.safe_dump(config))
    final = train_student(path, tmp_path / "scratch", steps=2)
    assert isinstance(load_network(final), Student)
    config["distill"]["response"] = 1.0
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match=r"distill\.teacher"):
        train_student(path, tmp_path / "bad")


def test_pruning_keeps_the_strongest_channels(tmp_path):
    from crispcall.distill.prune import channel_importance, prune_student, save_pruned

    model = Student(channels=12, blocks=2).eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0, 0.05)
    model.fuse()
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(prune_student(model, 12)(x), model(x))  # keeping all changes nothing
        # Silence four channels everywhere: pruning exactly them leaves the output unchanged.
        dead = [1, 4, 7, 10]
        model.head.weight[dead] = 0
        model.head.bias[dead] = 0
        model.tail.weight[:, dead] = 0
        for conv in (m for m in model.body.modules() if isinstance(m, torch.nn.Conv2d)):
            conv.weight[dead] = 0
            conv.bias[dead] = 0
            if conv.groups == 1:
                conv.weight[:, dead] = 0
        assert set(channel_importance(model).argsort()[:4].tolist()) == set(dead)
        pruned = prune_student(model, 8)
        assert pruned.channels == 8 and torch.allclose(pruned(x), model(x), atol=1e-6)
    source = tmp_path / "student.pt"
    torch.save({"arch": "student", "model": {}, "config": {"model": {}, "train": {"steps": 1}}}, source)
    path = save_pruned(pruned, source, tmp_path / "pruned.pt")
    loaded = load_network(path, "student")
    assert loaded.channels == 8 and torch.allclose(loaded(x), pruned(x))
    with pytest.raises(ValueError, match="keep"):
        prune_student(model, 13)
    with pytest.raises(ValueError, match="fused"):
        prune_student(Student(channels=8, blocks=1), 4)


def test_pointwise_fit_recovers_a_linear_map():
    from crispcall.distill.prune import fit_pointwise

    torch.manual_seed(0)
    inputs = torch.randn(4, 6, 8, 8)
    truth = torch.nn.Conv2d(6, 3, 1)
    with torch.no_grad():
        fitted = fit_pointwise(inputs, truth(inputs), ridge=0.0)
        assert torch.allclose(fitted.weight, truth.weight, atol=1e-5)
        assert torch.allclose(fitted.bias, truth.bias, atol=1e-5)
        assert torch.allclose(fitted(inputs), truth(inputs), atol=1e-5)


def _dense_student(tail_hidden: int = 8, dilations: list[int] | None = None) -> Student:
    torch.manual_seed(0)
    model = Student(
        channels=8, blocks=3, block="dense", tail_hidden=tail_hidden, rep=False, linear_head=True, dilations=dilations
    )
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0, 0.1)
    return model.eval()


def test_shrinking_fits_what_it_replaces(tmp_path):
    from crispcall.distill.prune import fit_frames, save_pruned, shrink_student

    model = _dense_student()
    frames = torch.rand(6, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(shrink_student(model, frames, 3, "dense", 3)(frames), model(frames))  # nothing to change
        shallower = shrink_student(_dense_student(dilations=[1, 2, 3]), frames, 2, "dense", 3)
        assert shallower.config["dilations"] == [1, 2] and shallower.body[1].conv1.dilation == (2, 2)
        # Second convolutions and the tail that are 1 x 1 already, and a last block that does
        # nothing: the mixed, two-block student with a 1 x 1 tail fitted to them is the same network.
        for conv in [block.conv2 for block in model.body] + [model.tail]:
            centre = conv.weight[:, :, 1, 1].clone()
            conv.weight.zero_()
            conv.weight[:, :, 1, 1] = centre
        model.body[2].conv2.weight.zero_()
        model.body[2].conv2.bias.zero_()
        small = shrink_student(model, frames, 2, "mixed", 1)
        assert len(small.body) == 2 and small.config["block"] == "mixed" and small.config["tail_kernel"] == 1
        assert small.tail.kernel_size == (1, 1) and all(b.conv2.kernel_size == (1, 1) for b in small.body)
        assert torch.allclose(small(frames), model(frames), atol=1e-3)  # (the fits' small ridge)
        # A block that did work is lost when dropped; the fitted tail makes up for part of it.
        model.body[2].conv2.weight.normal_(0, 0.1)
        dropped = shrink_student(model, frames, 2, "dense", 1)
        plain = Student(**dropped.config)
        plain.load_state_dict(dropped.state_dict())
        plain.tail.load_state_dict({"weight": model.tail.weight[:, :, 1:2, 1:2], "bias": model.tail.bias})
        error = (dropped(frames) - model(frames)).square().mean()
        assert 0 < error < (plain(frames) - model(frames)).square().mean()
    loaded = load_network(save_pruned(small, _saved(model, tmp_path), tmp_path / "small.pt"), "student")
    assert torch.allclose(loaded(frames), small(frames))
    for args, message in [
        ((4, "dense", 3), "blocks must be in"),
        ((3, "separable", 3), "keeps dense blocks"),
        ((3, "dense", 5), "kernel"),
    ]:
        with pytest.raises(ValueError, match=message):
            shrink_student(model, frames, *args)
    with pytest.raises(ValueError, match="fused"):
        shrink_student(Student(channels=8, blocks=1), frames, 1, "separable", 3)
    with pytest.raises(ValueError, match="fewer than"):
        fit_frames(_cache(tmp_path, 4), samples=8)
    assert torch.equal(fit_frames(_cache(tmp_path, 12), samples=8), fit_frames(tmp_path / "pairs-12.npz", samples=8))


def _saved(model: Student, tmp_path: Path) -> Path:
    path = tmp_path / "source.pt"
    torch.save({"arch": "student", "model": model.state_dict(), "config": {"model": model.config}}, path)
    return path


def _cache(tmp_path: Path, pairs: int, meta: dict | None = None) -> Path:
    import numpy as np

    from crispcall.data.cache import save_cache

    rng = np.random.default_rng(pairs)
    degraded = rng.integers(0, 256, (pairs, 16, 16, 3), dtype=np.uint8)
    clean = rng.integers(0, 256, (pairs, 32, 32, 3), dtype=np.uint8)
    return save_cache(tmp_path / f"pairs-{pairs}.npz", degraded, clean, meta or {})


def test_precomputed_responses_stand_in_for_the_teacher(student_config, tmp_path):
    import numpy as np

    from crispcall.data.cache import read_cache
    from crispcall.distill.responses import read_responses, write_responses

    live = student_config({"response": 1.0})
    settings = yaml.safe_load(Path(live).read_text())
    out = write_responses(settings["distill"]["teacher"], settings["data"]["cache"], tmp_path / "r.npz", 5, False)
    degraded, _clean, _meta = read_cache(settings["data"]["cache"])
    responses = read_responses(out)
    teacher = load_network(settings["distill"]["teacher"], "teacher")
    with torch.no_grad():
        expected = teacher(torch.from_numpy(degraded).permute(0, 3, 1, 2).float() / 255)
    assert np.allclose(responses.astype(np.float32), expected.numpy(), rtol=1e-3, atol=1e-4)
    ensembled = write_responses(
        settings["distill"]["teacher"], settings["data"]["cache"], tmp_path / "r8.npz", 5, False, self_ensemble=True
    )
    with torch.no_grad():
        expected = SelfEnsemble(teacher)(torch.from_numpy(degraded).permute(0, 3, 1, 2).float() / 255)
    assert np.allclose(read_responses(ensembled).astype(np.float32), expected.numpy(), rtol=1e-3, atol=1e-4)

    def response_terms(config_path: str, run: str) -> list[float]:
        train_student(config_path, tmp_path / run, steps=3)
        with open(tmp_path / run / "log.csv") as handle:
            header, *rows = [line.strip().split(",") for line in handle]
        return [float(row[header.index("response")]) for row in rows]

    settings["distill"]["responses"] = str(out)
    cached = tmp_path / "cached.yaml"
    cached.write_text(yaml.safe_dump(settings))
    # Same batches, same start: the terms differ only by the targets' rounding to float16.
    assert response_terms(str(cached), "cached") == pytest.approx(response_terms(live, "live"), rel=1e-3)

    settings["data"]["cache"] = str(tmp_path / "other.npz")
    np.savez(settings["data"]["cache"], degraded=degraded[:8], clean=degraded[:8], meta=np.array("{}"))
    cached.write_text(yaml.safe_dump(settings))
    with pytest.raises(ValueError, match="do not pair"):
        train_student(str(cached), tmp_path / "mismatch", steps=1)


def test_a_student_teaches_its_cut_on_the_patches_as_played(tmp_path):
    import numpy as np

    from crispcall.data.cache import read_cache
    from crispcall.distill.responses import read_responses, write_responses
    from crispcall.train.loop import as_played

    student = _dense_student()
    cache = _cache(tmp_path, 6, {"scale": 2})  # low-resolution: 16 px received, 32 px clean
    responses = read_responses(write_responses(_saved(student, tmp_path), cache, tmp_path / "r.npz", 4, False))
    low, _clean, _meta = read_cache(cache)
    with torch.no_grad():
        expected = student(torch.from_numpy(as_played(low, 32)).permute(0, 3, 1, 2).float() / 255)
    assert responses.shape == (6, 3, 32, 32) == expected.shape
    assert np.allclose(responses.astype(np.float32), expected.numpy(), rtol=1e-3, atol=1e-3)


def test_an_interrupted_responses_run_resumes_where_it_stopped(student_config, tmp_path, monkeypatch):
    import numpy as np

    import crispcall.distill.responses as module

    settings = yaml.safe_load(Path(student_config({"response": 1.0})).read_text())
    teacher, cache = settings["distill"]["teacher"], settings["data"]["cache"]
    whole = module.read_responses(module.write_responses(teacher, cache, tmp_path / "whole.npz", 5, False))
    passes = []

    def counted(path, kind=None):  # the teacher, failing on its third pass while ``passes`` is capped
        network = load_network(path, kind)
        forward = network.forward

        def forward_counted(batch):
            passes.append(len(batch))
            if len(passes) == 3 and cap:
                raise KeyboardInterrupt
            return forward(batch)

        network.forward = forward_counted
        return network

    cap = True
    monkeypatch.setattr(module, "load_network", counted)
    monkeypatch.setattr(module, "SAVE_EVERY_S", -1.0)  # rows are safe after every batch
    out = tmp_path / "resumed.npz"
    with pytest.raises(KeyboardInterrupt):
        module.write_responses(teacher, cache, out, 5, False)
    assert not out.exists()
    cap, passes = False, []
    module.write_responses(teacher, cache, out, 5, False)
    assert sum(passes) == len(whole) - 10  # two batches of 5 were kept
    assert np.array_equal(module.read_responses(out), whole)
    assert not list(tmp_path.glob(".resumed.*"))  # the saved rows go once the file is whole
    # Another teacher in the same file is another job: the rows saved for the old one are not reused.
    cap, passes = True, []
    with pytest.raises(KeyboardInterrupt):
        module.write_responses(teacher, cache, out, 5, False)
    saved = torch.load(teacher, weights_only=False)
    saved["model"] = {key: value + 0.01 for key, value in saved["model"].items()}
    torch.save(saved, teacher)
    cap, passes = False, []
    module.write_responses(teacher, cache, out, 5, False)
    assert sum(passes) == len(whole)


def test_the_enhancement_of_an_x2_network_is_its_output_area_downscaled():
    from crispcall.distill.responses import enhanced

    class Doubling(torch.nn.Module):
        scale = 2

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.nn.functional.interpolate(x, scale_factor=2, mode="nearest") + 0.25

    clean = torch.rand(2, 3, 8, 8)
    # Each 2 x 2 block of a nearest-neighbour doubling holds one value: its mean gives it back.
    assert torch.allclose(enhanced(Doubling(), clean), clean + 0.25)
    same_size = torch.nn.Conv2d(3, 3, 1)
    assert torch.equal(enhanced(same_size, clean), same_size(clean))


def test_responses_on_clean_patches_are_the_teachers_enhancement_of_the_ground_truth(student_config, tmp_path):
    import numpy as np

    from crispcall.data.cache import read_cache
    from crispcall.distill.responses import enhanced, read_responses, write_responses

    settings = yaml.safe_load(Path(student_config({"response": 1.0})).read_text())
    teacher_path, cache = settings["distill"]["teacher"], settings["data"]["cache"]
    out = write_responses(teacher_path, cache, tmp_path / "on-clean.npz", 5, False, on_clean=True)
    _degraded, clean, _meta = read_cache(cache)
    with torch.no_grad():
        expected = enhanced(load_network(teacher_path, "teacher"), torch.from_numpy(clean).permute(0, 3, 1, 2) / 255)
    assert np.allclose(read_responses(out).astype(np.float32), expected.numpy(), rtol=1e-3, atol=1e-4)
    on_degraded = read_responses(write_responses(teacher_path, cache, tmp_path / "on-degraded.npz", 5, False))
    assert not np.allclose(read_responses(out), on_degraded, atol=1e-2)


def test_a_cache_of_clean_targets_mixes_with_a_cache_of_teacher_responses(student_config, tmp_path):
    import numpy as np

    from crispcall.data import read_cache, write_cache
    from crispcall.distill.responses import read_responses, write_responses

    settings = yaml.safe_load(Path(student_config({"response": 1.0})).read_text())
    cache = settings["data"]["cache"]
    other = write_cache(settings["data"]["roots"], tmp_path / "other.npz", 3, read_cache(cache)[1].shape[1], seed=4,
                        progress=False)  # fmt: skip
    responses = write_responses(settings["distill"]["teacher"], cache, tmp_path / "r.npz", 5, False)
    settings["data"]["cache"] = [cache, str(other)]
    settings["distill"]["responses"] = [str(responses), "clean"]
    targets = response_targets(settings)
    count = len(read_responses(responses))
    assert np.array_equal(targets[:count], read_responses(responses))
    clean = read_cache(other)[1].transpose(0, 3, 1, 2) / 255
    assert targets.shape[0] == count + 3 and np.allclose(targets[count:], clean, atol=1e-3)
    config = tmp_path / "mixed.yaml"
    config.write_text(yaml.safe_dump(settings))
    train_student(str(config), tmp_path / "run", steps=2)
    with open(tmp_path / "run" / "log.csv") as handle:
        header, *rows = [line.strip().split(",") for line in handle]
    # The run trained on both caches' pairs against their targets: a response term was logged.
    assert rows and all(math.isfinite(float(row[header.index("response")])) for row in rows)
    settings["distill"]["responses"] = [str(responses)]
    with pytest.raises(ValueError, match="names 1 files for 2 caches"):
        response_targets(settings)


def test_augmented_batches_show_the_truth_and_the_responses_in_the_same_view(student_config, tmp_path):
    settings = yaml.safe_load(Path(student_config({"response": 1.0})).read_text())
    # The clean patches as the responses: the response term is the L1 term only if both
    # targets are turned alike at every step.
    settings["distill"]["responses"] = "clean"
    settings["distill"]["response_norm"] = "l1"
    settings["train"].update(augment=True, val_every=1)
    config = tmp_path / "augmented.yaml"
    config.write_text(yaml.safe_dump(settings))
    train_student(str(config), tmp_path / "run", steps=3)
    with open(tmp_path / "run" / "log.csv") as handle:
        header, *rows = [line.strip().split(",") for line in handle]
    assert len(rows) == 3
    for row in rows:
        assert float(row[header.index("response")]) == pytest.approx(float(row[header.index("l1")]), rel=2e-3)


def test_a_zoomed_cache_teaches_through_the_teachers_responses_only(student_config, tmp_path):
    """A zoomed cache's clean patches are enlargements: a run learns from them only through the
    teacher's responses, with every ground-truth term at 0; anything else is refused in one line."""
    from crispcall.data import write_cache
    from crispcall.distill.responses import write_responses

    settings = yaml.safe_load(Path(student_config({"response": 1.0})).read_text())
    zoomed = write_cache(settings["data"]["roots"], tmp_path / "zoom.npz", 8, 32, holdout_every=2, zoom=2,
                         progress=False)  # fmt: skip
    responses = write_responses(settings["distill"]["teacher"], zoomed, tmp_path / "r.npz", 4, False)
    config = tmp_path / "zoom.yaml"
    refused = [
        ({"l1": 1.0}, str(responses)),  # a ground-truth term beside the responses
        ({"l1": 0.0}, "clean"),  # its enlargements as targets
        ({"l1": 0.0}, None),  # no precomputed responses (the loop asks for them, even beside a live teacher)
    ]
    for loss, named in refused:
        settings.update(loss=loss)
        settings["data"]["cache"], settings["distill"]["responses"] = str(zoomed), named
        config.write_text(yaml.safe_dump(settings))
        with pytest.raises(ValueError, match="zoom"):
            train_student(str(config), tmp_path / "refused", steps=1)
    settings.update(loss={"l1": 0.0})
    settings["distill"]["responses"] = str(responses)
    config.write_text(yaml.safe_dump(settings))
    final = train_student(str(config), tmp_path / "run", steps=2)
    assert load_network(final, "student")(torch.rand(1, 3, 32, 32)).shape == (1, 3, 32, 32)


def test_an_x2_teacher_teaches_a_same_size_student_from_a_low_resolution_cache(student_config, upconv7_ncnn, tmp_path):
    import numpy as np

    from crispcall.data import write_cache
    from crispcall.data.cache import read_cache
    from crispcall.distill.responses import read_responses, write_responses
    from crispcall.train.loop import as_played
    from crispcall.train.teacher import import_waifu2x

    settings = yaml.safe_load(Path(student_config({"response": 1.0})).read_text())
    degrade = tmp_path / "x2.yaml"
    packaged = (Path(__file__).parents[2] / "src/crispcall/degrade/train.yaml").read_text()
    degrade.write_text(packaged.replace("scale: [", "scale: [2, 2] #", 1))
    cache = write_cache(settings["data"]["roots"], tmp_path / "low.npz", 8, 32, holdout_every=2,
                        degradation_config=str(degrade), low_resolution=True, progress=False)  # fmt: skip
    teacher = import_waifu2x(upconv7_ncnn[0], tmp_path / "x2.pt", kind="upconv7-x2")
    with pytest.raises(ValueError, match="x2 teacher needs a cache of x2 pairs"):
        write_responses(teacher, settings["data"]["cache"], tmp_path / "wrong.npz", progress=False)
    responses = read_responses(write_responses(teacher, cache, tmp_path / "r.npz", 4, progress=False))
    low, clean, _meta = read_cache(cache)
    assert responses.shape == (8, 3, 32, 32) and low.shape == (8, 16, 16, 3)
    played = as_played(low, 32)
    assert played.shape == clean.shape and np.abs(played[:, ::2, ::2].astype(int) - low).mean() < 8

    settings["data"]["cache"] = str(cache)
    settings["distill"].update(teacher=str(teacher), responses=str(tmp_path / "r.npz"))
    config = tmp_path / "x2-student.yaml"
    config.write_text(yaml.safe_dump(settings))
    final = train_student(str(config), tmp_path / "run", steps=2)
    assert load_network(final, "student")(torch.rand(1, 3, 32, 32)).shape == (1, 3, 32, 32)
    settings["distill"]["responses"] = None  # live: the x2 teacher runs on the low-resolution batch
    config.write_text(yaml.safe_dump(settings))
    final = train_student(str(config), tmp_path / "live", steps=2)
    assert load_network(final, "student")(torch.rand(1, 3, 32, 32)).shape == (1, 3, 32, 32)
    settings["data"]["cache"] = str(tmp_path / "pairs.npz")  # the fixture's, at full size: no received frames
    config.write_text(yaml.safe_dump(settings))
    with pytest.raises(ValueError, match="holds none"):
        train_student(str(config), tmp_path / "full-size", steps=1)


def test_validate_command_gives_the_logged_validation_figure(student_config, tmp_path, capsys):
    from crispcall.cli.main import main

    config, scores = student_config({}), tmp_path / "scores.json"
    final = train_student(config, tmp_path / "run", steps=3)  # val_every 3: the log's row is the final weights'
    with open(tmp_path / "run" / "log.csv") as handle:
        header, *rows = [line.strip().split(",") for line in handle]
    logged = float(rows[-1][header.index("val_psnr")])
    main(["train", "validate", "--weights", str(final), "--config", config])
    out = capsys.readouterr().out
    assert f"validation {logged:.2f} dB PSNR" in out and ", chroma " in out
    main(["train", "validate", "--weights", str(final), "--config", config, "--self-ensemble", "--json", str(scores)])
    assert "self-ensemble: validation" in capsys.readouterr().out
    results = json.loads(scores.read_text())["results"]
    assert [r["self_ensemble"] for r in results] == [False, True]
    assert results[0]["psnr"] == pytest.approx(logged, abs=0.005)
    assert 0 < results[0]["chroma_psnr"] < float("inf")
    main(["train", "validate", "--weights", str(final), "--config", config, "--pairs", "5", "--json", str(scores)])
    assert "5 training pairs " in capsys.readouterr().out
    on_pairs = json.loads(scores.read_text())
    assert on_pairs["meta"]["pairs"] == 5 and on_pairs["meta"]["caches"]
    assert on_pairs["results"][0]["psnr"] != pytest.approx(logged, abs=0.005)
    assert math.isfinite(on_pairs["results"][0]["psnr"])


def test_pooled_validation_averages_the_squared_error_not_the_psnr():
    import numpy as np

    from crispcall.degrade.presets import Degraded
    from crispcall.train.loop import validate

    flat = np.full((32, 32, 3), 100, np.uint8)
    off = flat + np.uint8(2)  # every pixel two levels off
    pairs = [(flat, Degraded(low=flat, frame=flat, scale=1)), (flat, Degraded(low=off, frame=off, scale=1))]
    exact, one_off = validate(torch.nn.Identity(), pairs[:1], "cpu"), validate(torch.nn.Identity(), pairs[1:], "cpu")
    assert exact["psnr"] == float("inf") and math.isfinite(one_off["psnr"])
    pooled = validate(torch.nn.Identity(), pairs, "cpu", pooled=True)
    assert pooled["psnr"] == pytest.approx(one_off["psnr"] + 10 * math.log10(2))  # half the squared error
    assert pooled["ssim"] == pytest.approx((exact["ssim"] + one_off["ssim"]) / 2)


def test_training_pairs_are_the_caches_pairs_as_the_loop_feeds_them(tmp_path):
    import numpy as np

    from crispcall.train.loop import as_played, training_pairs

    rng = np.random.default_rng(0)
    low = rng.integers(0, 256, (10, 4, 4, 3), dtype=np.uint8)
    clean = rng.integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    np.savez(tmp_path / "c.npz", degraded=low, clean=clean, meta=np.array(json.dumps({"scale": 2})))
    pairs = training_pairs({"cache": str(tmp_path / "c.npz")}, 4)
    assert len(pairs) == 4
    first, last = pairs[0], pairs[-1]
    assert np.array_equal(first[0], clean[0]) and np.array_equal(last[0], clean[9])  # evenly spaced, ends kept
    assert np.array_equal(last[1].low, low[9]) and last[1].scale == 2
    assert np.array_equal(last[1].frame, as_played(low[9:], 8)[0])
    assert len(training_pairs({"cache": str(tmp_path / "c.npz")}, 50)) == 10
