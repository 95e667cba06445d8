"""The kiosk's self-help path: generated from the signed catalogue's own fields, or worded by the district in
the bundle's optional ``self_help`` section (a bundle signed here with the TEST ONLY key), always with an escape
valve to who can help."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fzmediate.catalogue.bundle import BundleError, dump_bundle_file, load_bundle, load_shipped_bundle, sign_bundle
from fzmediate.catalogue.keys import TrustedKey, TrustedKeys
from fzmediate.catalogue.model import Bundle
from fzmediate.catalogue.signing import load_private_key
from fzmediate.i18n import set_locale
from fzmediate.kiosk.self_help import SelfHelpTree, build_tree, check_id, first_sentence
from fzmediate.resources import resource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_locale("en")
    yield
    set_locale("zh_CN")


@pytest.fixture(scope="module")
def shipped() -> Bundle:
    return load_shipped_bundle().bundle


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((resource("catalogue") / "source" / "pingshan.json").read_text("utf-8"))
    return data


def signed_with_test_key(payload: dict[str, Any]) -> Bundle:
    key = load_private_key(FIXTURES / "dev-signing-key.pem")
    public = TrustedKey.model_validate_json((FIXTURES / "dev-public-key.json").read_text(encoding="utf-8"))
    raw = dump_bundle_file(sign_bundle(payload, key))
    return load_bundle(raw, TrustedKeys.load().plus(public))


def walk_to_matters(tree: SelfHelpTree) -> set[str]:
    """Every matter a visitor can reach by tapping through the tree."""
    reached: set[str] = set()
    for area in tree.areas:
        todo = [area.first]
        while todo:
            question = area.question(todo.pop())
            if question.kind == "check":
                assert question.matter is not None
                reached.add(question.matter)
                continue
            for choice in question.choices:
                todo.append(check_id(choice.matter) if choice.matter else choice.next or "")
    return reached


def test_the_generated_tree_covers_every_matter_by_area(shipped: Bundle) -> None:
    tree = build_tree(shipped)
    assert tree.generated
    assert [a.key for a in tree.areas] == list(dict.fromkeys(m.area for m in shipped.matters))
    assert walk_to_matters(tree) == {m.code for m in shipped.matters}
    for area in tree.areas:
        matters = [m for m in shipped.matters if m.area == area.key]
        assert area.label == area.key and area.hint
        if len(matters) == 1:
            assert area.first == check_id(matters[0].code)  # nothing to choose: straight to the check
        else:
            which = area.question(area.first)
            assert [c.matter for c in which.choices] == [m.code for m in matters]
            assert [c.label for c in which.choices] == [first_sentence(m.guide.summary) for m in matters]
        for m in matters:
            check = area.question(check_id(m.code))
            assert check.lines == m.conditions and check.summary == first_sentence(m.guide.summary)


def test_the_escape_valve_names_the_street_offices_with_their_window(shipped: Bundle) -> None:
    tree = build_tree(shipped)
    streets = [u for u in shipped.units if u.kind == "street_office"]
    assert len(tree.ask) == 1
    contact = tree.ask[0]
    assert contact.who == tuple(u.name for u in streets)
    # The place, hours and phone are a street-office matter's own.
    codes = {u.code for u in streets}
    theirs = [m for m in shipped.matters if any(mu.unit in codes for mu in m.implementing_units)]
    assert (contact.place, contact.hours, contact.phone) in {(m.place, m.hours, m.consult_phone) for m in theirs}


SELF_HELP = {
    "question": "您遇到了什么麻烦？",
    "areas": [
        {
            "area": "物业管理",
            "label": "小区里的事：物业费、停车、装修",
            "hint": "和物业公司、业委会或者邻居",
            "questions": [
                {
                    "id": "who",
                    "text": "您是和谁有矛盾？",
                    "options": [
                        {"label": "物业公司或者业委会", "matter": "PS-TJ-007"},
                        {"label": "房东或者租客", "next": "rent"},
                    ],
                },
                {"id": "rent", "text": "是租房子的事吗？", "options": [{"label": "是的", "matter": "PS-TJ-010"}]},
            ],
        },
        {"area": "劳动争议", "label": "老板欠工资"},
    ],
    "ask": [
        {
            "who": "坪山街道公共法律服务工作站",
            "place": "坪山街道办事处一楼",
            "hours": "工作日 9:00-18:00",
            "phone": "12348",
        }
    ],
}


def test_a_bundle_with_the_districts_wording_drives_the_tree(source: dict[str, Any], shipped: Bundle) -> None:
    payload = copy.deepcopy(source)
    payload["version"] += 1
    payload["self_help"] = SELF_HELP
    bundle = signed_with_test_key(payload)
    tree = build_tree(bundle)
    assert not tree.generated and tree.question == "您遇到了什么麻烦？"
    first, second = tree.areas[0], tree.areas[1]
    assert (first.key, first.label, first.hint) == (
        "物业管理",
        "小区里的事：物业费、停车、装修",
        "和物业公司、业委会或者邻居",
    )
    who = first.question(first.first)
    assert who.text == "您是和谁有矛盾？" and [c.label for c in who.choices] == ["物业公司或者业委会", "房东或者租客"]
    assert first.question(who.choices[1].next or "").choices[0].matter == "PS-TJ-010"
    assert first.question(check_id("PS-TJ-010")).lines == bundle.matter("PS-TJ-010").conditions  # type: ignore[union-attr]
    # Worded without questions: the generated ones; areas not worded follow, generated.
    assert second.label == "老板欠工资" and second.first == check_id("PS-TJ-009")
    assert {a.key for a in tree.areas} == {m.area for m in shipped.matters}
    assert walk_to_matters(tree) == {m.code for m in shipped.matters}
    assert [c.who for c in tree.ask] == [("坪山街道公共法律服务工作站",)] and tree.ask[0].phone == "12348"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["areas"][0].update(area="不存在的领域"), "is not an area of any matter"),
        (lambda s: s["areas"][0]["questions"][0]["options"][0].update(matter="PS-TJ-999"), "does not define"),
        (lambda s: s["areas"][0]["questions"][1]["options"][0].update(matter=None, next="who"), "later question"),
        (lambda s: s["areas"][0]["questions"][0]["options"][0].update(next="rent"), "either matter or next"),
        (lambda s: s["areas"].append(copy.deepcopy(s["areas"][1])), "listed twice"),
        (lambda s: s["ask"][0].update(phone="call us"), "telephone number"),
    ],
)
def test_a_self_help_section_that_points_nowhere_is_refused(source: dict[str, Any], change: Any, message: str) -> None:
    from fzmediate.catalogue.bundle import validate_payload

    payload = copy.deepcopy(source)
    payload["self_help"] = copy.deepcopy(SELF_HELP)
    change(payload["self_help"])
    with pytest.raises(BundleError) as refused:
        validate_payload(payload)
    assert message in str(refused.value.message)


def test_the_section_is_optional(source: dict[str, Any]) -> None:
    from fzmediate.catalogue.bundle import validate_payload

    assert validate_payload(copy.deepcopy(source)).self_help is None


def test_a_traditional_reader_gets_derived_wording_in_traditional(shipped: Bundle) -> None:
    from fzmediate.catalogue.localize import localized

    tree = build_tree(shipped, lambda text: localized(text, "zh_TW"))
    plain = build_tree(shipped)
    matter = next(m for m in shipped.matters if m.area == "房屋土地征收")
    which = tree.area("房屋土地征收").question("which")  # areas keep their published key
    assert which.choices[0].label == first_sentence(localized(matter.guide.summary, "zh_TW"))
    assert which.choices[0].label != plain.area("房屋土地征收").question("which").choices[0].label
    assert tree.area("房屋土地征收").label == localized("房屋土地征收", "zh_TW") != "房屋土地征收"
