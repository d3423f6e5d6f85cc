"""The PyTorch peer definitions build, run and export without their weights."""

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the train extra")

from crispcall.methods.peers import PEERS  # noqa: E402
from crispcall.models.peers import PEER_BUILDERS  # noqa: E402


@pytest.mark.parametrize("name", sorted(n for n, s in PEERS.items() if s.runtime == "onnx"))
def test_architecture_doubles_size(name):
    model = PEER_BUILDERS[PEERS[name].build]().eval()
    with torch.no_grad():
        out = model(torch.rand(1, 3, 24, 36))
    assert out.shape == (1, 3, 48, 72)
