import numpy as np
import pytest
import yaml

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.cli.main import main  # noqa: E402
from crispcall.data import write_cache  # noqa: E402
from crispcall.degrade.loss import BLOCK  # noqa: E402
from crispcall.models.io import load_network  # noqa: E402
from crispcall.models.peers.rlfn import RLFNUpscaler  # noqa: E402
from crispcall.models.repair import Repaired  # noqa: E402
from crispcall.train.repair import lose_inner_blocks  # noqa: E402


def test_only_inner_block_rows_are_lost_and_concealed_from_above_and_below():
    rng = np.random.default_rng(0)
    patches = rng.integers(0, 256, (3, 64, 48, 3), dtype=np.uint8)
    lost, masks = lose_inner_blocks(patches, np.array([0.0, 1.0, 0.5]), rng)
    assert np.array_equal(lost[0], patches[0]) and not masks[0].any()  # rate 0: nothing lost
    assert masks.shape == (3, 4, 3) and masks[1, 1:3].all() and not masks[:, [0, 3]].any()
    inner = slice(BLOCK, 3 * BLOCK)
    for i in (1, 2):
        assert np.array_equal(lost[i, :BLOCK], patches[i, :BLOCK])
        assert np.array_equal(lost[i, 3 * BLOCK :], patches[i, 3 * BLOCK :])
    # Rate 1: both inner rows are one run, filled linearly between row 15 and row 48.
    weight = (np.arange(BLOCK, 3 * BLOCK) - (BLOCK - 1)) / (2 * BLOCK + 1)
    above, below = patches[1, BLOCK - 1].astype(float), patches[1, 3 * BLOCK].astype(float)
    expected = np.rint(above * (1 - weight[:, None, None]) + below * weight[:, None, None])
    assert np.array_equal(lost[1, inner], expected.astype(np.uint8))
    assert not np.array_equal(lost[2, inner], patches[2, inner])


@pytest.fixture
def repair_config(tmp_path, train_images):
    cache = write_cache(
        [train_images], tmp_path / "pairs.npz", count=16, patch_size=48, holdout_every=2, progress=False
    )
    config = {
        "model": {"channels": 8},
        "data": {"cache": str(cache), "roots": [str(train_images)], "holdout_every": 2, "val_images": 1,
                 "val_crop": 64, "val_presets": ["lossy"]},
        "train": {"steps": 2, "batch_size": 4, "val_every": 2, "checkpoint_every": 2, "warmup_steps": 1},
        "loss": {"l1": 0.0, "l2": 1.0},
        "repair": {"loss_rate": [0.5, 1.0]},
    }  # fmt: skip
    path = tmp_path / "repair.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_a_trained_repair_goes_in_front_of_a_teacher(repair_config, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "repair", "--config", str(repair_config), "--out", str(run)]) == 0
    repair = load_network(run / "repair.pt", "repair")
    assert float(repair.tail.weight.abs().sum()) > 0  # it trained away from its pass-through start
    torch.manual_seed(0)
    rlfn = tmp_path / "rlfn.pt"
    network = RLFNUpscaler(channels=48).eval()
    torch.save({"arch": "teacher", "model": network.state_dict(), "config": {"model": {"kind": "rlfn-s-x2"}}}, rlfn)
    joined = tmp_path / "repaired.pt"
    command = ["train", "add-repair", "--weights", str(rlfn), "--repair", str(run / "repair.pt"), "--out", str(joined)]
    assert main(command) == 0
    teacher = load_network(joined, "teacher")
    assert isinstance(teacher, Repaired) and teacher.scale == 2
    x = torch.rand(1, 3, 16, 32)
    with torch.no_grad():
        assert torch.allclose(teacher(x), network(repair(x)))
    # Exported, it runs on frames of any size: the runtime pads them to whole macroblocks.
    from crispcall.methods.models import ModelMethod

    onnx = tmp_path / "repaired.onnx"
    assert main(["export", "--checkpoint", str(joined), "--out", str(onnx)]) == 0
    method = ModelMethod("repaired", onnx, threads=1)
    assert method.low_input and method.scale == 2
    assert method.run(np.zeros((10, 14, 3), np.uint8)).shape == (20, 28, 3)
    # The two files swapped: each is refused in one line.
    assert main(["train", "add-repair", "--weights", str(run / "repair.pt"), "--repair", str(rlfn), "--out",
                 str(joined)]) == 2  # fmt: skip
    assert "holds a repair, not a teacher" in capsys.readouterr().err
