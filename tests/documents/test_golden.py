"""Golden images: each template rendered by the pinned renderer (pdftoppm, grey, 72 dpi), blurred, compared.

Image comparison checks layout only (documents.md §6.9): after a 1-pixel blur, anti-aliasing noise between
renderers moves at most a few dozen pixels of a 24×24 tile, while a 1 mm shift moves hundreds. Content is
checked by the text round-trip tests. Regenerate after an intended layout change with

    FZ_REGENERATE_GOLDENS=1 .venv/bin/pytest tests/documents/test_golden.py

and look at the new PNGs before committing them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter

from fzmediate.documents import layout
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.render import render_pdf
from tests.documents.pdftools import render_pages

GOLDEN = Path(__file__).parent / "golden"
DPI = 72
PAGES = {"agreement": 3, "guide": 3}
TILE = 24
PIXEL_THRESHOLD = 64
MAX_TILE_PIXELS = 60
MAX_FRACTION = 0.005
REGENERATE = os.environ.get("FZ_REGENERATE_GOLDENS") == "1"


@dataclass(frozen=True)
class Difference:
    fraction: float
    worst_tile: int

    @property
    def same_layout(self) -> bool:
        return self.fraction <= MAX_FRACTION and self.worst_tile <= MAX_TILE_PIXELS


def compare(expected: Image.Image, actual: Image.Image) -> Difference:
    expected, actual = expected.convert("L"), actual.convert("L")
    if expected.size != actual.size:
        return Difference(1.0, TILE * TILE)
    blur = ImageFilter.GaussianBlur(1)
    diff = ImageChops.difference(expected.filter(blur), actual.filter(blur)).point(
        lambda v: 255 if v > PIXEL_THRESHOLD else 0
    )
    width, height = diff.size
    total = diff.histogram()[255]
    worst = 0
    for top in range(0, height, TILE):
        for left in range(0, width, TILE):
            worst = max(worst, diff.crop((left, top, left + TILE, top + TILE)).histogram()[255])
    return Difference(total / (width * height), worst)


def _store(page: Image.Image, path: Path) -> None:
    """16 grey levels in a 4-bit PNG: a quarter of the size, and the error (at most 15) stays far below the
    comparison threshold."""
    levels = page.point(lambda v: (v // 16) * 17)
    levels.quantize(16, dither=Image.Dither.NONE).save(path, optimize=True, bits=4)


def _pages(spec: DocumentSpec, name: str) -> list[Image.Image]:
    return render_pages(render_pdf(spec), DPI, 1, PAGES[name])


def _golden(name: str, number: int) -> Path:
    return GOLDEN / "{0}-{1}.png".format(name, number)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_layout_matches_the_golden_images(name: str, request: pytest.FixtureRequest) -> None:
    spec: DocumentSpec = request.getfixturevalue(name)
    pages = _pages(spec, name)
    assert len(pages) == PAGES[name]
    for number, page in enumerate(pages, start=1):
        path = _golden(name, number)
        if REGENERATE:
            GOLDEN.mkdir(exist_ok=True)
            _store(page, path)
            continue
        assert path.is_file(), "missing golden {0}: run with FZ_REGENERATE_GOLDENS=1".format(path.name)
        difference = compare(Image.open(path).convert("L"), page)
        assert difference.same_layout, "{0} page {1}: {2}".format(name, number, difference)


@pytest.mark.parametrize(
    ("shift", "dx", "dy"), [("right", 1.0, 0.0), ("down", 0.0, 1.0)], ids=["1mm-right", "1mm-down"]
)
def test_a_1mm_layout_shift_is_caught(
    shift: str, dx: float, dy: float, agreement: DocumentSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    if REGENERATE:
        pytest.skip("regenerating goldens")
    mm = layout.MM
    monkeypatch.setattr(layout, "BLOCK_LEFT", layout.BLOCK_LEFT + dx * mm)
    monkeypatch.setattr(layout, "BLOCK_RIGHT", layout.BLOCK_RIGHT + dx * mm)
    monkeypatch.setattr(layout, "BLOCK_TOP", layout.BLOCK_TOP - dy * mm)
    monkeypatch.setattr(layout, "BLOCK_BOTTOM", layout.BLOCK_BOTTOM - dy * mm)
    shifted = _pages(agreement, "agreement")[0]
    difference = compare(Image.open(_golden("agreement", 1)).convert("L"), shifted)
    assert not difference.same_layout, difference
