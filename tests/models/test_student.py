import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.models.blocks import RepConv  # noqa: E402
from crispcall.models.complexity import conv_macs, parameter_count  # noqa: E402
from crispcall.models.student import Student  # noqa: E402

VARIANTS = [
    {},
    {"block": "dense", "color": "rgb", "unshuffle": 2, "attention": "channel"},
    {"channels": 12, "blocks": 3, "attention": "spatial"},
    {"block": "mixed", "blocks": 2},
    {"block": "dense", "blocks": 2, "refine": 4},
    {"unshuffle": 2, "head_kernel": 1, "tail_kernel": 1},
    {"unshuffle": 8, "block": "dense", "blocks": 2, "head_kernel": 1, "tail_kernel": 1},
    {"block": "dense", "blocks": 2, "negative_slope": 0.1},
    {"block": "dense", "blocks": 2, "linear_head": True},
    {"block": "dense", "blocks": 2, "tail_hidden": 24},
]


def _perturbed(model: torch.nn.Module) -> torch.nn.Module:
    """Random weights everywhere, so every branch (not just the initial ones) counts."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.1)
    return model.eval()


@pytest.mark.parametrize("kwargs", VARIANTS)
def test_fused_network_gives_the_same_output(kwargs):
    model = _perturbed(Student(**kwargs))
    x = torch.rand(2, 3, 32, 48)
    with torch.no_grad():
        before = model(x)
        fused = model.fuse()
        after = fused(x)
    assert not any(isinstance(m, RepConv) for m in fused.modules())
    assert before.shape == x.shape
    # In float32 the sums are merely reordered: equal to rounding relative to the output's scale.
    assert (before - after).abs().max() <= 1e-5 * before.abs().max()
    # float64 removes the rounding, so what is left is the fusion's own error.
    model64 = _perturbed(Student(**kwargs)).double()
    x64 = x.double()
    with torch.no_grad():
        assert (model64(x64) - model64.fuse()(x64)).abs().max() < 1e-5


@pytest.mark.parametrize("kernel,groups,channels", [(3, 1, (6, 10)), (3, 8, (8, 8)), (1, 1, (8, 8)), (5, 1, (4, 4))])
def test_repconv_fuses_every_branch(kernel, groups, channels):
    conv = _perturbed(RepConv(*channels, kernel_size=kernel, groups=groups)).double()
    x = torch.rand(1, channels[0], 9, 11, dtype=torch.float64)
    with torch.no_grad():
        assert (conv(x) - conv.fused().double()(x)).abs().max() < 1e-10


def test_plain_student_loads_fused_weights():
    fused = _perturbed(Student(channels=8, blocks=2)).fuse()
    plain = Student(channels=8, blocks=2, rep=False)
    plain.load_state_dict(fused.state_dict())
    x = torch.rand(1, 3, 16, 16)
    assert torch.equal(plain.eval()(x), fused(x))


def test_luma_mode_changes_only_luma():
    model = _perturbed(Student(color="luma"))
    x = torch.rand(1, 3, 16, 24)
    with torch.no_grad():
        delta = model(x) - x
    assert delta.abs().max() > 0
    # The same change on R, G and B: Cb and Cr (differences of R, B and Y) are untouched.
    assert torch.allclose(delta[:, 0], delta[:, 1]) and torch.allclose(delta[:, 1], delta[:, 2])


def test_features_size_and_errors():
    model = Student(channels=8, blocks=4, unshuffle=4, feature_taps=2)
    out, features = model(torch.rand(1, 3, 32, 32), with_features=True)
    assert out.shape == (1, 3, 32, 32)
    assert [name for name, _f in features] == ["block2", "block4"]
    assert all(f.shape == (1, 8, 8, 8) for _n, f in features)
    assert parameter_count(model) > 0 and conv_macs(model) > 0
    for bad in ({"unshuffle": 3}, {"color": "yuv"}, {"block": "wide"}, {"attention": "global"}, {"blocks": 0}):
        with pytest.raises(ValueError):
            Student(**bad)
    with pytest.raises(ValueError, match="odd"):
        RepConv(4, 4, kernel_size=2)


@pytest.mark.parametrize("stem", ["strided", "space_to_depth"])
@pytest.mark.parametrize(
    ("color", "unshuffle", "head_kernel"), [("luma", 4, 3), ("luma", 2, 1), ("luma", 8, 1), ("rgb", 4, 3)]
)
def test_frame_graph_matches_forward(color, unshuffle, head_kernel, stem):
    """forward_frame (uint8 NHWC, either inference stem) rounds forward's output."""
    torch.manual_seed(0)
    model = Student(channels=8, blocks=2, unshuffle=unshuffle, color=color, head_kernel=head_kernel)
    for p in model.tail.parameters():
        torch.nn.init.normal_(p, std=0.02)
    model.eval()
    frame = torch.randint(0, 256, (1, 48, 64, 3), dtype=torch.uint8)
    with torch.no_grad():
        expected = model(frame.permute(0, 3, 1, 2).float() / 255.0).clamp(0, 1) * 255.0 + 0.5
        expected = expected.to(torch.uint8).permute(0, 2, 3, 1)
        got = model.forward_frame(frame, stem)  # unfused: the head's branches are fused on the fly
    assert got.dtype == torch.uint8 and got.shape == frame.shape
    assert (got.int() - expected.int()).abs().max() <= 1
    assert (got == expected).float().mean() >= 0.999
    assert not torch.equal(got, frame)


