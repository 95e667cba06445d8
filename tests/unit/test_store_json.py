"""JSON columns are stored compactly, Chinese as itself, and read back the same (fzmediate.store.engine)."""

from __future__ import annotations

import json

from fzmediate.store.engine import store_json


def test_chinese_is_stored_as_itself_and_reads_back_the_same() -> None:
    value = {"name": "𠮷永䶮", "note": "材料齐全", "n": [1, 2]}
    text = store_json(value)
    assert text == '{"name":"𠮷永䶮","note":"材料齐全","n":[1,2]}'
    assert len(text.encode("utf-8")) < len(json.dumps(value).encode("utf-8")) / 1.5
    assert json.loads(text) == value


def test_a_lone_surrogate_keeps_its_escape() -> None:
    value = json.loads('{"x": "a\\ud800b"}')  # valid JSON from elsewhere, not valid UTF-8 as text
    text = store_json(value)
    text.encode("utf-8")  # storable
    assert json.loads(text) == value
