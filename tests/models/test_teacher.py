import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.models.teacher import Teacher  # noqa: E402


@pytest.mark.parametrize("attention", [False, True])
def test_teacher_is_same_size_with_global_residual(attention):
    model = Teacher(channels=16, blocks=3, attention=attention).eval()
    x = torch.rand(2, 3, 24, 40)
    out, features = model.forward_features(x)
    assert out.shape == x.shape
    assert [name for name, _ in features] == ["block1", "block2", "block3"]
    assert all(f.shape == (2, 16, 12, 20) for _, f in features)
    for p in model.tail.parameters():  # with a zero tail the network is the identity
        torch.nn.init.zeros_(p)
    assert torch.equal(model(x), x)


def test_feature_taps_are_evenly_spaced():
    model = Teacher(channels=8, blocks=8, feature_taps=4)
    _, features = model.forward_features(torch.rand(1, 3, 8, 8))
    assert [name for name, _ in features] == ["block2", "block4", "block6", "block8"]


def test_bad_sizes():
    with pytest.raises(ValueError, match="blocks"):
        Teacher(blocks=0)


def test_macs_match_a_hand_count():
    from crispcall.models.complexity import conv_macs, parameter_count

    model = Teacher(channels=8, blocks=1)
    # at half resolution: head 12->8, two 8->8 in the block, body conv 8->8, tail 8->12; all 3x3
    per_pixel = 9 * (12 * 8 + 3 * 8 * 8 + 8 * 12)
    assert conv_macs(model, 64, 96, divisor=2) == per_pixel * 32 * 48
    assert parameter_count(model) == sum(p.numel() for p in model.parameters())


def test_rlfn_teacher_is_the_published_network_on_frames_in_0_1():
    from crispcall.models.peers.rlfn import RLFN, RLFNUpscaler

    torch.manual_seed(0)
    published = RLFN(channels=48).eval()
    teacher = RLFNUpscaler(channels=48).eval()
    teacher.load_state_dict(published.state_dict(), strict=True)
    x = torch.rand(1, 3, 20, 18)  # ESA pools 7 x 7 after a stride-2 convolution: 15 px at least
    with torch.no_grad():
        assert torch.allclose(teacher(x), published(x * 255) / 255, atol=1e-5)
    assert teacher(x).shape == (1, 3, 40, 36) and teacher.scale == 2


def test_an_identity_block_passes_its_input_and_learns():
    from crispcall.models.io import build_teacher
    from crispcall.models.peers.rlfn import identity_block

    torch.manual_seed(0)
    block = identity_block(8)
    x = torch.randn(2, 8, 20, 18)
    out = block(x)
    assert torch.allclose(out, x, atol=1e-5)
    out.square().sum().backward()
    # The zeroed convolution and the attention's gate get gradients: the block can move away.
    assert block.c3_r.weight.grad.abs().sum() > 0 and block.esa.conv4.weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="takes blocks only"):
        build_teacher(kind="rlfn-x3", channels=8)
    assert build_teacher(kind="rlfn-x3", blocks=8).blocks == 8
