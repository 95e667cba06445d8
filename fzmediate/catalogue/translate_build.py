"""Build step: the Traditional Chinese (zh_TW) reading of a signed catalogue bundle's text.

Run from the project folder after every change to the signed bundle or to the override table::

    python -m fzmediate.catalogue.translate_build          # writes resources/catalogue/pingshan.zh_TW.json
    python -m fzmediate.catalogue.translate_build --check  # exit 1 if that file is stale (writes nothing)

It walks every displayable string of the bundle's payload (every text value holding at least one Han
character: identifiers, codes, dates and phone numbers are ASCII by the format, so they never enter the map),
converts it with OpenCC and writes ``{"source_digest", "opencc", "overrides_digest", "strings"}`` where
``strings`` maps each Simplified string to its Traditional reading. The app only looks strings up in that map
(``fzmediate.catalogue.localize``): OpenCC is needed here, at build time, never at run time.

**Configuration ``s2tw``** (Simplified → Traditional, Taiwan standard characters), not ``s2twp``: ``s2twp``
also swaps vocabulary for Taiwan usage, and on this catalogue that rewrites legal and administrative wording
(程序→程式 "computer program", 窗口→視窗 "GUI window", 文件→檔案, 项目→專案, 社区→社群, 审核→稽核, 国家知识产权局→
國家智慧財產權局, a misnamed authority). The catalogue quotes mainland statutes and names mainland bodies, so
the words stay the mainland's and only the characters change; statute titles in 《》 read e.g.
《中華人民共和國人民調解法》 and 第二十九条 becomes 第二十九條. ``s2t`` would give OpenCC's own character
forms rather than the Taiwan standard forms a zh_TW reader expects; ``s2hk`` gives Hong Kong forms.

Where OpenCC picks the wrong one of several Traditional characters (签调解 → 籤調解 instead of 簽調解), the
reviewed table ``resources/catalogue/zh_TW-overrides.json`` fixes the phrase. An override may only choose
characters, never change words: its Traditional side must convert back (``tw2s``) to its Simplified side.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from fzmediate.catalogue.bundle import SHIPPED_BUNDLE, canonical_bytes, read_bundle_file, verify_bundle
from fzmediate.catalogue.keys import TrustedKeys
from fzmediate.resources import resource

OPENCC_CONFIG: Final = "s2tw"
#: The check that an override only chooses characters (Taiwan Traditional → Simplified).
OPENCC_BACK: Final = "tw2s"
OVERRIDES_FILE: Final = ("catalogue", "zh_TW-overrides.json")
MAP_SUFFIX: Final = ".zh_TW.json"
#: CJK Unified Ideographs, Extension A and the compatibility block: a string with none is not prose.
_HAN: Final = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class Converter(Protocol):
    def convert(self, text: str) -> str: ...


class BuildError(Exception):
    """The map cannot be built (bad override table, OpenCC missing); the message says what to fix."""


@dataclass(frozen=True)
class Override:
    simplified: str
    traditional: str
    why: str


def display_strings(payload: Any) -> list[str]:
    """Every distinct text value of the payload that holds a Han character, sorted (object keys excluded)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if _HAN.search(value):
                found.add(value)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(payload)
    return sorted(found)


def payload_digest(payload: Any) -> str:
    """SHA-256 (hex) of the canonical bytes of a bundle payload: the same as ``VerifiedBundle.digest``."""
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()


def read_payload(path: Path, *, verify: bool = True) -> dict[str, Any]:
    """The payload of a signed bundle file (verified with the shipped trusted keys unless told not to)."""
    raw = read_bundle_file(path)
    if verify:
        verify_bundle(raw, TrustedKeys.load())
    payload = json.loads(raw.decode("utf-8-sig"))["bundle"]
    if not isinstance(payload, dict):
        raise BuildError("{0}: the bundle payload is not an object".format(path.name))
    return payload


