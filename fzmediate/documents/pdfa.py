"""Finish a rendered PDF for archiving with pikepdf: PDF/A-2b identification, sRGB output intent, dates, and
each page's seal statement in its page dictionary.

ReportLab (open-source) writes neither XMP metadata nor an output intent; its TrueType subsets already
satisfy PDF/A-2's rules for symbolic fonts (no /Encoding, one cmap), and every font is embedded. What is
added here is about 1.2 KB and 20 ms. Dates come from the document (issue time), never from the clock, and
the sRGB profile's creation date is fixed, so the result stays deterministic. Not validated with veraPDF
(no Java on the build machines); `qpdf --check` and pikepdf's own checks pass.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence

import pikepdf

from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.seal import SEAL_KEY, SealStatement

CHINA_TIME = dt.timezone(dt.timedelta(hours=8))
#: ICC header date written into the sRGB profile (bytes 24–35): 2000-01-01 00:00:00.
_ICC_DATE = bytes.fromhex("07d0 0001 0001 0000 0000 0000")


def issue_time(spec: DocumentSpec) -> dt.datetime:
    """When the document was issued: `issued_at`, else midnight Beijing time of the issue date."""
    if spec.meta.issued_at is not None:
        return spec.meta.issued_at
    return dt.datetime.combine(spec.meta.issue_date, dt.time(0), tzinfo=CHINA_TIME)


@functools.cache
def srgb_profile() -> bytes:
    """An sRGB ICC profile (Little CMS via Pillow) with a fixed creation date."""
    from PIL import ImageCms

    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data[24:36] = _ICC_DATE
    return bytes(data)


def _pdf_date(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return "D:{0}{1}{2:02d}'{3:02d}'".format(
        moment.strftime("%Y%m%d%H%M%S"), sign, abs(minutes) // 60, abs(minutes) % 60
    )


def finish_pdf(pdf: bytes, spec: DocumentSpec, statements: Sequence[SealStatement] = ()) -> bytes:
    """`pdf` with PDF/A-2b metadata, an sRGB output intent and the seal statements (one per page, in order)."""
    moment = issue_time(spec)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        if statements:
            if len(statements) != len(doc.pages):
                raise ValueError("one seal statement per page")
            for page, statement in zip(doc.pages, statements, strict=True):
                page.obj[SEAL_KEY] = pikepdf.String(statement.encode().encode("utf-8"))
        stamp = _pdf_date(moment)
        # /Trapped has no XMP twin in pikepdf's mapping; ReportLab's "False" adds nothing, so it goes.
        if pikepdf.Name.Trapped in doc.docinfo:
            del doc.docinfo[pikepdf.Name.Trapped]
        doc.docinfo[pikepdf.Name.CreationDate] = stamp
        doc.docinfo[pikepdf.Name.ModDate] = stamp
        with doc.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta.load_from_docinfo(doc.docinfo)
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
            meta["dc:language"] = ["zh-CN"]
        icc = pikepdf.Stream(doc, srgb_profile())
        icc[pikepdf.Name.N] = 3
        intent = pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent,
            S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
            Info=pikepdf.String("sRGB IEC61966-2.1"),
            DestOutputProfile=icc,
        )
        doc.Root[pikepdf.Name.OutputIntents] = pikepdf.Array([doc.make_indirect(intent)])
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
    return out.getvalue()
