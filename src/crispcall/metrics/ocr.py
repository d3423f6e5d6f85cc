"""Text legibility: character error rate of Tesseract OCR against the ground truth's text, and
an order-free word error beside it."""

from __future__ import annotations

import os
import shutil
from collections import Counter

import numpy as np
from rapidfuzz.distance import Levenshtein

from crispcall.degrade.checks import check_rgb
from crispcall.errors import Unavailable


class OcrUnavailable(Unavailable):
    """Tesseract is not installed."""


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_text(image: np.ndarray) -> str:
    """Tesseract's text of an RGB image (English, default page segmentation)."""
    check_rgb(image)
    if not tesseract_available():
        raise OcrUnavailable("tesseract is not installed (Debian: apt-get install tesseract-ocr)")
    import pytesseract  # imported here: it is only needed where OCR is scored

    # Tesseract's own OpenMP threads fight the caller's threads on small machines; callers
    # that want parallel OCR run several single-threaded Tesseracts instead.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return pytesseract.image_to_string(image, lang="eng")


def _normalise(text: str) -> str:
    # Line breaks and runs of spaces depend on layout analysis, not on legibility.
    return " ".join(text.split())


def character_error_rate(hypothesis: str, reference: str) -> float:
    """Levenshtein distance over reference length, after collapsing whitespace."""
    hyp, ref = _normalise(hypothesis), _normalise(reference)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(hyp, ref) / len(ref)


def word_error(hypothesis: str, reference: str) -> float:
    """1 minus the Dice overlap of the two texts' word multisets. Blind to word order: where
    Tesseract's layout analysis takes a page's blocks in another order than the reference's
    reading (or interleaves two columns line by line), the CER counts every moved block as
    edits and this counts nothing; a word missed, misread or added counts either way."""
    hyp, ref = Counter(hypothesis.split()), Counter(reference.split())
    total = hyp.total() + ref.total()
    if not total:
        return 0.0
    return 1.0 - 2.0 * (hyp & ref).total() / total


def ocr_errors(output: np.ndarray, reference_text: str) -> tuple[float, float]:
    """The CER and the word error of one Tesseract reading of ``output`` against ``reference_text``."""
    text = ocr_text(output)
    return character_error_rate(text, reference_text), word_error(text, reference_text)
