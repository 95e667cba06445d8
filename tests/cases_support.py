"""Intakes of synthetic people, test-signed catalogue bundles and row counts, shared by the case tests.

Bundles here are signed with the TEST ONLY key in tests/fixtures/catalogue/; tests pass its public half
explicitly (``dev_trusted()``): the app itself never trusts it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from fzmediate.catalogue.bundle import dump_bundle_file, sign_bundle
from fzmediate.catalogue.keys import TrustedKey, TrustedKeys
from fzmediate.catalogue.signing import load_private_key
from fzmediate.resources import resource
from fzmediate.services.session import Session
from fzmediate.store.models import AuditEvent, Case, CaseCounter, CaseEventRow, OutboxEntry, PartyRow, SearchTerm
from tests.synthetic import make_resident_id, make_uscc

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "catalogue"
#: The FakeClock's date (2026-11-29 09:00 UTC is 17:00 in China).
TODAY = date(2026, 11, 29)
APPLICANT_ID = make_resident_id(region="440310", birth=date(1975, 3, 14), seq=101)
RESPONDENT_ID = make_resident_id(region="440310", birth=date(1988, 7, 2), seq=202)
AGENT_ID = make_resident_id(region="440310", birth=date(1970, 1, 9), seq=303)
COMPANY_ID = make_uscc(org="MA5DXYW01")


def person(role: str = "applicant", name: str = "王𠮷", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": role,
        "kind": "person",
        "name": name,
        "id_type": "resident_id",
        "id_number": APPLICANT_ID,
        "phone": "13912345678",
        "address": "坪山区坪山街道测试路1号",
    }
    data.update(fields)
    return data


def organization(role: str = "respondent", name: str = "坪山某物业管理有限公司", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": role,
        "kind": "organization",
        "name": name,
        "id_type": "uscc",
        "id_number": COMPANY_ID,
        "legal_representative": "赵某",
        "representative_title": "法定代表人",
    }
    data.update(fields)
    return data


def intake(**fields: Any) -> dict[str, Any]:
    """A valid property-management mediation application (PS-TJ-007), with ``fields`` replaced."""
    data: dict[str, Any] = {
        "matter": "PS-TJ-007",
        "received_on": "2026-11-27",
        "summary": "物业服务费纠纷",
        "facts": "申请人称小区电梯长期故障，物业公司未及时维修。",
        "claims": "请求减免2026年物业服务费。",
        "parties": [person(), organization()],
    }
    data.update(fields)
    return data


def adjudication_intake(**fields: Any) -> dict[str, Any]:
    """A patent infringement adjudication application (PS-CJ-003) between two people."""
    data: dict[str, Any] = {
        "matter": "PS-CJ-003",
        "summary": "专利侵权纠纷",
        "facts": "被申请人制造、销售的产品落入申请人实用新型专利的保护范围。",
        "claims": "请求责令被申请人停止侵权行为。",
        "parties": [
            person(),
            person("respondent", "李䶮", id_number=RESPONDENT_ID, phone="13800002222", address="坪山区坑梓街道"),
        ],
    }
    data.update(fields)
    return intake(**data)


@cache
def dev_key() -> Any:
    return load_private_key(FIXTURES / "dev-signing-key.pem")


def dev_trusted() -> TrustedKeys:
    public = TrustedKey.model_validate_json((FIXTURES / "dev-public-key.json").read_text(encoding="utf-8"))
    return TrustedKeys.load().plus(public)


def shipped_payload() -> dict[str, Any]:
    raw = json.loads(resource("catalogue", "pingshan.fzcat.json").read_text(encoding="utf-8"))
    payload: dict[str, Any] = raw["bundle"]
    return copy.deepcopy(payload)


def shipped_version() -> int:
    """The version of the catalogue the app ships (a new store installs it at first unlock)."""
    return int(shipped_payload()["version"])


#: The shipped version; tests make newer and older test-signed versions relative to it.
SHIPPED = shipped_version()


def signed_bundle(
    version: int, *, bundle_id: str = "pingshan", change: Callable[[dict[str, Any]], None] | None = None
) -> bytes:
    """The shipped payload as another version (and ``change`` applied), signed with the test key."""
    payload = shipped_payload()
    payload["version"] = version
    payload["bundle_id"] = bundle_id
    payload["version_label"] = "测试第{0}版".format(version)
    if change is not None:
        change(payload)
    return dump_bundle_file(sign_bundle(payload, dev_key()))


def counts(session: Session) -> dict[str, int]:
    """Rows per table: what a refused operation must leave unchanged."""
    tables = {
        "cases": Case,
        "parties": PartyRow,
        "case_events": CaseEventRow,
        "outbox": OutboxEntry,
        "search_terms": SearchTerm,
        "case_counters": CaseCounter,
        "audit": AuditEvent,
    }
    with session.read() as s:
        return {name: int(s.scalar(select(func.count()).select_from(model)) or 0) for name, model in tables.items()}
