"""Restoration losses: L1, L2, SSIM (pytorch-msssim) and an edge term on Sobel gradients."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from pytorch_msssim import ssim
from torch import nn

from crispcall.models.student import BT601

_SOBEL_X = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 8.0


def sobel(x: torch.Tensor) -> torch.Tensor:
    """Horizontal and vertical Sobel responses of every channel, stacked on the channel axis."""
    channels = x.shape[1]
    kernel = torch.stack([_SOBEL_X, _SOBEL_X.T]).to(x)[:, None].repeat(channels, 1, 1, 1)
    return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), kernel, groups=channels)


def full_precision(like: torch.Tensor) -> torch.autocast:
    """A context where float32 stays float32 under a training step's bfloat16 autocast: loss
    terms compare nearly equal images (SSIM's variances are differences of squares), which
    bfloat16's 8-bit mantissa rounds to noise and to NaN."""
    return torch.autocast(like.device.type, enabled=False)


def to_luma(images: torch.Tensor) -> torch.Tensor:
    """BT.601 luma (N x 1 x H x W) of N x 3 x H x W RGB images, on their scale."""
    return (images * images.new_tensor(BT601).view(1, 3, 1, 1)).sum(1, keepdim=True)


class RestorationLoss(nn.Module):
    """``l1 * L1 + l2 * MSE + ssim * (1 - SSIM) + gradient * L1(sobel)``; terms weighted 0 are
    skipped. With ``luma``, every term compares the images' luma only: what PSNR scores, and
    all a luma-only student changes (on RGB, the target's chroma, which it cannot reach, pulls
    its luma towards the plain mean of the three channels' errors).

    Inputs are N x 3 x H x W in [0, 1]. Returns the total and each term (detached) for logs.
    """

    def __init__(self, l1: float = 1.0, ssim: float = 0.0, gradient: float = 0.0, l2: float = 0.0, luma: bool = False):
        super().__init__()
        self.weights = {"l1": l1, "l2": l2, "ssim": ssim, "gradient": gradient}
        self.luma = luma

    def compared(self, images: torch.Tensor) -> torch.Tensor:
        """What the terms compare of N x 3 x H x W images: their luma, or the images."""
        return to_luma(images) if self.luma else images

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        with full_precision(output):
            output, target = self.compared(output.float()), self.compared(target.float())
            terms: dict[str, torch.Tensor] = {}
            if self.weights["l1"]:
                terms["l1"] = F.l1_loss(output, target)
            if self.weights["l2"]:
                terms["l2"] = F.mse_loss(output, target)
            if self.weights["ssim"]:
                terms["ssim"] = 1.0 - ssim(output, target, data_range=1.0, size_average=True)
            if self.weights["gradient"]:
                terms["gradient"] = F.l1_loss(sobel(output), sobel(target))
            total = sum(self.weights[name] * value for name, value in terms.items())
        return total, {name: float(value.detach()) for name, value in terms.items()}
