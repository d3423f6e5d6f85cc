"""Synthetic screen-share content: slides, documents, code, spreadsheets and chat windows.

Each image is rendered with system TrueType fonts in one of several colour schemes at 720p
or 1080p, and its text is saved beside it (same stem, ``.txt``) in reading order, so that
OCR of a restored frame can be scored against what was really drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from tqdm import tqdm

from crispcall.errors import InputError, Unavailable
from crispcall.files import written_whole

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
SIZES = ((1280, 720), (1920, 1080))
KINDS = ("slide", "document", "code", "spreadsheet", "chat")

WORDS = tuple(
    """
    the quality of every call depends on bandwidth latency and the codec that carries each frame
    when packets are lost the decoder conceals the missing blocks from their neighbours so the
    picture stays whole but edges soften and text becomes hard to read our quarterly review shows
    revenue growth in three regions while costs fell after the migration to the new platform
    please share your screen so the team can see the roadmap budget schedule and open risks
    meeting notes action items owner status deadline project design research customer support
    engineering marketing finance sales report summary analysis results method data model network
    training evaluation benchmark speed memory accuracy figure table section chapter appendix
    """.split()
)
NAMES = ("Alex", "Sam", "Priya", "Chen", "Maria", "Jonas", "Aisha", "Tom", "Yuki", "Omar", "Lena")
KEYWORDS = ("def", "return", "for", "in", "if", "else", "import", "from", "class", "while", "with")
IDENTIFIERS = (
    "frame",
    "model",
    "buffer",
    "width",
    "height",
    "scale",
    "result",
    "config",
    "index",
    "count",
    "stream",
    "packet",
    "decoder",
    "output",
    "value",
    "image",
    "batch",
    "loss",
)


@dataclass(frozen=True)
class Scheme:
    background: tuple[int, int, int]
    text: tuple[int, int, int]
    accent: tuple[int, int, int]
    muted: tuple[int, int, int]
    panel: tuple[int, int, int]


SCHEMES = (
    Scheme((255, 255, 255), (20, 20, 20), (25, 103, 210), (110, 110, 110), (240, 242, 245)),
    Scheme((30, 30, 30), (212, 212, 212), (86, 156, 214), (128, 128, 128), (45, 45, 48)),
    Scheme((253, 246, 227), (88, 110, 117), (38, 139, 210), (147, 161, 161), (238, 232, 213)),
    Scheme((0, 43, 54), (147, 161, 161), (181, 137, 0), (88, 110, 117), (7, 54, 66)),
    Scheme((250, 250, 250), (0, 0, 0), (200, 30, 60), (90, 90, 90), (225, 235, 250)),
    Scheme((18, 32, 56), (235, 240, 250), (255, 170, 50), (150, 160, 180), (30, 48, 80)),
)


@cache
def discover_fonts() -> dict[str, tuple[str, ...]]:
    """System TrueType fonts by style: ``sans``, ``serif`` and ``mono``."""
    found: dict[str, list[str]] = {"sans": [], "serif": [], "mono": []}
    for root in FONT_DIRS:
        for path in sorted(Path(root).rglob("*.ttf")) if Path(root).is_dir() else []:
            name = path.name.lower()
            if any(s in name for s in ("math", "symbol", "emoji", "extralight")):
                continue
            style = "mono" if "mono" in name else "serif" if "serif" in name else "sans"
            found[style].append(str(path))
    missing = [style for style, paths in found.items() if not paths]
    if missing:
        raise Unavailable(
            f"no {'/'.join(missing)} TrueType fonts found under {', '.join(FONT_DIRS)}; "
            "install fonts-dejavu-core and fonts-liberation2 (make setup does)"
        )
    return {style: tuple(paths) for style, paths in found.items()}


def _font(rng: np.random.Generator, style: str, size: int) -> ImageFont.FreeTypeFont:
    fonts = discover_fonts()[style]
    return ImageFont.truetype(fonts[int(rng.integers(len(fonts)))], size)


def _words(rng: np.random.Generator, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS, int(rng.integers(low, high + 1))))


def _sentence(rng: np.random.Generator, low: int = 6, high: int = 16) -> str:
    text = _words(rng, low, high)
    return text[0].upper() + text[1:] + "."


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.getlength(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


class Canvas:
    """A drawing surface that records every string it draws, in order."""

    def __init__(self, size: tuple[int, int], scheme: Scheme):
        self.image = Image.new("RGB", size, scheme.background)
        self.draw = ImageDraw.Draw(self.image)
        self.scheme = scheme
        self.lines: list[str] = []

    def text(self, xy: tuple[float, float], text: str, font: ImageFont.FreeTypeFont, fill=None) -> None:
        self.draw.text(xy, text, font=font, fill=fill or self.scheme.text)
        self.lines.append(text)

    def paragraph(self, x: float, y: float, text: str, font, width: float, bottom: float) -> float:
        """Draw ``text`` wrapped to ``width``; return the y below it (stops at ``bottom``)."""
        step = font.size * 1.35
        for line in _wrap(text, font, width):
            if y + step > bottom:
                break
            self.text((x, y), line, font)
            y += step
        return y


def _slide(canvas: Canvas, rng: np.random.Generator) -> None:
    width, height = canvas.image.size
    s = canvas.scheme
    margin = width * 0.07
    canvas.draw.rectangle((0, 0, width, height * 0.16), fill=s.panel)
    title = _font(rng, "sans", int(height * rng.uniform(0.05, 0.08)))
    canvas.text((margin, height * 0.04), _words(rng, 3, 6).title(), title, s.accent)
    body = _font(rng, str(rng.choice(["sans", "serif"])), int(height * rng.uniform(0.03, 0.045)))
    y = height * 0.24
    text_width = width * (0.5 if rng.random() < 0.5 else 0.85) - margin
    for _ in range(int(rng.integers(3, 7))):
        canvas.draw.ellipse(
            (margin, y + body.size * 0.35, margin + body.size * 0.3, y + body.size * 0.65), fill=s.accent
        )
        y = canvas.paragraph(margin + body.size, y, _sentence(rng, 4, 12), body, text_width, height * 0.92)
        y += body.size * 0.5
    if text_width < width * 0.6:  # a bar chart beside the bullets
        left, base = width * 0.6, height * 0.85
        bars = rng.uniform(0.1, 0.55, int(rng.integers(3, 7)))
        bar_width = width * 0.3 / len(bars)
        for i, value in enumerate(bars):
            x = left + i * bar_width
            canvas.draw.rectangle((x + 4, base - value * height, x + bar_width - 4, base), fill=s.accent)


def _document(canvas: Canvas, rng: np.random.Generator) -> None:
    width, height = canvas.image.size
    page_left, page_right = width * rng.uniform(0.1, 0.25), width * rng.uniform(0.75, 0.9)
    canvas.draw.rectangle((0, 0, width, height * 0.05), fill=canvas.scheme.panel)
    canvas.draw.rectangle((0, height * 0.05, width * 0.05, height), fill=canvas.scheme.panel)
    style = str(rng.choice(["serif", "sans"]))
    heading = _font(rng, style, int(height * rng.uniform(0.03, 0.045)))
    body = _font(rng, style, int(height * rng.uniform(0.016, 0.026)))
    y = height * 0.09
    canvas.text((page_left, y), _words(rng, 2, 5).title(), heading, canvas.scheme.accent)
    y += heading.size * 1.8
    while y < height * 0.9:
        paragraph = " ".join(_sentence(rng) for _ in range(int(rng.integers(2, 5))))
        y = canvas.paragraph(page_left, y, paragraph, body, page_right - page_left, height * 0.95)
        y += body.size


def _code(canvas: Canvas, rng: np.random.Generator) -> None:
    height = canvas.image.size[1]
    s = canvas.scheme
    mono = _font(rng, "mono", int(height * rng.uniform(0.015, 0.025)))
    step = mono.size * 1.4
    gutter = mono.getlength("0000 ")
    canvas.draw.rectangle((0, 0, gutter, height), fill=s.panel)
    indent, y, number = 0, mono.size * 0.8, 1
    while y + step < height:
        kind = rng.random()
        if kind < 0.15 and indent < 3:
            line = f"{rng.choice(['def', 'for', 'if', 'while', 'with'])} {rng.choice(IDENTIFIERS)}:"
        elif kind < 0.3:
            line = f"return {rng.choice(IDENTIFIERS)}"
        elif kind < 0.4:
            line = f"# {_words(rng, 3, 8)}"
        else:
            args = ", ".join(rng.choice(IDENTIFIERS, int(rng.integers(1, 4))))
            line = f"{rng.choice(IDENTIFIERS)} = {rng.choice(IDENTIFIERS)}({args}) * {int(rng.integers(1, 999))}"
        text = "    " * indent + line
        canvas.draw.text((mono.size * 0.3, y), f"{number:>3}", font=mono, fill=s.muted)
        colour = s.muted if line.startswith("#") else s.accent if line.split()[0] in KEYWORDS else s.text
        canvas.text((gutter, y), text, mono, colour)
        indent = indent + 1 if line.endswith(":") else max(0, indent - int(rng.random() < 0.3))
        y += step
        number += 1


def _spreadsheet(canvas: Canvas, rng: np.random.Generator) -> None:
    width, height = canvas.image.size
    s = canvas.scheme
    font = _font(rng, "sans", int(height * rng.uniform(0.015, 0.022)))
    row_h = font.size * 1.7
    columns = int(rng.integers(5, 10))
    col_w = width / columns
    headers = [w.title() for w in rng.choice(WORDS, columns, replace=False)]
    canvas.draw.rectangle((0, 0, width, row_h), fill=s.panel)
    for c, header in enumerate(headers):
        canvas.draw.text((c * col_w + font.size * 0.4, font.size * 0.3), header, font=font, fill=s.accent)
    canvas.lines.append(" ".join(headers))
    y = row_h
    while y + row_h < height:
        cells = [str(rng.choice(NAMES)) if c == 0 else f"{rng.uniform(0, 10000):,.2f}" for c in range(columns)]
        for c, cell in enumerate(cells):
            canvas.draw.text((c * col_w + font.size * 0.4, y + font.size * 0.3), cell, font=font, fill=s.text)
        canvas.lines.append(" ".join(cells))
        canvas.draw.line((0, y, width, y), fill=s.muted, width=1)
        y += row_h
    for c in range(1, columns):
        canvas.draw.line((c * col_w, 0, c * col_w, height), fill=s.muted, width=1)


def _chat(canvas: Canvas, rng: np.random.Generator) -> None:
    width, height = canvas.image.size
    s = canvas.scheme
    sidebar = width * 0.22
    canvas.draw.rectangle((0, 0, sidebar, height), fill=s.panel)
    small = _font(rng, "sans", int(height * rng.uniform(0.018, 0.024)))
    y = small.size
    for name in rng.choice(NAMES, 6, replace=False):
        canvas.text((small.size, y), str(name), small)
        y += small.size * 2.2
    body = _font(rng, "sans", int(height * rng.uniform(0.02, 0.028)))
    y = body.size
    while y < height * 0.85:
        mine = rng.random() < 0.4
        lines = _wrap(_sentence(rng, 3, 18), body, width * 0.4)
        box_h = body.size * (1.35 * len(lines) + 2.2)
        if y + box_h > height * 0.95:
            break
        left = width * 0.5 if mine else sidebar + body.size
        canvas.draw.rounded_rectangle(
            (left, y, left + width * 0.44, y + box_h), radius=body.size // 2, fill=s.accent if mine else s.panel
        )
        canvas.text((left + body.size * 0.5, y + body.size * 0.3), str(rng.choice(NAMES)), small, s.muted)
        for i, line in enumerate(lines):
            fill = s.background if mine else s.text
            canvas.text((left + body.size * 0.5, y + body.size * (1.4 + 1.35 * i)), line, body, fill)
        y += box_h + body.size * 0.8


RENDERERS: dict[str, Callable[[Canvas, np.random.Generator], None]] = {
    "slide": _slide,
    "document": _document,
    "code": _code,
    "spreadsheet": _spreadsheet,
    "chat": _chat,
}


def render_screen(
    rng: np.random.Generator, kind: str | None = None, size: tuple[int, int] | None = None
) -> tuple[np.ndarray, str]:
    """One screen as H x W x 3 uint8 RGB, and the text drawn on it (one line each)."""
    kind = kind or str(rng.choice(KINDS))
    if kind not in RENDERERS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    size = size or SIZES[int(rng.integers(len(SIZES)))]
    canvas = Canvas(size, SCHEMES[int(rng.integers(len(SCHEMES)))])
    RENDERERS[kind](canvas, rng)
    return np.asarray(canvas.image), "\n".join(canvas.lines)


def generate_screens(out_dir: str | Path, count: int, seed: int = 0, progress: bool = True) -> list[Path]:
    """Write ``count`` screens (``screen_NNNNN_<kind>.png`` with a ``.txt`` beside each).

    Screen ``i`` depends only on (seed, i), and kinds take turns, so a larger count extends a
    smaller one. Each file is written under a temporary name and renamed when complete.
    """
    if count < 1:
        raise InputError(f"count must be >= 1, got {count}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i in tqdm(range(count), desc="screens", disable=not progress):
        kind = KINDS[i % len(KINDS)]
        image, text = render_screen(np.random.default_rng((seed, i)), kind)
        stem = out_dir / f"screen_{i:05d}_{kind}"
        # Text first, image last: a PNG on disk always has its text beside it.
        with written_whole(stem.with_suffix(".txt")) as partial:
            partial.write_text(text + "\n")
        with written_whole(stem.with_suffix(".png")) as partial:
            Image.fromarray(image).save(partial, format="PNG")
        written.append(stem.with_suffix(".png"))
    return written
