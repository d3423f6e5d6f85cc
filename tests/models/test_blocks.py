import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from crispcall.models.blocks import SelfEnsemble, regrid_subpixel_head, space_to_depth, subpixel_weights  # noqa: E402


class Upsample2(nn.Module):
    """Nearest x2: commutes with every flip and rotation, so its self-ensemble is itself."""

    scale = 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=2, mode="nearest")


@pytest.mark.parametrize("model", [nn.Identity(), Upsample2()])
def test_self_ensemble_of_a_symmetric_network_is_the_network(model):
    x = torch.rand(2, 3, 5, 7)  # not square: the turned views have other shapes
    assert torch.allclose(SelfEnsemble(model)(x), model(x), atol=1e-6)
    assert SelfEnsemble(model).scale == getattr(model, "scale", 1)


def test_self_ensemble_of_a_convolution_averages_its_turned_kernels():
    conv = nn.Conv2d(1, 1, 3, padding=1, bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.arange(9.0).view(1, 1, 3, 3))
    kernel = conv.weight[0, 0]
    turned = [kernel.rot90(k) for k in range(4)]
    symmetric = torch.stack(turned + [t.flip(1) for t in turned]).mean(0)
    x = torch.rand(1, 1, 6, 9)
    expected = F.conv2d(x, symmetric.view(1, 1, 3, 3), padding=1)
    assert torch.allclose(SelfEnsemble(conv)(x), expected, atol=1e-5)
    assert not torch.allclose(conv(x), expected, atol=1e-2)


def test_space_to_depth_is_the_unshuffle_and_one_onnx_node(tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")

    class Stem(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return space_to_depth(x, 4)

    luma = torch.rand(1, 1, 8, 12, requires_grad=True)
    out = space_to_depth(luma, 4)
    assert torch.equal(out, F.pixel_unshuffle(luma, 4))
    (grad,) = torch.autograd.grad(out.sum(), luma)  # the receptive-radius probe differentiates it
    assert torch.equal(grad, torch.ones_like(luma))
    path = tmp_path / "stem.onnx"
    torch.onnx.export(Stem(), (luma.detach(),), str(path), opset_version=17, dynamo=False)
    assert [node.op_type for node in onnx.load(str(path)).graph.node] == ["SpaceToDepth"]
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: luma.detach().numpy()})[0]
    assert torch.equal(torch.from_numpy(got), out.detach())


def test_subpixel_weights_mix_the_nearest_positions_within_a_pixel():
    assert torch.equal(subpixel_weights(2, 2), torch.eye(2, dtype=torch.float64))
    assert subpixel_weights(2, 3).tolist() == [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    assert subpixel_weights(2, 4).tolist() == [[1.0, 0.0], [0.75, 0.25], [0.25, 0.75], [0.0, 1.0]]
    assert torch.allclose(subpixel_weights(3, 5).sum(1), torch.ones(5, dtype=torch.float64))


def test_a_regridded_head_interpolates_the_old_sub_pixels():
    torch.manual_seed(0)
    head = nn.Conv2d(4, 3 * 4, 3, padding=1)
    weight, bias = regrid_subpixel_head(head.weight, head.bias, 2, 3)
    assert weight.shape == (27, 4, 3, 3) and bias.shape == (27,)
    x = torch.rand(1, 4, 5, 6)
    with torch.no_grad():
        old = F.pixel_shuffle(head(x), 2)
        new = F.pixel_shuffle(F.conv2d(x, weight, bias, padding=1), 3)
    assert torch.allclose(new[..., 0::3, 0::3], old[..., 0::2, 0::2], atol=1e-5)
    assert torch.allclose(new[..., 2::3, 2::3], old[..., 1::2, 1::2], atol=1e-5)
    centre = (old[..., 0::2, 0::2] + old[..., 0::2, 1::2] + old[..., 1::2, 0::2] + old[..., 1::2, 1::2]) / 4
    assert torch.allclose(new[..., 1::3, 1::3], centre, atol=1e-5)