def load_overrides(path: Path) -> tuple[list[Override], str]:
    """The reviewed override table and the SHA-256 of its canonical bytes.

    Shape: ``{"phrases": [{"simplified": "签调解", "traditional": "簽調解", "why": "…"}, …]}``.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError("{0}: cannot read the override table ({1})".format(path.name, exc)) from None
    entries = data.get("phrases") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise BuildError('{0}: expected {{"phrases": [ … ]}}'.format(path.name))
    out: list[Override] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        fields = entry if isinstance(entry, dict) else {}
        simp, trad, why = fields.get("simplified"), fields.get("traditional"), fields.get("why")
        if not (isinstance(simp, str) and simp and isinstance(trad, str) and trad and isinstance(why, str) and why):
            raise BuildError(
                "{0}: phrases[{1}] needs non-empty text fields simplified, traditional and why".format(path.name, i)
            )
        if simp in seen:
            raise BuildError("{0}: phrases[{1}]: {2} is listed twice".format(path.name, i, simp))
        seen.add(simp)
        out.append(Override(simp, trad, why))
    return out, payload_digest(data)


def check_overrides(overrides: Sequence[Override], back: Converter) -> None:
    """Refuse an override that changes words rather than characters (its Traditional must read back)."""
    for o in overrides:
        if back.convert(o.traditional) != o.simplified:
            raise BuildError(
                "override {0} → {1}: converts back to {2}; an override may only choose characters".format(
                    o.simplified, o.traditional, back.convert(o.traditional)
                )
            )


def convert(text: str, converter: Converter, overrides: Sequence[Override]) -> str:
    """Convert one string: override phrases (longest first) as reviewed, the text between them by OpenCC."""
    if not overrides:
        return converter.convert(text)
    table = {o.simplified: o.traditional for o in overrides}
    pattern = re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)))
    parts: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        parts.append(converter.convert(text[pos : m.start()]) if m.start() > pos else "")
        parts.append(table[m.group(0)])
        pos = m.end()
    parts.append(converter.convert(text[pos:]) if pos < len(text) else "")
    return "".join(parts)


def build_map(
    payload: Mapping[str, Any],
    converter: Converter,
    overrides: Sequence[Override],
    *,
    opencc_label: str,
    overrides_digest: str,
) -> dict[str, Any]:
    """The zh_TW map of a payload (pure: the converter is passed in, so tests need no OpenCC)."""
    return {
        "source_digest": payload_digest(payload),
        "opencc": opencc_label,
        "overrides_digest": overrides_digest,
        "strings": {s: convert(s, converter, overrides) for s in display_strings(payload)},
    }


def unused_overrides(payload: Mapping[str, Any], overrides: Sequence[Override]) -> list[Override]:
    """Overrides that no string of the payload contains (stale entries a reviewer should remove)."""
    strings = display_strings(payload)
    return [o for o in overrides if not any(o.simplified in s for s in strings)]


def dump_map(data: Mapping[str, Any]) -> bytes:
    """One string pair per line, sorted, so that a change reads as a small diff in review."""
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def map_path_for(bundle_path: Path, bundle_id: str) -> Path:
    return bundle_path.parent / (bundle_id + MAP_SUFFIX)


def _opencc(config: str) -> tuple[Converter, str]:
    """An OpenCC converter and its label. Imported by name: OpenCC is a build-time tool, not a dependency."""
    try:
        opencc: Any = importlib.import_module("opencc")
    except ImportError:
        raise BuildError("OpenCC is needed to build the zh_TW map: .venv/bin/pip install 'opencc>=1.1.9,<2'") from None
    return opencc.OpenCC(config), "{0} (OpenCC {1})".format(config, opencc.__version__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fzmediate.catalogue.translate_build",
        description="Build the Traditional Chinese (zh_TW) map of a signed catalogue bundle's text.",
    )
    parser.add_argument("--bundle", type=Path, default=resource(*SHIPPED_BUNDLE), help="signed bundle file")
    parser.add_argument("--overrides", type=Path, default=resource(*OVERRIDES_FILE), help="reviewed override table")
    parser.add_argument("--out", type=Path, help="map file (default: <bundle_id>.zh_TW.json beside the bundle)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the map file is not up to date")
    args = parser.parse_args(argv)
    try:
        payload = read_payload(args.bundle)
        overrides, overrides_digest = load_overrides(args.overrides)
        converter, label = _opencc(OPENCC_CONFIG)
        back, _label = _opencc(OPENCC_BACK)
        check_overrides(overrides, back)
    except BuildError as exc:
        print("error: {0}".format(exc), file=sys.stderr)
        return 2
    data = build_map(payload, converter, overrides, opencc_label=label, overrides_digest=overrides_digest)
    out: Path = args.out or map_path_for(args.bundle, str(payload["bundle_id"]))
    for o in unused_overrides(payload, overrides):
        print("warning: override {0} matches no string of the bundle".format(o.simplified), file=sys.stderr)
    new = dump_map(data)
    old = out.read_bytes() if out.is_file() else b""
    if args.check:
        if old != new:
            print("{0} is stale: run python -m fzmediate.catalogue.translate_build".format(out.name), file=sys.stderr)
            return 1
        print("{0} is up to date ({1} strings)".format(out.name, len(data["strings"])))
        return 0
    if old != new:
        out.write_bytes(new)
    changed = sum(1 for s, t in data["strings"].items() if s != t)
    print("wrote {0}: {1} strings, {2} differ from the Simplified text".format(out.name, len(data["strings"]), changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
