"""The signed catalogue bundle: the shipped Pingshan bundle, signature checks, schema errors, canonical bytes.

Test bundles are signed with the TEST ONLY key in tests/fixtures/catalogue/, whose public half each test
passes explicitly as an extra trusted key: the app itself never trusts it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fzmediate.catalogue.bundle import (
    BundleError,
    add_signature,
    canonical_bytes,
    dump_bundle_file,
    load_bundle,
    load_shipped_bundle,
    require_newer,
    sign_bundle,
    validate_payload,
    verify_bundle,
)
from fzmediate.catalogue.keys import TrustedKey, TrustedKeys
from fzmediate.catalogue.model import Bundle, HolidayTable
from fzmediate.catalogue.signing import (
    generate_key,
    key_id,
    load_private_key,
    save_private_key,
    sign_file,
    trusted_key_entry,
)
from fzmediate.errors import ValidationError
from fzmediate.i18n import set_locale
from fzmediate.resources import resource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue"
REPO = Path(__file__).resolve().parents[2]
MEDIATION_AREAS = {
    "消费者权益保护",
    "交通损害赔偿",
    "治安管理",
    "环境污染",
    "社会保障",
    "房屋土地征收",
    "物业管理",
    "知识产权",
}
ADJUDICATION_AREAS = {"自然资源权属争议", "知识产权侵权纠纷和补偿争议", "政府采购活动争议"}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted in their English source form.
    set_locale("en")
    yield


@pytest.fixture(scope="module")
def dev_key() -> Any:
    return load_private_key(FIXTURES / "dev-signing-key.pem")


@pytest.fixture(scope="module")
def dev_public() -> TrustedKey:
    return TrustedKey.model_validate_json((FIXTURES / "dev-public-key.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def trusted(dev_public: TrustedKey) -> TrustedKeys:
    """The shipped keys plus, explicitly, the TEST ONLY key."""
    return TrustedKeys.load().plus(dev_public)


def small_payload() -> dict[str, Any]:
    matter = {
        "code": "PS-TJ-001",
        "name": "测试调解事项",
        "kind": "mediation",
        "area": "消费者权益保护",
        "implementing_body": "测试机关",
        "competent_department": "测试主管部门",
        "legal_basis": [{"law": "《测试法》", "article": "第一条", "level": "law", "summary": "测试。"}],
        "conditions": ["双方自愿。"],
        "materials": [{"name": "申请书", "form": "original", "copies": 1, "required": True}],
        "time_limits": [
            {
                "name": "acceptance",
                "label": "受理期限",
                "amount": 5,
                "unit": "working_days",
                "kind": "statutory",
                "starts_from": "收到申请之日",
                "basis": "测试依据",
            }
        ],
        "fee": {"free": True, "text": "不收费", "basis": "测试依据"},
        "place": "窗口",
        "hours": "工作日",
        "consult_phone": "12345",
        "complaint_phone": "12345",
        "visits": 1,
        "procedure": "mediation.standard",
        "guide": {"summary": "说明。", "steps": ["提交申请。"], "bring": ["身份证。"], "after": ["等待通知。"]},
        "sources": ["《测试法》第一条"],
    }
    return {
        "format": "fzmediate-catalogue",
        "format_version": 1,
        "publisher": "深圳市坪山区司法局",
        "bundle_id": "pingshan",
        "version": 2,
        "version_label": "测试版",
        "published_on": "2026-12-01",
        "matters": [matter],
        "holiday_tables": [
            {
                "year": 2027,
                "source": "测试通知",
                "published": "2026-11-01",
                "holidays": [["2027-01-01", "2027-01-03", "元旦"]],
                "workdays": [],
            }
        ],
        "procedures": [],
    }


def signed_raw(payload: dict[str, Any], key: Any) -> bytes:
    """Sign a payload *without* validating it, to test what the loader does with a signed bad payload."""
    file = {"format": "fzmediate-catalogue", "format_version": 1, "bundle": payload, "signatures": []}
    return dump_bundle_file(add_signature(file, key))


def refused(data: bytes | Path, keys: TrustedKeys) -> BundleError:
    with pytest.raises(BundleError) as info:
        load_bundle(data, keys)
    return info.value


# --- the shipped bundle ------------------------------------------------------------------------------


def test_shipped_bundle_verifies_with_shipped_keys() -> None:
    verified = load_shipped_bundle()
    assert verified.bundle.bundle_id == "pingshan"
    assert verified.bundle.version >= 1
    assert set(verified.signed_by) <= {k.key_id for k in TrustedKeys.load()}
    assert len(verified.digest) == 64


def test_app_never_trusts_the_test_key(dev_public: TrustedKey) -> None:
    assert dev_public.key_id not in TrustedKeys.load()
    assert "TEST ONLY" in dev_public.label
    assert dev_public.public_key not in resource("catalogue", "trusted-keys.json").read_text(encoding="utf-8")


def test_shipped_bundle_covers_every_area_of_the_plan() -> None:
    bundle = load_shipped_bundle().bundle
    mediation = {m.area for m in bundle.matters if m.kind == "mediation"}
    adjudication = {m.area for m in bundle.matters if m.kind == "adjudication"}
    assert mediation >= MEDIATION_AREAS
    assert adjudication >= ADJUDICATION_AREAS


def test_every_shipped_matter_is_complete() -> None:
    bundle = load_shipped_bundle().bundle
    for m in bundle.matters:
        assert m.legal_basis and m.conditions and m.time_limits and m.sources, m.code
        assert any(mat.required for mat in m.materials), m.code
        assert m.guide.steps and m.guide.bring and m.guide.after, m.code
        assert m.fee.free, m.code
        # No invented numbers: the public service line for both consultation and complaints.
        assert (m.consult_phone, m.complaint_phone) == ("12345", "12345"), m.code
        assert m.procedure in {
            "mediation.standard",
            "mediation.labour",
            "mediation.traffic",
            "mediation.public_security",
            "adjudication.standard",
        }, m.code
        assert m.procedure.split(".")[0] == m.kind, m.code


def test_shipped_adjudications_state_remedies_and_a_decision_limit() -> None:
    for m in load_shipped_bundle().bundle.matters:
        if m.kind == "adjudication":
            assert m.remedies, m.code
            assert m.time_limit("decision") is not None, m.code
            assert all(r.basis for r in m.remedies), m.code


def test_shipped_mediations_carry_the_shenzhen_clock() -> None:
    bundle = load_shipped_bundle().bundle
    consumer = bundle.matter("PS-TJ-001")
    assert consumer is not None
    acceptance = consumer.time_limit("acceptance")
    assert acceptance is not None and (acceptance.amount, acceptance.unit) == (5, "working_days")
    assert acceptance.extendable_by is not None and acceptance.extendable_by.amount == 5
    transfer = consumer.time_limit("transfer")
    assert transfer is not None and (transfer.amount, transfer.unit) == (3, "working_days")
    period = consumer.time_limit("mediation_period")
    assert period is not None and (period.amount, period.unit) == (30, "calendar_days")
    confirmation = consumer.time_limit("judicial_confirmation")
    assert confirmation is not None and confirmation.applies_to == "party" and confirmation.amount == 30


def test_every_shipped_time_limit_runs_on_the_legal_clock() -> None:
    from fzmediate.procedure.calendar import WorkCalendar
    from fzmediate.procedure.clock import compute_deadline

    calendar, start = WorkCalendar(), dt.date(2026, 9, 30)
    for m in load_shipped_bundle().bundle.matters:
        for limit in m.time_limits:
            assert compute_deadline(calendar, start, limit.amount, limit.unit).due > start, (m.code, limit.name)
            if limit.extendable_by is not None:
                extension = limit.extendable_by
                assert compute_deadline(calendar, start, extension.amount, extension.unit).due > start


def test_readable_source_is_exactly_what_was_signed() -> None:
    source = json.loads(resource("catalogue", "source", "pingshan.json").read_text(encoding="utf-8"))
    signed = json.loads(resource("catalogue", "pingshan.fzcat.json").read_text(encoding="utf-8"))
    assert canonical_bytes(source) == canonical_bytes(signed["bundle"])


def test_no_private_key_or_machine_path_in_committed_resources() -> None:
    for folder in ("resources/catalogue", "fzmediate/catalogue", "docs"):
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and path.suffix in {".json", ".md", ".py", ".pem", ".txt"}:
                text = path.read_text(encoding="utf-8")
                assert "PRIVATE KEY" not in text or path.suffix == ".py", path.name
                assert str(REPO.parent) + "/" not in text, path.name  # no absolute path of this checkout
    pems = sorted(p.name for p in (REPO / "tests").rglob("*.pem"))
    # The labelled TEST-ONLY keys: the catalogue's dev key and the trust root of tests/fixtures/trust.
    assert pems == ["TEST-ONLY-root-key.pem", "TEST-ONLY-root.pem", "dev-signing-key.pem"]


def test_shipped_holiday_tables_fit_the_bundle_shape() -> None:
    # The bundle's holiday_tables use the exact shape of resources/holidays/<year>.json.
    for path in sorted(resource("holidays").glob("*.json")):
        table = HolidayTable.model_validate_json(path.read_bytes())
        assert table.year == int(path.stem)


def test_bundle_holiday_tables_are_accepted_by_the_work_calendar() -> None:
    from fzmediate.procedure.calendar import parse_holiday_table

    table = validate_payload(small_payload()).holiday_tables[0]
    parsed = parse_holiday_table(table.model_dump(mode="json"), origin="bundle")
    assert parsed.year == 2027


# --- signing and loading -----------------------------------------------------------------------------


def test_signed_test_bundle_round_trips(dev_key: Any, trusted: TrustedKeys) -> None:
    data = dump_bundle_file(sign_bundle(small_payload(), dev_key))
    verified = verify_bundle(data, trusted)
    assert verified.signed_by == (key_id(dev_key),)
    assert verified.bundle.matters[0].code == "PS-TJ-001"
    assert isinstance(verified.bundle, Bundle)


def test_sign_file_and_load_from_path(tmp_path: Path, dev_key: Any, trusted: TrustedKeys) -> None:
    src = tmp_path / "src.json"
    src.write_text(json.dumps(small_payload(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "test.fzcat.json"
    out.write_bytes(sign_file(src, dev_key))
    assert load_bundle(out, trusted).version == 2
    assert load_bundle(str(out), trusted).version == 2


def test_sign_bundle_refuses_an_invalid_payload(dev_key: Any) -> None:
    payload = small_payload()
    del payload["matters"][0]["guide"]
    with pytest.raises(BundleError, match=r"matter PS-TJ-001, field guide: required field is missing"):
        sign_bundle(payload, dev_key)


def test_co_signing_with_a_second_key(dev_key: Any, dev_public: TrustedKey) -> None:
    second = generate_key()
    file = add_signature(sign_bundle(small_payload(), dev_key), second)
    second_trusted = TrustedKey.from_public_key(second.public_key(), label="新密钥", valid_from=dt.date(2026, 1, 1))
    # Either key alone is enough; an app that knows only the old key ignores the new key's signature.
    assert verify_bundle(dump_bundle_file(file), TrustedKeys([second_trusted])).signed_by == (key_id(second),)
    assert verify_bundle(dump_bundle_file(file), TrustedKeys([dev_public])).signed_by == (key_id(dev_key),)
    with pytest.raises(BundleError, match="already signed"):
        add_signature(file, second)


# --- tampering: each refusal names its problem, and nothing is returned -----------------------------


def test_one_changed_byte_breaks_the_signature(dev_key: Any, trusted: TrustedKeys) -> None:
    data = dump_bundle_file(sign_bundle(small_payload(), dev_key))
    assert data.count(b'"amount": 5') == 1
    error = refused(data.replace(b'"amount": 5', b'"amount": 6'), trusted)
    assert error.reason == "bad_signature"
    assert "signature does not match" in error.message


def test_removed_signature_is_refused(dev_key: Any, trusted: TrustedKeys) -> None:
    file = sign_bundle(small_payload(), dev_key)
    file["signatures"] = []
    error = refused(dump_bundle_file(file), trusted)
    assert error.reason == "unsigned"
    assert "not signed" in error.message
    del file["signatures"]
    assert refused(dump_bundle_file(file), trusted).reason == "unsigned"


def test_bundle_signed_only_by_an_untrusted_key_is_refused(dev_key: Any) -> None:
    data = dump_bundle_file(sign_bundle(small_payload(), dev_key))
    error = refused(data, TrustedKeys.load())
    assert error.reason == "unknown_key"
    assert "signed by an unknown key" in error.message
    assert key_id(dev_key) in error.message


def test_garbled_signature_of_a_trusted_key_is_refused(dev_key: Any, trusted: TrustedKeys) -> None:
    file = sign_bundle(small_payload(), dev_key)
    file["signatures"][0]["sig"] = "not base64!"
    assert refused(dump_bundle_file(file), trusted).reason == "bad_signature"


def test_unknown_format_version_is_refused(dev_key: Any, trusted: TrustedKeys) -> None:
    file = sign_bundle(small_payload(), dev_key)
    file["format_version"] = 2
    error = refused(dump_bundle_file(file), trusted)
    assert error.reason == "unsupported_version"
    assert "Unsupported bundle format version 2" in error.message
    file["format_version"] = True
    assert refused(dump_bundle_file(file), trusted).reason == "unsupported_version"


def test_other_format_is_not_a_bundle(trusted: TrustedKeys) -> None:
    error = refused(json.dumps({"format": "something-else", "format_version": 1}).encode(), trusted)
    assert error.reason == "not_a_bundle"
    assert "Not a bundle file" in error.message
    assert refused(b"[1, 2, 3]", trusted).reason == "not_a_bundle"


def test_malformed_json_is_refused(dev_key: Any, trusted: TrustedKeys) -> None:
    data = dump_bundle_file(sign_bundle(small_payload(), dev_key))
    error = refused(data[: len(data) // 2], trusted)
    assert error.reason == "not_a_bundle"
    assert "not valid JSON" in error.message
    assert "not UTF-8" in refused(b"\xff\xfe{}", trusted).message


def test_duplicate_json_key_is_refused(trusted: TrustedKeys) -> None:
    error = refused(b'{"format": "fzmediate-catalogue", "format": "fzmediate-catalogue"}', trusted)
    assert "appears twice" in error.message


def test_unreadable_file_is_refused(tmp_path: Path, trusted: TrustedKeys) -> None:
    error = refused(tmp_path / "missing.fzcat.json", trusted)
    assert error.reason == "unreadable"
    assert "missing.fzcat.json" in error.message


def test_duplicate_matter_codes_are_refused(dev_key: Any, trusted: TrustedKeys) -> None:
    payload = small_payload()
    payload["matters"].append(copy.deepcopy(payload["matters"][0]))
    error = refused(signed_raw(payload, dev_key), trusted)
    assert error.reason == "invalid"
    assert error.message == "Invalid bundle: duplicate matter code PS-TJ-001"


def test_missing_required_field_names_matter_and_field(dev_key: Any, trusted: TrustedKeys) -> None:
    payload = small_payload()
    del payload["matters"][0]["time_limits"][0]["basis"]
    error = refused(signed_raw(payload, dev_key), trusted)
    assert error.reason == "invalid"
    assert error.message == ("Invalid bundle: matter PS-TJ-001, field time_limits[0].basis: required field is missing")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda p: p["matters"][0]["time_limits"][0].update(amount=0),
            "matter PS-TJ-001, field time_limits[0].amount: must be greater than 0",
        ),
        (
            lambda p: p["matters"][0]["time_limits"][0].update(unit="days"),
            "matter PS-TJ-001, field time_limits[0].unit: must be one of",
        ),
        (
            lambda p: p["matters"][0].update(kind="adjudication"),
            "matter PS-TJ-001: an adjudication matter must state its remedies",
        ),
        (lambda p: p["matters"][0].update(visits="1"), "matter PS-TJ-001, field visits:"),
        (lambda p: p["matters"][0].update(color="red"), "matter PS-TJ-001, field color: unknown field"),
        (lambda p: p["matters"][0].update(conditions=[]), "matter PS-TJ-001, field conditions: must not be empty"),
        (lambda p: p["matters"][0].update(name="  "), "matter PS-TJ-001, field name: must not be empty"),
        (lambda p: p["matters"][0].update(code="ps-1"), "field code: must look like PS-TJ-001"),
        (
            lambda p: p.update(procedures=[{"id": "adjudication.standard"}]),
            "matter PS-TJ-001 refers to procedure mediation.standard, which the bundle does not define",
        ),
        (
            lambda p: p["matters"][0]["legal_basis"].insert(
                0, {"law": "规章", "article": "第一条", "level": "departmental_rule", "summary": "x"}
            ),
            "legal_basis must be listed highest rank first",
        ),
        (
            lambda p: p["holiday_tables"][0].update(workdays=["2027-01-02"]),
            "field holiday_tables[0]: 2027-01-02 is both a holiday and a make-up workday",
        ),
        (lambda p: p.update(published_on="2026-13-01"), "field published_on:"),
    ],
)
def test_schema_problems_are_named(
    mutate: Callable[[dict[str, Any]], None], expected: str, dev_key: Any, trusted: TrustedKeys
) -> None:
    payload = small_payload()
    mutate(payload)
    error = refused(signed_raw(payload, dev_key), trusted)
    assert error.reason == "invalid"
    assert error.message.startswith("Invalid bundle: ")
    assert expected in error.message


def test_decimal_numbers_are_refused(dev_key: Any, trusted: TrustedKeys) -> None:
    payload = small_payload()
    payload["matters"][0]["visits"] = 1.0
    with pytest.raises(BundleError, match="decimal number"):
        signed_raw(payload, dev_key)
    data = dump_bundle_file(sign_bundle(small_payload(), dev_key)).replace(b'"visits": 1', b'"visits": 1.0')
    assert "decimal number" in refused(data, trusted).message


def test_key_not_yet_valid_on_the_publication_date(dev_key: Any, dev_public: TrustedKey) -> None:
    late = TrustedKey(**{**dev_public.model_dump(), "valid_from": dt.date(2027, 1, 1)})
    error = refused(dump_bundle_file(sign_bundle(small_payload(), dev_key)), TrustedKeys([late]))
    assert error.reason == "key_not_valid"
    assert "2026-12-01" in error.message


# --- canonical bytes -----------------------------------------------------------------------------------


def test_canonical_bytes_sort_keys_and_drop_whitespace() -> None:
    assert canonical_bytes({"b": 1, "a": ["x", True, None]}) == b'{"a":["x",true,null],"b":1}'
    assert canonical_bytes({"名称": "坪山"}) == '{"名称":"坪山"}'.encode()


def test_key_order_and_whitespace_do_not_matter(dev_key: Any, trusted: TrustedKeys) -> None:
    file = sign_bundle(small_payload(), dev_key)
    original = verify_bundle(dump_bundle_file(file), trusted)

    def reverse(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: reverse(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [reverse(v) for v in value]
        return value

    for data in (
        json.dumps(reverse(file), ensure_ascii=True).encode(),
        json.dumps(file, ensure_ascii=False, indent=7, sort_keys=True).encode("utf-8"),
        b"\xef\xbb\xbf" + json.dumps(file, separators=(",", ":")).encode(),
    ):
        again = verify_bundle(data, trusted)
        assert again.digest == original.digest
        assert again.bundle == original.bundle


def test_canonical_bytes_of_the_shipped_payload_are_stable() -> None:
    payload = json.loads(resource("catalogue", "pingshan.fzcat.json").read_text(encoding="utf-8"))["bundle"]
    assert canonical_bytes(payload) == canonical_bytes(json.loads(json.dumps(payload, indent=4, sort_keys=True)))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutate(payload: dict[str, Any], path: tuple[Any, ...], how: int, text: str, number: int) -> None:
    parent: Any = payload
    for part in path[:-1]:
        parent = parent[part]
    node = parent[path[-1]] if path else payload
    if isinstance(node, bool):
        parent[path[-1]] = not node
    elif isinstance(node, int):
        parent[path[-1]] = node + number
    elif isinstance(node, str):
        parent[path[-1]] = node + text if how % 2 else text + node
    elif node is None:
        parent[path[-1]] = text
    elif isinstance(node, dict):
        if how % 2 and node:
            del node[sorted(node)[how % len(node)]]
        else:
            node["x" + text] = number
    elif isinstance(node, list):
        if how % 2 and node:
            del node[how % len(node)]
        else:
            node.append(text)


@pytest.fixture(scope="module")
def signed_small(dev_key: Any) -> dict[str, Any]:
    return sign_bundle(small_payload(), dev_key)


@settings(max_examples=150, deadline=None)
@given(
    choice=st.integers(min_value=0),
    how=st.integers(min_value=0, max_value=7),
    text=st.text(min_size=1, max_size=4),
    number=st.integers(min_value=-1000, max_value=1000).filter(lambda n: n != 0),
)
def test_any_change_to_the_payload_breaks_the_signature(
    choice: int, how: int, text: str, number: int, signed_small: dict[str, Any], trusted: TrustedKeys
) -> None:
    file = copy.deepcopy(signed_small)
    paths = _paths(file["bundle"])
    _mutate(file["bundle"], paths[choice % len(paths)], how, text, number)
    assume(canonical_bytes(file["bundle"]) != canonical_bytes(signed_small["bundle"]))
    with pytest.raises(BundleError) as info:
        verify_bundle(dump_bundle_file(file), trusted)
    assert info.value.reason == "bad_signature"


# --- keys, signing tools, versions --------------------------------------------------------------------


def test_trusted_keys_file_must_match_key_ids(tmp_path: Path, dev_public: TrustedKey) -> None:
    entry = dev_public.model_dump(mode="json")
    entry["key_id"] = "0000000000000000"
    bad = tmp_path / "keys.json"
    bad.write_text(json.dumps([entry]), encoding="utf-8")
    with pytest.raises(ValidationError, match="does not match its public key"):
        TrustedKeys.load(bad)
    with pytest.raises(ValidationError, match="listed twice"):
        TrustedKeys([dev_public, dev_public])


def test_trusted_key_entry_is_what_the_app_loads(tmp_path: Path) -> None:
    key = generate_key()
    entry = trusted_key_entry(key, label="测试", valid_from=dt.date(2026, 1, 1))
    path = tmp_path / "keys.json"
    path.write_text(json.dumps([entry], ensure_ascii=False), encoding="utf-8")
    assert key_id(key) in TrustedKeys.load(path)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_private_key_is_saved_owner_only_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    key = generate_key()
    save_private_key(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_id(load_private_key(path)) == key_id(key)
    with pytest.raises(ValidationError, match="refusing to overwrite"):
        save_private_key(path, generate_key())


def test_require_newer_refuses_rollback_and_other_bundles() -> None:
    current = validate_payload(small_payload())
    newer = validate_payload({**small_payload(), "version": 3})
    require_newer(None, current)
    require_newer(current, newer)
    with pytest.raises(BundleError, match="not newer"):
        require_newer(newer, current)
    with pytest.raises(BundleError, match="not newer"):
        require_newer(current, current)
    other = validate_payload({**small_payload(), "bundle_id": "other", "version": 9})
    with pytest.raises(BundleError) as info:
        require_newer(current, other)
    assert info.value.reason == "not_newer"


def test_shipped_bundle_carries_the_procedures_its_matters_follow() -> None:
    """The procedure rules are part of what the district signs; the engine's standard set is their template."""
    from fzmediate.procedure.engine import load_definitions
    from fzmediate.procedure.standard import standard_definitions

    bundle = load_shipped_bundle().bundle
    definitions = load_definitions(bundle.procedures)
    assert {m.procedure for m in bundle.matters} <= set(definitions)
    assert canonical_bytes(list(bundle.procedures)) == canonical_bytes(standard_definitions()), (
        "fzmediate/procedure/standard.py changed: publish the new definitions in the signed bundle "
        "(resources/catalogue/README.md explains how the district signs it)"
    )
