"""Documents: a 2-page 调解协议书 rendered, sealed (QR on every page + PDF/A + PAdES), cold and in bulk.

Targets (issue: documents): warm render ≤ 50 ms median, rendered and sealed ≤ 100 ms, first document after
start ≤ 1 s (fresh interpreter, wall clock including Python start-up), 100 agreements ≤ 5 s, agreement
≤ 150 KB, case file (卷宗) of 30 issued documents ≤ 3 s. For scale (issue text): docx + running LibreOffice
≈ 170 ms, WeasyPrint ≈ 670 ms, LibreOffice per document ≈ 1.1 s.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import segno

from bench.common import header, median, percentile, timed
from fzmediate.documents.casefile import CaseFileData, FiledDocument, build_casefile
from fzmediate.documents.issue import issue_pdf
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.qr import qr_rows
from fzmediate.documents.render import render, render_pdf
from fzmediate.documents.seal import OfficeSigner
from fzmediate.documents.templates.agreement import agreement_spec
from tests.documents.samples import agreement_data

ROOT = Path(__file__).resolve().parent.parent
WARM_RUNS = 30
BULK = 100
COLD_RUNS = 3
CASEFILE_DOCUMENTS = 30
CASEFILE_RUNS = 3

_COLD = """
import time
started = time.perf_counter()
from bench.bench_documents import two_page_agreement
{body}
print("%.3f" % (time.perf_counter() - started))
"""
_COLD_RENDER = "from fzmediate.documents.render import render_pdf\nrender_pdf(two_page_agreement())"
_COLD_SEAL = (
    "from bench.bench_documents import office_signer\nfrom fzmediate.documents.issue import issue_pdf\n"
    "issue_pdf(two_page_agreement(), office_signer(), anchor=(1, '0' * 64))"
)


def two_page_agreement(number: int = 1) -> DocumentSpec:
    """The test agreement (rare names, money in capitals), shortened to two pages."""
    data = agreement_data()
    facts = data.facts.split("。")[0] + "。经现场查看，渗水情况属实，李𬌗、卫𡒄作为邻居在场见证。"
    return agreement_spec(
        agreement_data(document_id="D-2026-{0:06d}".format(number), facts=facts, terms=data.terms[:2])
    )


def office_signer() -> OfficeSigner:
    """An EC P-256 office key certified through an intermediate below the TEST-ONLY root: the signature
    carries the office certificate and the intermediate, as in production."""
    from tests.documents.trust import certified

    office = OfficeSigner.generate(
        "深圳市坪山区坪山街道人民调解委员会", valid_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), serial=1
    )
    return certified(office, via_intermediate=True)


#: The audit head every issued document carries.
ANCHOR = (123456, "5f" * 32)


def casefile_data(signer: OfficeSigner, count: int = CASEFILE_DOCUMENTS) -> CaseFileData:
    """A case file of ``count`` issued 2-page agreements (cover and contents are rendered when it is built)."""
    filed = []
    for number in range(count):
        issued = issue_pdf(two_page_agreement(number), signer)
        filed.append(
            FiledDocument(
                "D-2026-{0:06d}".format(number), "agreement", "调解协议书", 1, dt.date(2026, 11, 29), issued.sha256,
                issued.pages, issued.pdf,
            )
        )  # fmt: skip
    return CaseFileData(
        case_number="坪调〔2026〕12号",
        title="行政调解案件卷宗",
        matter="物业管理纠纷行政调解",
        summary="相邻渗水纠纷",
        office="深圳市坪山区坪山街道办事处",
        parties=(("申请人", "王𠮷"), ("被申请人", "张䶮")),
        received_on=dt.date(2026, 10, 9),
        compiled_on=dt.date(2026, 11, 29),
        documents=tuple(filed),
    )


def _cold(body: str) -> tuple[float, float]:
    """Wall time of a fresh interpreter that produces one document, and the time it reports itself."""
    code = _COLD.format(body=body)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return (time.perf_counter() - started) * 1000.0, float(out.stdout.split()[-1]) * 1000.0


def run() -> str:
    spec = two_page_agreement()
    signer = office_signer()
    pages = render(spec).pages
    render_pdf(spec)
    issue_pdf(spec, signer, anchor=ANCHOR)  # warm: fonts registered, signing modules imported
    warm = [timed(lambda: render_pdf(spec)) for _ in range(WARM_RUNS)]
    sealed = [timed(lambda: issue_pdf(spec, signer, anchor=ANCHOR)) for _ in range(WARM_RUNS)]
    statement = issue_pdf(spec, signer).statements[0].encode()
    qr_ours = [timed(lambda: qr_rows(statement)) for _ in range(WARM_RUNS)]
    qr_segno = [
        timed(lambda: segno.make_qr(statement.encode("utf-8"), error="M", mode="byte", boost_error=False))
        for _ in range(5)
    ]
    specs = [two_page_agreement(n) for n in range(BULK)]
    bulk_render = timed(lambda: [render_pdf(s) for s in specs])
    bulk_sealed = timed(lambda: [issue_pdf(s, signer, anchor=ANCHOR) for s in specs])
    cold_render = [_cold(_COLD_RENDER) for _ in range(COLD_RUNS)]
    cold_sealed = [_cold(_COLD_SEAL) for _ in range(COLD_RUNS)]
    draft_size = len(render_pdf(spec))
    issued_size = len(issue_pdf(spec, signer, anchor=ANCHOR).pdf)
    volume = casefile_data(signer)
    volume_pages = sum(d.pages for d in volume.documents)
    build_casefile(volume)  # warm
    casefile_runs = [timed(lambda: build_casefile(volume)) for _ in range(CASEFILE_RUNS)]
    casefile_size = len(build_casefile(volume))

    rows = [
        ("warm render (median / p95)", "{0:.0f} / {1:.0f} ms".format(median(warm), percentile(warm, 0.95)), "≤ 50 ms"),
        (
            "warm render + seal (QR, PDF/A, PAdES)",
            "{0:.0f} / {1:.0f} ms".format(median(sealed), percentile(sealed, 0.95)),
            "≤ 100 ms",
        ),
        (
            "QR seal of one page, mask chosen by ISO/IEC 18004 (median)",
            "{0:.1f} ms (segno itself: {1:.0f} ms)".format(median(qr_ours), median(qr_segno)),
            "",
        ),
        (
            "first document after start, render",
            "{0:.0f} ms wall ({1:.0f} ms after interpreter start)".format(
                median([w for w, _ in cold_render]), median([i for _, i in cold_render])
            ),
            "≤ 1 s",
        ),
        (
            "first document after start, render + seal",
            "{0:.0f} ms wall ({1:.0f} ms after interpreter start)".format(
                median([w for w, _ in cold_sealed]), median([i for _, i in cold_sealed])
            ),
            "≤ 1 s",
        ),
        ("100 agreements, render", "{0:.2f} s".format(bulk_render / 1000), "≤ 5 s"),
        ("100 agreements, render + seal", "{0:.2f} s".format(bulk_sealed / 1000), "≤ 5 s"),
        (
            "agreement size, draft / issued",
            "{0:.1f} / {1:.1f} KB".format(draft_size / 1024, issued_size / 1024),
            "≤ 150 KB",
        ),
        (
            "case file of {0} issued documents ({1} pages + cover and contents)".format(
                CASEFILE_DOCUMENTS, volume_pages
            ),
            "{0:.0f} ms (median of {1}; {2:.1f} MB)".format(
                median(casefile_runs), CASEFILE_RUNS, casefile_size / 1024 / 1024
            ),
            "≤ 3 s",
        ),
    ]
    lines = [
        header("Documents: 2-page 调解协议书 (issue: documents)"),
        "\n{0} pages; warm figures over {1} runs; cold = fresh interpreter, median of {2}; "
        "EC P-256 office key certified through an intermediate (both certificates in the signature), audit head "
        "sealed in.\n".format(pages, WARM_RUNS, COLD_RUNS),
        "| measure | result | target |",
        "|---|---|---|",
    ]
    lines += ["| {0} | {1} | {2} |".format(*row) for row in rows]
    return "\n".join(lines) + "\n"
