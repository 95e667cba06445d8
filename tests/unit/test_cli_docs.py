"""``fzmediate doc …`` end to end: the real command in a subprocess, exit codes, JSON, verification without unlock.

The store is prepared in-process (synthetic lifecycles, fast KDF, the real clock: every act is dated in 2026
before the day this runs) and then used by the command as a user would.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from fzmediate import cli
from fzmediate.documents.templates.kinds import KINDS
from fzmediate.i18n import set_locale
from fzmediate.services.workspace import Workspace
from tests.cli_helpers import Result, run_cli
from tests.documents import case_lifecycles as life
from tests.support import ADMIN_PW, FAST_KDF

MED = {"FZMEDIATE_PASSWORD": life.MEDIATOR[1]}


@dataclass(frozen=True)
class Store:
    data: Path
    agreed: str
    adjudicated: str
    #: The land desk's data directory (the adjudicated case lives there).
    land: Path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    set_locale("zh_CN")
    data = tmp_path_factory.mktemp("cli-docs") / "data"
    ws = Workspace(data, kdf=FAST_KDF)
    ws.initialize("admin", ADMIN_PW, full_name="管理员")
    life.staff(ws)
    with ws.unlock(*life.MEDIATOR) as s:
        agreed = life.agreed_case(s)
        number = s.cases.get(agreed).number
    land = life.land_desk(ws)
    adjudicated = life.adjudicated_case(land)
    return Store(data, number, adjudicated, land.paths.root)


def doc(
    store: Store, *args: str, env: dict[str, str] | None = None, user: bool = True, data: Path | None = None
) -> Result:
    who = ["--user", life.MEDIATOR[0]] if user else []
    where = str(data or store.data)
    return run_cli("--lang", "en", "doc", *args, "--data-dir", where, *who, env=MED if env is None else env)


def versions(store: Store, kind: str) -> list[dict[str, object]]:
    """The issued versions of ``kind`` in the agreed case, oldest first."""
    r = doc(store, "list", "--case", store.agreed, "--json")
    assert r.code == 0, r.err
    return [d for d in json.loads(r.out) if d["kind"] == kind]


def one_line(r: Result) -> str:
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    return lines[0]


def test_kinds_are_listed_without_a_store() -> None:
    r = run_cli("doc", "kinds", "--json")
    assert r.code == 0, r.err
    names = [row["name"] for row in json.loads(r.out)]
    assert set(names) == {*KINDS, "guide"}


def test_render_a_draft_then_issue_verify_and_tamper(store: Store, tmp_path: Path) -> None:
    draft = tmp_path / "draft.pdf"
    r = doc(store, "render", "agreement", "--case", store.agreed, "--out", str(draft))
    assert r.code == 0, r.err
    assert "Draft" in r.out and draft.read_bytes().startswith(b"%PDF")
    assert draft.stat().st_mode & 0o077 == 0  # personal data: readable by the owner only

    issued = tmp_path / "agreement.pdf"
    before = versions(store, "agreement")  # the archived case file already holds one
    r = doc(store, "render", "agreement", "--case", store.agreed, "--out", str(issued), "--issue", "--json")
    assert r.code == 0, r.err
    info = json.loads(r.out)
    assert (info["kind"], info["version"]) == ("agreement", len(before) + 1)
    assert hashlib.sha256(issued.read_bytes()).hexdigest() == info["sha256"]

    # Verification needs no user and no password. The store's own key is self-issued (the district has not
    # certified it): intact, never valid, exit 3 (tests/documents/test_office_cli.py certifies one).
    r = doc(store, "verify", str(issued), env={}, user=False)
    assert r.code == 3, r.err
    assert info["id"] in r.err and "not certified by a district root" in one_line(r)
    r = doc(store, "verify", str(issued), "--json", env={}, user=False)
    assert r.code == 3 and json.loads(r.out)["reason"] == "not_certified"

    data = bytearray(issued.read_bytes())
    at = data.find(b"/Producer")
    data[at + 12] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    r = doc(store, "verify", str(tampered), env={}, user=False)
    assert r.code == 1 and one_line(r).startswith("Invalid: the bytes were changed")
    r = doc(store, "verify", str(tampered), "--json", env={}, user=False)
    assert r.code == 1 and json.loads(r.out)["reason"] == "altered"


def test_verify_no_longer_takes_a_certificates_file(store: Store, tmp_path: Path) -> None:
    issued = tmp_path / "decision.pdf"
    made = doc(
        store, "render", "decision", "--case", store.adjudicated, "--out", str(issued), "--issue", data=store.land
    )
    assert made.code == 0, made.err
    exported = store.land / "office-certificates.pem"
    assert exported.exists()  # still written, for information
    r = doc(store, "verify", str(issued), "--certificates", str(exported), "--json", env={}, user=False)
    assert r.code == 2


def test_list_get_and_reissue(store: Store, tmp_path: Path) -> None:
    first = tmp_path / "v1.pdf"
    before = len(versions(store, "acceptance_notice"))
    assert doc(store, "render", "acceptance_notice", "--case", store.agreed, "--out", str(first), "--issue").code == 0
    second = tmp_path / "v2.pdf"
    r = doc(
        store, "render", "acceptance_notice", "--case", store.agreed, "--out", str(second), "--issue",
        "--reason", "更正", "--json",
    )  # fmt: skip
    assert r.code == 0, r.err
    v2 = json.loads(r.out)
    r = doc(store, "list", "--case", store.agreed, "--json")
    assert r.code == 0, r.err
    rows = [d for d in json.loads(r.out) if d["kind"] == "acceptance_notice"][before:]
    assert [(d["version"], d["current"]) for d in rows] == [(before + 1, False), (before + 2, True)]
    assert v2["supersedes"] == rows[0]["id"]
    fetched = tmp_path / "fetched.pdf"
    assert doc(store, "get", rows[0]["id"], "--out", str(fetched)).code == 0
    assert fetched.read_bytes() == first.read_bytes()


def test_casefile(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "juanzong.pdf"
    application = str(tmp_path / "a.pdf")
    assert doc(store, "render", "application", "--case", store.agreed, "--out", application, "--issue").code == 0
    r = doc(store, "casefile", "--case", store.agreed, "--out", str(out))
    assert r.code == 0, r.err
    assert len(pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages) >= 4


def test_guide_takes_a_matter(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "guide.pdf"
    r = doc(store, "render", "guide", "--matter", "PS-TJ-007", "--out", str(out))
    assert r.code == 0, r.err
    assert out.read_bytes().startswith(b"%PDF")
    r = doc(store, "render", "guide", "--out", str(out))
    assert r.code == 2 and "--matter" in r.err


def test_refusals_are_one_line_and_exit_1(store: Store, tmp_path: Path) -> None:
    r = doc(store, "render", "decision", "--case", store.agreed, "--out", str(tmp_path / "x.pdf"))
    assert r.code == 1 and "行政裁决书" in one_line(r)
    r = doc(store, "render", "settlement", "--case", store.agreed, "--out", str(tmp_path / "x.pdf"))
    assert r.code == 1 and "settlement" in one_line(r)
    r = doc(store, "render", "agreement", "--out", str(tmp_path / "x.pdf"))
    assert r.code == 2 and "--case" in r.err
    assert not (tmp_path / "x.pdf").exists()


def test_the_doc_commands_are_registered() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["doc", "verify", "x.pdf"])
    assert args.func.__name__ == "cmd_doc_verify"
