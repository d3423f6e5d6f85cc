"""The interface every restoration method in the registry implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np

from crispcall.degrade.presets import Degraded
from crispcall.errors import InputError, Unavailable

if TYPE_CHECKING:
    from crispcall.runtime.i420 import I420Sharpener


class MethodUnavailable(Unavailable):
    """A method cannot run here (missing weights, runtime or optional dependency)."""


class Method(ABC):
    """A frame restorer.

    Same-size methods (``low_input`` False) map the upscaled degraded frame to a frame of
    the same size. Super-resolution peers (``low_input`` True) take the low-resolution
    frame the call delivered and enlarge it by ``scale``.
    """

    name: str = ""
    low_input: bool = False
    scale: int = 1
    macs_per_pixel: float | None = None  # per input pixel, when known (crispcall bench's peak fraction)
    precision: str = "fp32"
    graph: str | None = None  # the model file its RGB frame path runs, when it runs one (a luma twin, say)
    # The same restorer on a decoded frame's yuv420p planes, where the method has one
    # (:class:`~crispcall.runtime.i420.I420Sharpener`); crispcall video then skips RGB.
    i420: I420Sharpener | None = None

    @abstractmethod
    def run(self, image: np.ndarray) -> np.ndarray:
        """The method's own frame path: RGB uint8 in, RGB uint8 out."""

    def restore(self, degraded: Degraded) -> np.ndarray:
        """The output for a degraded test frame, at the ground truth's size.

        A x2 peer at a x3 preset enlarges the low-resolution frame x2 and the result is
        resized bilinearly to the target, as a player would finish the job.
        """
        if not self.low_input:
            return self.run(degraded.frame)
        return degraded.shown(self.run(degraded.low))

    def reset(self) -> None:  # noqa: B027 (a hook: stateless methods have nothing to forget)
        """Forget any state carried from frame to frame: called at the start of each stream."""


TEMPORAL_SUFFIX = "+temporal"


class TemporalMethod(Method):
    """``inner`` followed by :class:`~crispcall.runtime.temporal.TemporalBlend`; call
    :meth:`reset` at the start of each stream."""

    def __init__(self, inner: Method):
        from crispcall.runtime.temporal import TemporalBlend

        if inner.low_input:
            raise InputError(f"{inner.name}: the temporal blend needs a same-size method")
        self.inner, self.blend = inner, TemporalBlend()
        self.name = inner.name + TEMPORAL_SUFFIX

    def reset(self) -> None:
        self.blend.reset()

    def run(self, image: np.ndarray) -> np.ndarray:
        return self.blend(image, self.inner.run(image))


UPSCALED_ONLY_SUFFIX = "+upscaled-only"


class UpscaledOnlyMethod(Method):
    """``inner`` on the frames a call delivered below the display size; a frame that arrived
    at display size is shown as received. A sender at a good bitrate sends full-size frames
    that are already clean, which a network trained to undo upscaling only degrades; the
    browser's worker (web/sharpen-worker.js) does the same."""

    def __init__(self, inner: Method):
        self.inner = inner
        self.name = inner.name + UPSCALED_ONLY_SUFFIX
        self.low_input, self.scale = inner.low_input, inner.scale
        self.macs_per_pixel, self.precision = inner.macs_per_pixel, inner.precision

    def reset(self) -> None:
        self.inner.reset()

    def run(self, image: np.ndarray) -> np.ndarray:
        return self.inner.run(image)

    def restore(self, degraded: Degraded) -> np.ndarray:
        if degraded.low.shape[:2] == degraded.frame.shape[:2]:
            return degraded.frame
        return self.inner.restore(degraded)
