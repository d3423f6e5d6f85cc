"""The peer super-resolution models of ``shared/peers``, run side by side with ours.

Weights are read from a directory the user gives (``--peers``, ``$CRISPCALL_PEERS``, then
``../shared/peers``); nothing is shipped. Three runtimes serve them:

- OpenCV ``dnn_superres`` for the frozen TensorFlow graphs (ESPCN, FSRCNN, LapSRN);
- ncnn for the ncnn exports (waifu2x, Real-ESRGAN compact);
- ONNX Runtime for the PyTorch checkpoints, exported once to ONNX with our own definitions
  of their architectures (``crispcall.models.peers``); exporting needs PyTorch, running the
  cached export does not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from crispcall.degrade.checks import check_rgb
from crispcall.methods.base import Method, MethodUnavailable
from crispcall.paths import cache_dir
from crispcall.runtime import Sharpener


@dataclass(frozen=True)
class PeerSpec:
    """Where a peer's weights are and which runtime runs them.

    Args:
        files: paths under the peers directory; the first is the weight file.
        runtime: ``opencv``, ``ncnn`` or ``onnx``.
        algo: OpenCV ``dnn_superres`` algorithm name (opencv only).
        pad: context pixels the network consumes per side (ncnn only).
        value_range: 1 or 255, the scale the network expects its RGB input on (onnx only).
        build: architecture builder from ``crispcall.models.peers`` (onnx only).
    """

    files: tuple[str, ...]
    runtime: str
    algo: str = ""
    pad: int = 0
    value_range: float = 1.0
    build: str = ""


PEERS: dict[str, PeerSpec] = {
    "espcn": PeerSpec(("espcn/ESPCN_x2.pb",), "opencv", algo="espcn"),
    "fsrcnn": PeerSpec(("fsrcnn/FSRCNN_x2.pb",), "opencv", algo="fsrcnn"),
    "fsrcnn-small": PeerSpec(("fsrcnn/FSRCNN-small_x2.pb",), "opencv", algo="fsrcnn"),
    "lapsrn": PeerSpec(("lapsrn/LapSRN_x2.pb",), "opencv", algo="lapsrn"),
    "imdn": PeerSpec(("imdn/IMDN_x2.pth",), "onnx", build="imdn"),
    "imdn-rtc": PeerSpec(("imdn/model_RTC.pth",), "onnx", build="imdn-rtc"),
    "imdn-rte": PeerSpec(("imdn/model_RTE.pth",), "onnx", value_range=255.0, build="imdn-rte"),
    "carn-m": PeerSpec(("carn/carn_m.pth",), "onnx", build="carn-m"),
    "pan": PeerSpec(("pan/PANx2_DF2K.pth",), "onnx", build="pan"),
    "rlfn": PeerSpec(("rlfn/rlfn_x2.pth",), "onnx", value_range=255.0, build="rlfn"),
    "rlfn-s": PeerSpec(("rlfn/rlfn_s_x2.pth",), "onnx", value_range=255.0, build="rlfn-s"),
    "waifu2x": PeerSpec(("waifu2x/scale2.0x_model.bin", "waifu2x/scale2.0x_model.param"), "ncnn", pad=7),
    "waifu2x-noise1": PeerSpec(("waifu2x/noise1_scale2.0x_model.bin", "waifu2x/scale2.0x_model.param"), "ncnn", pad=7),
    "realesr-compact": PeerSpec(
        ("realesr_compact/realesr-animevideov3-x2.bin", "realesr_compact/realesr-animevideov3-x2.param"), "ncnn"
    ),
}


def available_peers(peers_dir: Path) -> list[str]:
    """Peers whose weight files are all present under ``peers_dir``."""
    return [name for name, spec in PEERS.items() if all((peers_dir / f).is_file() for f in spec.files)]


class OpenCvPeer(Method):
    low_input, scale = True, 2

    def __init__(self, name: str, spec: PeerSpec, peers_dir: Path, threads: int):
        self.name = name
        cv2.setNumThreads(threads)
        self.model = cv2.dnn_superres.DnnSuperResImpl_create()
        self.model.readModel(str(peers_dir / spec.files[0]))
        self.model.setModel(spec.algo, 2)

    def run(self, image: np.ndarray) -> np.ndarray:
        bgr = cv2.cvtColor(check_rgb(image), cv2.COLOR_RGB2BGR)
        return cv2.cvtColor(self.model.upsample(bgr), cv2.COLOR_BGR2RGB)


class NcnnPeer(Method):
    low_input, scale = True, 2

    def __init__(self, name: str, spec: PeerSpec, peers_dir: Path, threads: int):
        import ncnn

        self.name, self.pad, self._ncnn = name, spec.pad, ncnn
        self.net = ncnn.Net()
        self.net.opt.use_vulkan_compute = False
        self.net.opt.num_threads = threads
        weights, param = (str(peers_dir / f) for f in spec.files)
        if self.net.load_param(param) or self.net.load_model(weights):
            raise MethodUnavailable(f"ncnn could not load {param} / {weights}")
        self.input_name, self.output_name = self.net.input_names()[0], self.net.output_names()[0]

    def run(self, image: np.ndarray) -> np.ndarray:
        height, width = check_rgb(image).shape[:2]
        if self.pad:
            image = cv2.copyMakeBorder(image, *(self.pad,) * 4, cv2.BORDER_REPLICATE)
        chw = np.ascontiguousarray(image.transpose(2, 0, 1), dtype=np.float32) / 255.0
        extractor = self.net.create_extractor()
        extractor.input(self.input_name, self._ncnn.Mat(chw))
        status, out = extractor.extract(self.output_name)
        if status:
            raise RuntimeError(f"ncnn failed on {self.name} (status {status})")
        out = np.asarray(out)[:, : 2 * height, : 2 * width]
        return np.clip(out.transpose(1, 2, 0) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def load_torch_peer(spec: PeerSpec, weights: Path):
    """The peer's PyTorch module with its published weights, in eval mode."""
    from crispcall.models.peers import load_peer  # imported here: PyTorch is optional

    return load_peer(spec.build, weights)


