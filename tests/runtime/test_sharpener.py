import numpy as np
import pytest
from PIL import Image

from crispcall.degrade.ops import pad_to_multiple
from crispcall.export.onnx import FrameIO, run_frame
from crispcall.runtime import Sharpener, load_backend
from crispcall.runtime.sharpener import spans


@pytest.mark.parametrize("height, width", [(100, 76), (101, 77), (5, 3), (1, 5)])
def test_any_size_matches_pytorch_on_the_edge_padded_frame(student_net, student_onnx, coffee, height, width):
    """Sides that the network's multiple (4) does not divide are padded by edge replication and
    cropped back: the result is PyTorch's on that padded frame, cropped."""
    sharpener = Sharpener(student_onnx, threads=1)
    frame = np.ascontiguousarray(coffee[:height, :width])
    got = sharpener(frame)
    assert got.shape == frame.shape and got.dtype == np.uint8
    expected = run_frame(FrameIO(student_net), pad_to_multiple(frame, 4, "edge"))[:height, :width]
    assert np.mean(np.abs(got.astype(int) - expected) <= 1) >= 0.99


def test_output_buffer_is_written_and_reused(student_onnx, coffee):
    sharpener = Sharpener(student_onnx, threads=1)
    frame = np.ascontiguousarray(coffee[:96, :128])
    out = np.zeros_like(frame)
    assert sharpener(frame, out) is out
    np.testing.assert_array_equal(out, sharpener(frame))
    odd = np.ascontiguousarray(coffee[:95, :127])  # padded path, copied into the buffer
    out_odd = np.zeros_like(odd)
    sharpener(odd, out_odd)
    np.testing.assert_array_equal(out_odd, sharpener(odd))
    with pytest.raises(ValueError, match="C-contiguous uint8"):
        sharpener(frame, np.zeros(frame.shape, np.float32))


def test_tiles_match_the_whole_frame(student_onnx, astronaut):
    whole = Sharpener(student_onnx, threads=1)
    assert whole.radius == whole.backend.radius > 0  # measured at export, stored in the file
    frame = np.ascontiguousarray(astronaut[:203, :251])
    expected = whole(frame)
    for tile in (16, 64):
        got = Sharpener(student_onnx, threads=1, tile=tile)(frame)
        # Same pixels, same arithmetic: identical up to float summation order.
        assert np.abs(got.astype(int) - expected).max() <= 1
        assert np.mean(got == expected) >= 0.999
    with pytest.raises(ValueError, match="multiple of 4"):
        Sharpener(student_onnx, tile=30)


def test_spans_cover_the_axis_once():
    for length, core, radius, window in ((203, 16, 8, None), (100, 32, 8, None), (100, 24, 8, 40), (40, 24, 8, 40)):
        tiles = spans(length, core, radius, window)
        covered = np.zeros(length, int)
        for start, end, low, high in tiles:
            covered[start:end] += 1
            assert 0 <= low <= start and end <= high <= length
            assert start - low >= min(radius, start) and high - end >= min(radius, length - end)
            if window is not None:
                assert high - low == window
        assert (covered == 1).all()
    assert spans(40, 24, 8, 40) == [(0, 40, 0, 40)]  # a frame of the file's own size runs once


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((8, 8, 3), np.float32), "uint8"),
        (np.zeros((8, 8), np.uint8), "grey or RGBA"),
        (np.zeros((8, 8, 4), np.uint8), "grey or RGBA"),
        (np.zeros((0, 8, 3), np.uint8), "empty"),
        (np.zeros((2, 8, 8, 3), np.uint8), "H x W x 3"),
    ],
)
def test_bad_frames_get_clear_errors(student_onnx, frame, message):
    with pytest.raises(ValueError, match=message):
        Sharpener(student_onnx, threads=1)(frame)


def test_not_an_array_is_refused(student_onnx):
    with pytest.raises(TypeError, match="numpy array"):
        Sharpener(student_onnx, threads=1)([[1, 2, 3]])


def test_grey_and_rgba_images_are_converted(student_onnx, astronaut):
    sharpener = Sharpener(student_onnx, threads=1)
    rgb = Image.fromarray(astronaut[:61, :83])
    grey = sharpener.sharpen_image(rgb.convert("L"))
    assert grey.mode == "L" and grey.size == (83, 61)
    alpha = np.tile(np.arange(83, dtype=np.uint8), (61, 1))
    rgba = rgb.copy()
    rgba.putalpha(Image.fromarray(alpha))
    sharp = sharpener.sharpen_image(rgba)
    assert sharp.mode == "RGBA"
    np.testing.assert_array_equal(np.asarray(sharp)[..., 3], alpha)
    np.testing.assert_array_equal(np.asarray(sharp)[..., :3], sharpener(np.ascontiguousarray(astronaut[:61, :83])))


def test_openvino_gives_the_same_frames(student_onnx, coffee):
    frame = np.ascontiguousarray(coffee[:97, :131])
    expected = Sharpener(student_onnx, threads=1)(frame)
    vino = Sharpener(student_onnx, backend="openvino", threads=1)
    assert vino.multiple == 4 and vino.radius > 0  # the metadata reached OpenVINO too
    assert np.mean(np.abs(vino(frame).astype(int) - expected) <= 1) >= 0.99


def test_backend_errors(student_onnx, tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model"):
        load_backend(tmp_path / "missing.onnx")
    with pytest.raises(ValueError, match="backend must be one of"):
        load_backend(student_onnx, "cuda")
    with pytest.raises(ValueError, match="cannot run"):
        load_backend(student_onnx, "tflite")
    with pytest.raises(ValueError, match="threads"):
        load_backend(student_onnx, threads=0)


def test_a_graph_that_is_not_a_frame_graph_is_refused(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["input"], ["output"])],
        "float",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, None, None])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 3, None, None])],
    )
    path = tmp_path / "float.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9), str(path))
    with pytest.raises(ValueError, match="not a frame graph"):
        Sharpener(path)
