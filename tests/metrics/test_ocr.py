import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from crispcall.data.screens import discover_fonts
from crispcall.metrics import character_error_rate, ocr_errors, ocr_text, word_error
from crispcall.metrics.ocr import tesseract_available

TEXT = "Quarterly review shows revenue growth"


def test_character_error_rate():
    assert character_error_rate("hello world", "hello world") == 0.0
    assert character_error_rate("hello  world\n", "hello world") == 0.0
    assert character_error_rate("hxllo world", "hello world") == pytest.approx(1 / 11)
    assert character_error_rate("", "abc") == 1.0
    assert character_error_rate("", "") == 0.0


def test_word_error_ignores_order_and_counts_words():
    assert word_error("b a\nc", "a b c") == 0.0
    assert word_error("a b", "a b c d") == pytest.approx(1 - 4 / 6)
    assert word_error("a a b", "a b") == pytest.approx(1 - 4 / 5)  # a repeated word is an added word
    assert word_error("x y", "a b") == 1.0
    assert word_error("", "") == 0.0


def test_word_error_spares_blocks_read_in_another_order():
    reference = "first block text here second block words"
    reordered = "second block words first block text here"
    assert word_error(reordered, reference) == 0.0
    assert character_error_rate(reordered, reference) > 0.5


def _rendered(text: str) -> np.ndarray:
    image = Image.new("RGB", (720, 80), "white")
    font = ImageFont.truetype(discover_fonts()["sans"][0], 32)
    ImageDraw.Draw(image).text((10, 20), text, font=font, fill="black")
    return np.asarray(image)


@pytest.mark.skipif(not tesseract_available(), reason="tesseract-ocr is not installed (make setup installs it)")
def test_ocr_reads_clean_text_and_fails_on_blur():
    import cv2

    image = _rendered(TEXT)
    assert character_error_rate(ocr_text(image), TEXT) < 0.05
    blurred = cv2.resize(cv2.resize(image, (90, 10), interpolation=cv2.INTER_AREA), (720, 80))
    cer, words = ocr_errors(blurred, TEXT)
    assert cer > 0.3
    assert words > 0.3
    assert ocr_errors(image, TEXT)[1] < 0.2
