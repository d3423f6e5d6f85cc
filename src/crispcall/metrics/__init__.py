"""Quality metrics per BENCHMARK.md."""

from crispcall.metrics.ocr import OcrUnavailable, character_error_rate, ocr_errors, ocr_text, word_error
from crispcall.metrics.quality import (
    FlickerMeter,
    agreement_psnr,
    chroma,
    chroma_psnr,
    edge_ratio,
    flicker,
    level_error,
    luma,
    luma_scores,
    psnr,
    psnr_ssim,
    sharpness,
    sharpness_ratio,
    ssim,
)

__all__ = [
    "FlickerMeter",
    "OcrUnavailable",
    "agreement_psnr",
    "character_error_rate",
    "chroma",
    "chroma_psnr",
    "edge_ratio",
    "flicker",
    "level_error",
    "luma",
    "luma_scores",
    "ocr_errors",
    "ocr_text",
    "psnr",
    "psnr_ssim",
    "sharpness",
    "sharpness_ratio",
    "ssim",
    "word_error",
]
