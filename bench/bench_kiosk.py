"""Sealing an application at the kiosk: libsodium sealed box (X25519 + XSalsa20-Poly1305) via PyNaCl.

Two figures: sealing one application alone (canonical JSON of a 2-party application with a 1,000-character
account of the facts, then ``SealedBox.encrypt`` to the office's public key), and the whole
``KioskService.submit_application`` (the desk's intake validation, numbering, sealing, and the outbox row
committed in the kiosk's SQLCipher store, synchronous=FULL). The kiosk is set up from a key file signed by a
generated (uncertified) office key, confirmed by its fingerprint, as staff would.

Target (issue "Least privilege inside the store"): sealing one kiosk application ≤ 5 ms.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

from bench.common import header, median, percentile, timed
from fzmediate.documents.seal import OfficeSigner
from fzmediate.security import sealed_box as box
from fzmediate.security.keyslots import KdfParams
from fzmediate.services.kiosk import KioskDevice
from fzmediate.services.office_intake import canonical, certificate_fingerprint, make_key_file

SEAL_RUNS = 1000
SUBMIT_RUNS = 50
PASSWORD = "Crisp-Walnut-Glacier-71"


def _application() -> dict[str, Any]:
    body = "44031019750314101"
    org = "91440310MA5DXYW01"
    return {
        "matter": "PS-TJ-007",
        "summary": "物业服务费纠纷",
        "facts": "申请人称小区电梯长期故障，物业公司未及时维修。" * 40,
        "claims": "请求减免2026年物业服务费。",
        "parties": [
            {
                "role": "applicant",
                "kind": "person",
                "name": "王𠮷",
                "id_number": body + ric.calc_check_digit(body + "0"),
                "phone": "13912345678",
                "address": "坪山区坪山街道测试路1号",
            },
            {"role": "respondent", "kind": "organization", "name": "坪山某物业管理有限公司",
             "id_number": org + uscc.calc_check_digit(org)},
        ],
    }  # fmt: skip


def _key_file() -> tuple[bytes, str]:
    now = dt.datetime.now(dt.UTC)
    signer = OfficeSigner.generate("基准测试办事处", valid_from=now - dt.timedelta(days=1))
    _private, public = box.new_key_pair()
    payload = {
        "office": "基准测试办事处",
        "unit": "",
        "key_id": "00000000-0000-7000-8000-000000000001",
        "public_key": box.b64(public),
        "key_fingerprint": box.key_fingerprint(public),
        "created_on": now.date().isoformat(),
        "exported_at": now.isoformat(timespec="seconds"),
        "desk_device_id": "00000000-0000-4000-8000-000000000002",
    }
    return make_key_file(payload, signer, []), certificate_fingerprint(signer.certificate)


def run() -> str:
    application = _application()
    _private, public = box.new_key_pair()
    envelope = {"format": "fzmediate-application", "version": 1, "intake": application}
    size = len(canonical(envelope))
    seal_samples = [timed(lambda: box.seal(public, canonical(envelope))) for _ in range(SEAL_RUNS)]
    with tempfile.TemporaryDirectory() as tmp:
        key_file, fingerprint = _key_file()
        device = KioskDevice(Path(tmp) / "kiosk", kdf=KdfParams(memory_kib=8192, iterations=1, lanes=1))
        device.initialize(PASSWORD, key_file, trust_uncertified=fingerprint)
        with device.open(PASSWORD) as kiosk:
            kiosk.submit_application(application)  # warm-up: the catalogue is parsed once per session
            submit_samples = [timed(lambda: kiosk.submit_application(application)) for _ in range(SUBMIT_RUNS)]
    return (
        header("Kiosk: sealing an application (issue: least privilege)")
        + "\nA 2-party application of {0:,} bytes of canonical JSON, sealed to the office's X25519 key "
        "(PyNaCl `SealedBox`); {1} runs. `submit_application` adds the intake validation, numbering and the "
        "committed outbox row in the kiosk's SQLCipher store; {2} runs.\n\n".format(size, SEAL_RUNS, SUBMIT_RUNS)
        + "| operation | median | p95 | target |\n|---|---|---|---|\n"
        + "| seal one application | {0:.3f} ms | {1:.3f} ms | ≤ 5 ms |\n".format(
            median(seal_samples), percentile(seal_samples, 0.95)
        )
        + "| submit_application (validate + seal + commit) | {0:.1f} ms | {1:.1f} ms | — |\n".format(
            median(submit_samples), percentile(submit_samples, 0.95)
        )
    )
