"""PDF/A-2b for issued documents, written by ReportLab in the rendering pass: XMP identification, the sRGB
output intent and the document information with the issue time.

ReportLab (open-source) writes neither XMP metadata nor an output intent, so `archive_document` adds them to
its document before the file is written: an XMP packet (``pdfaid:part`` 2, ``pdfaid:conformance`` B, and the
document information mirrored into ``dc``/``pdf``/``xmp`` as PDF/A requires), an output intent with an sRGB
profile, and a document information dictionary dated with the issue time (never the clock) and without
ReportLab's ``/Trapped`` (it has no XMP twin). Its TrueType subsets already satisfy PDF/A-2's rules for
symbolic fonts (no /Encoding, one cmap), and every font is embedded. The sRGB profile's creation date is fixed,
so the result stays deterministic.

This used to be a second pass with pikepdf (parse and rewrite the whole file, about 11 ms a document); the
entries are the same. Not validated with veraPDF (no Java on the build machines); `qpdf --check` (pikepdf's
`check_pdf_syntax`) passes and the XMP declares PDF/A-2B (pikepdf's `pdfa_status`).
"""

from __future__ import annotations

import datetime as dt
import functools
import zlib
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFInfo, PDFName, PDFStream, PDFString

from fzmediate.documents.model import DocumentSpec

CHINA_TIME = dt.timezone(dt.timedelta(hours=8))
#: ICC header date written into the sRGB profile (bytes 24–35): 2000-01-01 00:00:00.
_ICC_DATE = bytes.fromhex("07d0 0001 0001 0000 0000 0000")
SRGB = "sRGB IEC61966-2.1"
LANGUAGE = "zh-CN"


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


@functools.cache
def _srgb_deflated() -> bytes:
    return zlib.compress(srgb_profile())


def pdf_date(moment: dt.datetime) -> str:
    """A PDF date string, ``D:YYYYMMDDHHmmSS+HH'mm``."""
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return "D:{0}{1}{2:02d}'{3:02d}".format(
        moment.strftime("%Y%m%d%H%M%S"), sign, abs(minutes) // 60, abs(minutes) % 60
    )


class _IssuedInfo(PDFInfo):  # type: ignore[misc]
    """ReportLab's document information with the issue time as both dates and no ``/Trapped``."""

    def __init__(self, entries: dict[str, str]) -> None:
        super().__init__()
        self.entries = entries

    def format(self, document: Any) -> bytes:
        return bytes(PDFDictionary({k: PDFString(v) for k, v in self.entries.items()}).format(document))


def xmp_packet(info: dict[str, str], language: str = LANGUAGE) -> bytes:
    """The XMP packet of an issued document: its document information and PDF/A-2b identification.

    The mapping is pikepdf's `load_from_docinfo` (Title → dc:title, Author → dc:creator, Subject →
    dc:description, Keywords → pdf:Keywords, Producer → pdf:Producer, Creator → xmp:CreatorTool, the dates →
    xmp:CreateDate/ModifyDate), so the two stay equivalent as PDF/A requires.
    """

    def text(key: str) -> str:
        return escape(info[key])

    def alt(value: str) -> str:
        return '<rdf:Alt><rdf:li xml:lang="x-default">{0}</rdf:li></rdf:Alt>'.format(value)

    def xmp_date(key: str) -> str:
        # D:YYYYMMDDHHmmSS+HH'mm → YYYY-MM-DDTHH:mm:SS+HH:mm
        raw = info[key]
        return "{0}-{1}-{2}T{3}:{4}:{5}{6}:{7}".format(
            raw[2:6], raw[6:8], raw[8:10], raw[10:12], raw[12:14], raw[14:16], raw[16:19], raw[20:22]
        )

    parts = []
    if "Author" in info:
        parts.append("<dc:creator><rdf:Seq><rdf:li>{0}</rdf:li></rdf:Seq></dc:creator>".format(text("Author")))
    if "Subject" in info:
        parts.append("<dc:description>{0}</dc:description>".format(alt(text("Subject"))))
    if "Title" in info:
        parts.append("<dc:title>{0}</dc:title>".format(alt(text("Title"))))
    if "Keywords" in info:
        parts.append("<pdf:Keywords>{0}</pdf:Keywords>".format(text("Keywords")))
    if "Producer" in info:
        parts.append("<pdf:Producer>{0}</pdf:Producer>".format(text("Producer")))
    if "CreationDate" in info:
        parts.append("<xmp:CreateDate>{0}</xmp:CreateDate>".format(xmp_date("CreationDate")))
    if "Creator" in info:
        parts.append("<xmp:CreatorTool>{0}</xmp:CreatorTool>".format(text("Creator")))
    if "ModDate" in info:
        parts.append("<xmp:ModifyDate>{0}</xmp:ModifyDate>".format(xmp_date("ModDate")))
    parts.append("<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>")
    parts.append("<dc:language><rdf:Bag><rdf:li>{0}</rdf:li></rdf:Bag></dc:language>".format(escape(language)))
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        "{0}</rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>\n'
    ).format("".join(parts))
    return packet.encode("utf-8")


def document_info(document: Any, moment: dt.datetime) -> dict[str, str]:
    """The information dictionary ReportLab would write, dated `moment`, empty entries and /Trapped left out."""
    info = document.info
    stamp = pdf_date(moment)
    entries = {
        "Title": info.title,
        "Author": info.author,
        "Subject": info.subject,
        "Keywords": info.keywords,
        "Creator": info.creator,
        "Producer": info.producer,
        "CreationDate": stamp,
        "ModDate": stamp,
    }
    return {k: str(v) for k, v in entries.items() if v}


def archive_document(document: Any, moment: dt.datetime) -> None:
    """Make ReportLab's `document` (a `PDFDocument` not yet written) PDF/A-2b: see module docs."""
    entries = document_info(document, moment)
    document.info = _IssuedInfo(entries)
    # No filters (ReportLab's default for a stream): the XMP packet stays readable as plain text.
    metadata = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), xmp_packet(entries))
    profile = PDFStream(PDFDictionary({"N": 3, "Filter": PDFName("FlateDecode")}), _srgb_deflated())
    intent = PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString(SRGB),
            "Info": PDFString(SRGB),
            "DestOutputProfile": profile,
        }
    )
    set_catalog_entries(document, Metadata=metadata, OutputIntents=PDFArray([document.Reference(intent)]))


def set_catalog_entries(document: Any, **entries: Any) -> None:
    """Put entries into ReportLab's catalog, including ones its `PDFCatalog` does not know."""
    catalog = document.Catalog
    known = list(catalog.__NoDefault__)
    for name, value in entries.items():
        if name not in known:
            known.append(name)
        setattr(catalog, name, value)
    # Per instance: the class lists are shared by every ReportLab document in the process.
    catalog.__NoDefault__ = known
