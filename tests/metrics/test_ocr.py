import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from crispcall.data.screens import discover_fonts
from crispcall.metrics import character_error_rate, ocr_cer, ocr_text
from crispcall.metrics.ocr import tesseract_available

TEXT = "Quarterly review shows revenue growth"


def test_character_error_rate():
    assert character_error_rate("hello world", "hello world") == 0.0
    assert character_error_rate("hello  world\n", "hello world") == 0.0
    assert character_error_rate("hxllo world", "hello world") == pytest.approx(1 / 11)
    assert character_error_rate("", "abc") == 1.0
    assert character_error_rate("", "") == 0.0


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
    assert ocr_cer(blurred, TEXT) > 0.3
