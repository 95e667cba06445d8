"""Reading PDFs back the way a reviewer would: poppler's command-line tools and pypdf."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pypdf
from PIL import Image

MM = 72.0 / 25.4
_WHITESPACE = re.compile(r"\s+")
_PAGE_NUMBER = re.compile(r"—\d+—")


def pdftotext(pdf: bytes, *args: str) -> str:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", *args, "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def squash(text: str) -> str:
    """Whitespace removed and page numbers (— 1 —) taken out: what must equal the source text."""
    return _PAGE_NUMBER.sub("", _WHITESPACE.sub("", text))


def pdffonts(pdf: bytes) -> list[dict[str, str]]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(["pdffonts", handle.name], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni objectID gen: the flags are the 5th-3rd items from the end.
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3], "line": line})
    return fonts


@dataclass(frozen=True)
class Word:
    page: int
    x0: float  # mm from the left edge
    y0: float  # mm from the top edge
    x1: float
    y1: float
    text: str


def words(pdf: bytes) -> list[Word]:
    """Every word with its box in millimetres, from `pdftotext -bbox`."""
    xhtml = pdftotext(pdf, "-bbox")
    root = ElementTree.fromstring(xhtml)
    found = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            box = [float(word.attrib[k]) / MM for k in ("xMin", "yMin", "xMax", "yMax")]
            found.append(Word(number, *box, word.text or ""))
    return found


def render_pages(pdf: bytes, dpi: int, first: int | None = None, last: int | None = None) -> list[Image.Image]:
    """Pages as 8-bit grey images, rendered by pdftoppm (the pinned renderer for golden images)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(pdf)
        command = ["pdftoppm", "-r", str(dpi), "-gray", "-png"]
        if first:
            command += ["-f", str(first)]
        if last:
            command += ["-l", str(last)]
        subprocess.run([*command, str(source), str(Path(tmp) / "p")], check=True)
        return [Image.open(path).convert("L") for path in sorted(Path(tmp).glob("p-*.png"))]