def export_torch_peer(spec: PeerSpec, weights: Path, out: Path) -> Path:
    """Export a PyTorch peer to an ONNX frame graph (uint8 NHWC RGB in and out)."""
    try:
        from crispcall.export.onnx import export_onnx
    except ImportError as error:
        raise MethodUnavailable(
            f"exporting {weights.name} to ONNX needs PyTorch once: pip install 'crispcall[train]'"
        ) from error
    return export_onnx(load_torch_peer(spec, weights), out, spec.value_range)


class OnnxPeer(Method):
    low_input, scale = True, 2

    def __init__(self, name: str, spec: PeerSpec, peers_dir: Path, threads: int):
        self.name = name
        weights = peers_dir / spec.files[0]
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
        onnx_path = cache_dir() / "peers" / f"{name}-{digest}-frame.onnx"
        if not onnx_path.is_file():
            export_torch_peer(spec, weights, onnx_path)
        self.sharpener = Sharpener(onnx_path, threads=threads)
        self.macs_per_pixel = self.sharpener.backend.macs_per_pixel

    def run(self, image: np.ndarray) -> np.ndarray:
        return self.sharpener(image)


RUNTIMES: dict[str, type[Method]] = {"opencv": OpenCvPeer, "ncnn": NcnnPeer, "onnx": OnnxPeer}


def create_peer(name: str, peers_dir: Path, threads: int) -> Method:
    spec = PEERS[name]
    missing = [f for f in spec.files if not (peers_dir / f).is_file()]
    if missing:
        raise MethodUnavailable(f"peer {name!r} needs {', '.join(missing)} under {peers_dir}")
    return RUNTIMES[spec.runtime](name, spec, peers_dir, threads)