def test_refine_stage_starts_as_the_identity_and_needs_unshuffle_4():
    model = Student(channels=8, blocks=1, refine=4).eval()
    x = torch.rand(1, 3, 32, 48)
    with torch.no_grad():
        assert torch.equal(model(x), x)
    assert model.tail.out_channels == 16 and model.refine.out_channels == 4
    with pytest.raises(ValueError, match="refine needs unshuffle 4"):
        Student(unshuffle=2, refine=4)


def test_head_and_tail_kernels():
    model = Student(channels=8, blocks=1, head_kernel=1, tail_kernel=1)
    assert model.head.kernel_size == 1 and model.tail.kernel_size == 1
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        assert torch.equal(model.eval()(x), x)  # the identity at step 0, as with 3 x 3
    with pytest.raises(ValueError, match="kernels must be 1 or 3"):
        Student(tail_kernel=5)
    with pytest.raises(ValueError, match="stem must be"):
        model.correction(x[:, :1], stem="folded")


def test_dilated_blocks_see_further_for_the_same_macs():
    def make(dilations):
        return _perturbed(Student(channels=8, blocks=2, block="mixed", rep=False, tail_kernel=1, dilations=dilations))

    near, far = make([1, 1]), make([1, 3])
    assert far.body[1].conv1.dilation == (3, 3) and far.body[0].conv1.dilation == (1, 1)
    assert conv_macs(far) == conv_macs(near)
    # Views of +-3 and +-5 cells of 4 pixels about output cell (8, 8): a pixel 4 cells away
    # reaches it only through the dilated block.
    x = torch.rand(1, 3, 64, 64)
    moved = x.clone()
    moved[0, :, 33, 49] = 1.0 - moved[0, :, 33, 49]
    with torch.no_grad():
        for model, reaches in ((near, False), (far, True)):
            change = (model(moved) - model(x))[0, :, 32:36, 32:36].abs().max()
            assert (change > 0) == reaches
    frame = torch.randint(0, 256, (1, 48, 64, 3), dtype=torch.uint8)
    with torch.no_grad():  # the inference graph dilates alike
        expected = (far(frame.permute(0, 3, 1, 2).float() / 255.0).clamp(0, 1) * 255.0 + 0.5).to(torch.uint8)
        assert (far.forward_frame(frame).int() - expected.permute(0, 2, 3, 1).int()).abs().max() <= 1
    with pytest.raises(ValueError, match="one per block"):
        Student(blocks=2, rep=False, dilations=[1, 2, 3])
    with pytest.raises(ValueError, match="rep to false"):
        Student(blocks=2, rep=True, dilations=[1, 2])


def test_leaky_units_pass_negative_responses_on():
    """With a negative slope every ReLU leaks; the slope is part of the config that rebuilds
    the network (fused, exported)."""
    plain, leaky = (_perturbed(Student(channels=8, blocks=2, block="dense", negative_slope=s)) for s in (0.0, 0.1))
    leaky.load_state_dict(plain.state_dict())
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        assert not torch.allclose(plain(x), leaky(x))
    assert Student(**leaky.config).negative_slope == 0.1 and all(b.negative_slope == 0.1 for b in leaky.body)


def test_linear_head_passes_the_heads_negative_values_to_the_body():
    """Without the head's ReLU the body sees what the head makes, negative values included;
    the choice is part of the config that rebuilds the network."""
    plain, linear = (_perturbed(Student(channels=8, blocks=1, block="dense", linear_head=h)) for h in (False, True))
    linear.load_state_dict(plain.state_dict())
    x = torch.rand(1, 3, 16, 16)
    head_out = plain.head(torch.nn.functional.pixel_unshuffle(x[:, :1], 4))
    assert (head_out < 0).any()
    with torch.no_grad():
        assert not torch.allclose(plain(x), linear(x))
    assert Student(**linear.config).linear_head


def test_macs_of_an_unshuffle_8_student_at_1080_lines():
    """1080 lines halved are not a multiple of 8: counted on the frame itself, exactly."""
    model = Student(channels=16, blocks=2, unshuffle=8, block="dense", rep=False, head_kernel=1, tail_kernel=1)
    per_position = 64 * 16 + 2 * 2 * 9 * 16 * 16 + 16 * 64
    assert conv_macs(model, 1080, 1920) == per_position * (1080 // 8) * (1920 // 8)
