from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

import onnx  # noqa: E402

from crispcall.cli.main import main  # noqa: E402
from crispcall.distill.train import train_student  # noqa: E402
from crispcall.export.onnx import export_onnx  # noqa: E402
from crispcall.metrics import agreement_psnr  # noqa: E402
from crispcall.models.io import load_network  # noqa: E402
from crispcall.models.student import Student  # noqa: E402
from crispcall.quant import WEIGHT_QMAX  # noqa: E402
from crispcall.quant.ptq import MIN_AGREEMENT_DB, calibration_frames, int8_weight_peak, quantize_onnx  # noqa: E402
from crispcall.quant.qat import FakeQuantConv, prepare_qat, strip_qat  # noqa: E402
from crispcall.runtime import Sharpener  # noqa: E402
from crispcall.runtime.luma import OUTPUT  # noqa: E402


@pytest.fixture(scope="module")
def train_dir(tmp_path_factory):
    """Training images generated here: smooth colour fields with text and edges."""
    root = tmp_path_factory.mktemp("train")
    from crispcall.data.scene import synthetic_frame

    for seed in range(6):
        Image.fromarray(synthetic_frame(320, 288, seed)).save(root / f"frame_{seed}.png")
    return root


def test_fake_quant_rounds_like_int8_and_strips_back():
    torch.manual_seed(0)
    model = Student(channels=8, blocks=2).fuse()
    for p in model.tail.parameters():
        torch.nn.init.normal_(p, std=0.05)
    x = torch.rand(2, 3, 32, 32)
    expected = model(x)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    prepare_qat(model)
    assert sum(isinstance(m, FakeQuantConv) for m in model.modules()) == 2 + 2 * 2  # head, tail, 2 per block
    rounded = model(x)
    # Rounding to 8-bit activations and 7-bit weights moves the output a little, not a lot.
    assert 0 < float((rounded - expected).abs().max()) < 0.1
    strip_qat(model)
    assert model.state_dict().keys() == before.keys()
    assert all(torch.equal(model.state_dict()[k], v) for k, v in before.items())


def test_qat_fine_tunes_a_student_into_a_plain_one(student_config, tmp_path):
    source = tmp_path / "student.pt"
    base = Student(channels=8, blocks=2)
    torch.save({"arch": "student", "model": base.state_dict(), "config": {"model": base.config}}, source)
    config = yaml.safe_load(Path(student_config({"response": 1.0})).read_text())
    config["model"] = {}
    config["train"].update({"qat": True, "init": str(source)})
    path = tmp_path / "qat.yaml"
    path.write_text(yaml.safe_dump(config))
    final = train_student(path, tmp_path / "qat", steps=2)
    model = load_network(final, "student")  # a plain, fused student again
    assert model.config["rep"] is False and not any(isinstance(m, FakeQuantConv) for m in model.modules())
    assert not torch.equal(model.tail.weight, base.fuse().tail.weight)  # it trained
    config["train"]["init"] = None
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match=r"train\.init"):
        train_student(path, tmp_path / "bad")


def test_qat_can_equalize_the_tail_and_learn_from_its_own_fp32_outputs(student_config, tmp_path, train_dir):
    source = tmp_path / "student.pt"
    base = Student(channels=8, blocks=2, tail_hidden=16)
    torch.save({"arch": "student", "model": base.state_dict(), "config": {"model": base.config}}, source)
    config = yaml.safe_load(Path(student_config({"response": 1.0})).read_text())
    config["model"] = {}
    config["train"].update({"qat": True, "init": str(source), "equalize": True})
    config["data"]["roots"] = [str(train_dir)]  # calibration crops for the equalization
    config["distill"]["teacher"] = "init"
    config["loss"] = {"l1": 0.0}
    path = tmp_path / "qat.yaml"
    path.write_text(yaml.safe_dump(config))
    model = load_network(train_student(path, tmp_path / "qat", steps=2), "student")
    assert model.config["tail_hidden"] == 16 and not any(isinstance(m, FakeQuantConv) for m in model.modules())
    # The FP32 student teaches itself only in QAT; a live teacher with precomputed responses is refused.
    not_qat = {"train": {**config["train"], "qat": False}}
    with_responses = {"distill": {**config["distill"], "responses": "x.npz"}}
    for change in (not_qat, with_responses):
        path.write_text(yaml.safe_dump({**config, **change}))
        with pytest.raises(ValueError, match="init"):
            train_student(path, tmp_path / "bad")


def test_calibration_comes_from_training_images(train_dir):
    frames = calibration_frames([train_dir], count=4, side=132)
    assert len(frames) == 4 and all(f.shape == (132, 132, 3) and f.dtype == np.uint8 for f in frames)
    with pytest.raises(ValueError, match="at least 400"):
        calibration_frames([train_dir], count=2, side=400)


