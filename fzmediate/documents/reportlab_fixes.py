"""Fixes to ReportLab 4.x/5.x that Chinese legal documents need, applied once per process (idempotent).

1. **ToUnicode beyond the BMP.** ``reportlab.pdfbase.ttfonts.makeToUnicodeCMap`` writes every mapping as
   ``<%04X>``, so U+20BB7 (𠮷) becomes ``<20BB7>``: an odd number of hex digits. Viewers then copy the
   character out as U+20BB ₻ (poppler) or drop it (pypdf). A ToUnicode destination must be UTF-16BE, i.e. a
   surrogate pair ``<D842DFB7>``; the replacement below writes that.
2. **避头尾 (line-start prohibitions).** ReportLab's CJK wrapping keeps a character from starting a line
   only if it is in ``ALL_CANNOT_START``, which lacks ，；：！？”’》〉 and others. The list lives in two
   modules (``reportlab.lib.textsplit`` for single-run paragraphs, ``reportlab.platypus.paragraph`` for the
   rest) and both are extended. Our own `fzmediate.documents.textflow` uses the same lists.

3. **Binary streams.** ``rl_config.useA85`` is switched off: ReportLab otherwise wraps every compressed stream
   in ASCII85, 25 % larger and encoded in pure Python (about 7 ms per document).
4. **Streams as PDF/A and qpdf want them.** ``PDFStream.format`` writes the (binary) data and ``endstream``
   right after it; PDF/A (ISO 19005-2 §6.1.7.1) wants an end-of-line marker between them, not counted in
   ``/Length``. It also writes one filter as an array, ``/Filter [ /FlateDecode ]``, which qpdf (pikepdf)
   does not recognise as already compressed: it inflates and deflates every such stream again when it saves,
   4× slower (the case file copies every issued page). `format_stream` is ReportLab's method with an EOL
   before ``endstream`` and a single filter written as a name. Issued documents are archived as ReportLab
   writes them (the pikepdf rewrite that used to normalise both is gone); drafts get the same.

The other two known traps are handled where documents are built, not by patching: the hidden non-embedded
Helvetica (every canvas gets a CJK TrueType ``initialFontName``) and non-deterministic output
(``invariant=1`` on every document).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Final

#: Characters that must not start a line (GB/T 15834 点号 and closing 标号, plus their ASCII look-alikes).
CANNOT_START: Final = "，。、；：？！”’）》〉」』】〕〗｝］…—·%‰℃,.;:?!)]}>"
#: Characters that must not end a line (opening 标号).
CANNOT_END: Final = "“‘（《〈「『【〔〖｛［([{<"

_lock = threading.Lock()
_applied = False


def to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """A ToUnicode CMap for one ReportLab subset, with UTF-16BE destinations (surrogate pairs above U+FFFF).

    The private-use half-width forms of the body face (标点挤压, `fonts.HALF_WIDTH`) map to the marks they
    stand for, so a compressed ``）。`` still copies out as ``）。``.
    """
    from fzmediate.documents.fonts import HALF_WIDTH_SOURCE

    entries = [
        "<{0:02X}> <{1}>".format(code, _utf16_hex(HALF_WIDTH_SOURCE.get(value, value)))
        for code, value in enumerate(subset)
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            "<< /Registry ({0})".format(fontname),
            "/Ordering ({0})".format(fontname),
            "/Supplement 0",
            ">> def",
            "/CMapName /{0} def".format(fontname),
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<00> <{0:02X}>".format(len(subset) - 1),
            "endcodespacerange",
        ]
        # A bfchar section may hold at most 100 entries (PDF 32000-1 §9.10.3).
        + [
            line
            for start in range(0, len(entries), 100)
            for line in (
                "{0} beginbfchar".format(len(entries[start : start + 100])),
                *entries[start : start + 100],
                "endbfchar",
            )
        ]
        + ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    )


def _utf16_hex(value: int) -> str:
    if value <= 0xFFFF:
        return "{0:04X}".format(value)
    value -= 0x10000
    return "{0:04X}{1:04X}".format(0xD800 + (value >> 10), 0xDC00 + (value & 0x3FF))


def format_stream(self: Any, document: Any) -> bytes:
    """``PDFStream.format`` of ReportLab 4.x/5.x with fix 4 (see module docs)."""
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName
    from reportlab.pdfbase.pdfdoc import format as pdf_format

    dictionary = PDFDictionary(self.dictionary.dict.copy())
    content = self.content
    if content is None:
        raise ValueError("stream content not set")
    filters = self.filters if self.filters is not None else document.defaultStreamFilters
    if filters is not None and "Filter" not in dictionary.dict:
        names: list[str] = []
        for stream_filter in reversed(list(filters)):  # the last listed is applied first
            content = stream_filter.encode(content)
            names.insert(0, PDFName(stream_filter.pdfname))
        if names:
            dictionary["Filter"] = names[0] if len(names) == 1 else PDFArray(names)
    content = document.encrypt.encode(content)
    data = pdf_format(content, document)
    dictionary["Length"] = len(content)
    return bytes(pdf_format(dictionary, document) + b"\nstream\n" + data + b"\nendstream\n")


def apply_fixes() -> None:
    """Patch ReportLab once; later calls do nothing."""
    global _applied
    if _applied:
        return
    with _lock:
        if _applied:
            return
        from reportlab import rl_config
        from reportlab.lib import textsplit
        from reportlab.pdfbase import pdfdoc, ttfonts
        from reportlab.platypus import paragraph

        ttfonts.makeToUnicodeCMap = to_unicode_cmap
        extra_start = "".join(c for c in CANNOT_START if c not in textsplit.ALL_CANNOT_START)
        textsplit.ALL_CANNOT_START = textsplit.ALL_CANNOT_START + extra_start
        paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START
        extra_end = "".join(c for c in CANNOT_END if c not in textsplit.ALL_CANNOT_END)
        textsplit.ALL_CANNOT_END = textsplit.ALL_CANNOT_END + extra_end
        rl_config.useA85 = 0
        pdfdoc.PDFStream.format = format_stream
        _applied = True