def test_int8_onnx_agrees_with_fp32(student_net, tmp_path, train_dir, coffee):
    fp32 = export_onnx(student_net, tmp_path / "fp32.onnx", to_quantize=True)
    check = calibration_frames([train_dir], count=2, side=132, seed=1)
    agreement = quantize_onnx(fp32, tmp_path / "int8.onnx", calibration_frames([train_dir], 6, side=132), check)
    assert agreement >= MIN_AGREEMENT_DB
    # 7-bit weights: no int16 pair sum can saturate, so every CPU computes the same output.
    assert 0 < int8_weight_peak(tmp_path / "int8.onnx") <= WEIGHT_QMAX == 64
    # Every ReLU is folded into the quantized convolution before it (none is left to run in
    # float), and the pixel-shuffle and the stem's unshuffle move quantized values themselves:
    # a quantization before each, a dequantization after, none between.
    nodes = onnx.load(str(tmp_path / "int8.onnx")).graph.node
    producer = {name: node.op_type for node in nodes for name in node.output}
    consumer = {name: node.op_type for node in nodes for name in node.input}
    assert "Relu" not in {node.op_type for node in nodes}
    for shuffle in ("DepthToSpace", "SpaceToDepth"):
        [node] = [n for n in nodes if n.op_type == shuffle]
        assert (producer[node.input[0]], consumer[node.output[0]]) == ("QuantizeLinear", "DequantizeLinear")
    int8 = Sharpener(tmp_path / "int8.onnx", threads=1)
    assert (int8.multiple, int8.radius) == (4, Sharpener(fp32).radius)  # metadata carried over
    frame = np.ascontiguousarray(coffee[:91, :133])
    assert agreement_psnr([int8(frame)], [Sharpener(fp32, threads=1)(frame)]) >= MIN_AGREEMENT_DB
    assert not list(tmp_path.rglob(".*.partial*"))


@pytest.mark.parametrize("int8", [False, True])
def test_tflite_export_matches_pytorch_and_runs_any_size(student_net, tmp_path, train_dir, coffee, int8):
    from crispcall.export.tflite import export_tflite

    calibration = calibration_frames([train_dir], 4, side=132) if int8 else []
    path, figure = export_tflite(student_net, tmp_path / "s.tflite", (96, 128), calibration)
    assert figure >= (MIN_AGREEMENT_DB if int8 else 0.99)
    # The fixed-size file runs other sizes in tiles; compare with the ONNX graph on one.
    onnx_path = export_onnx(student_net, tmp_path / "s.onnx")
    tflite = Sharpener(path, threads=1)
    assert tflite.backend.fixed_size == (96, 128) and tflite.multiple == 4
    for frame in (np.ascontiguousarray(coffee[:150, :211]), np.ascontiguousarray(coffee[:37, :50])):
        got, expected = tflite(frame), Sharpener(onnx_path, threads=1)(frame)
        assert got.shape == frame.shape
        # Frames smaller than the file's size are edge-padded up to it, which changes what the
        # last receptive radius of rows and columns sees; compare the rest.
        core = (slice(0, frame.shape[0] - tflite.radius), slice(0, frame.shape[1] - tflite.radius))
        if int8:
            assert agreement_psnr([got[core]], [expected[core]]) >= MIN_AGREEMENT_DB - 5  # tiles add no seams on top
        else:
            assert np.mean(np.abs(got[core].astype(int) - expected[core]) <= 1) >= 0.99


def test_export_cli_writes_int8_and_refuses_a_wrong_suffix(student_config, tmp_path, train_dir, capsys):
    checkpoint = tmp_path / "student.pt"
    model = Student(channels=8, blocks=2)
    torch.save({"arch": "student", "model": model.state_dict(), "config": {"model": model.config}}, checkpoint)
    out = tmp_path / "int8.onnx"
    args = ["export", "--checkpoint", str(checkpoint), "--out", str(out), "--int8", "--count", "6"]
    assert main([*args, "--calibration", str(train_dir)]) == 0
    assert out.is_file() and "dB PSNR against the FP32 graph" in capsys.readouterr().out
    assert (
        main(["export", "--checkpoint", str(checkpoint), "--out", str(tmp_path / "x.onnx"), "--format", "tflite"]) == 2
    )
    assert "should end in .tflite" in capsys.readouterr().err


def test_export_cli_writes_an_int8_luma_twin_the_runtime_runs(student_net, tmp_path, train_dir, coffee, capsys):
    checkpoint = tmp_path / "student.pt"
    torch.save(
        {"arch": "student", "model": student_net.state_dict(), "config": {"model": student_net.config}}, checkpoint
    )
    common = ["export", "--checkpoint", str(checkpoint), "--int8", "--count", "6", "--calibration", str(train_dir)]
    assert main([*common, "--out", str(tmp_path / "int8.onnx")]) == 0
    assert main([*common, "--out", str(tmp_path / "int8-luma.onnx"), "--luma"]) == 0
    assert "dB PSNR against the FP32 graph (the correction)" in capsys.readouterr().out
    twin, frame_graph = Sharpener(tmp_path / "int8.onnx", threads=1), Sharpener(tmp_path / "int8.onnx", luma=False)
    assert twin.backend.luma and twin.backend.precision == "int8" and not frame_graph.backend.luma
    frame = np.ascontiguousarray(coffee[:96, :128])
    assert agreement_psnr([twin(frame)], [frame_graph(frame)]) >= MIN_AGREEMENT_DB
    # No float work at either end: the stem's unshuffle reads the uint8 luma as it comes, and
    # the pixel-shuffle's uint8 output is the graph's (its quantization the output's offset).
    graph = onnx.load(str(tmp_path / "int8-luma.onnx")).graph
    shuffles = {n.op_type: n for n in graph.node if n.op_type in ("SpaceToDepth", "DepthToSpace")}
    assert shuffles["SpaceToDepth"].input[0] == "luma" and shuffles["DepthToSpace"].output[0] == OUTPUT
    assert not {"Cast", "Neg"} & {n.op_type for n in graph.node} and [o.name for o in graph.output] == [OUTPUT]
    with pytest.raises(SystemExit):
        main([*common, "--out", str(tmp_path / "x.onnx"), "--luma", "--i420"])
