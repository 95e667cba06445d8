"""Attacks on roles and the audit log by a staff member who holds the database key.

Each test opens the database the way an insider would — their own password, their own key slot, sqlcipher3
in a Python shell (``tests/security/insider.py``) — changes what the services would never let them change,
and then checks that fzmediate detects it and names it: at unlock, in ``check``, or against an anchor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fzmediate.errors import PermissionDenied, StoreDamagedError, ValidationError
from fzmediate.i18n import set_locale
from fzmediate.security.grants import Grant
from fzmediate.services.anchors import Anchor, check_anchors, parse_receipt, take_receipt
from fzmediate.services.unlock_trust import StoreTamperedError
from fzmediate.services.workspace import Workspace
from tests.security.insider import b64, own_signing_key, raw_db, rehash_chain
from tests.support import ADMIN_PW, MEDIATOR_PW, SUPERVISOR_PW


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The assertions read the (English) source messages; translations are checked in test_catalogs.py.
    set_locale("en")
    yield
    set_locale("zh_CN")


@pytest.fixture
def staffed(initialized: Workspace) -> Workspace:
    with initialized.unlock("admin", ADMIN_PW) as s:
        s.users.add("med1", "mediator", MEDIATOR_PW)
        s.users.add("sup1", "supervisor", SUPERVISOR_PW, legally_qualified=True)
    with initialized.unlock("med1", MEDIATOR_PW):
        pass
    with initialized.unlock("sup1", SUPERVISOR_PW):
        pass
    return initialized


def check_problems(ws: Workspace, anchors: list[Anchor] | None = None) -> list[str]:
    with ws.unlock("admin", ADMIN_PW, inspect=True) as s:
        return list(s.maintenance.check(anchors or []).problems)


def test_an_untouched_store_checks_clean_and_roles_come_from_signed_grants(staffed: Workspace) -> None:
    assert check_problems(staffed) == []
    with staffed.unlock("sup1", SUPERVISOR_PW) as s:
        assert s.actor.role is not None and s.actor.role.value == "supervisor" and s.actor.legally_qualified
        assert s.trust_warnings == []


def test_a_mediator_who_makes_themselves_administrator_is_refused_and_named(staffed: Workspace) -> None:
    data = staffed.paths.root
    with raw_db(data, "med1", MEDIATOR_PW) as db:
        db.execute("UPDATE users SET role = 'admin' WHERE login = 'med1'")
    with pytest.raises(PermissionDenied) as refused:
        staffed.unlock("med1", MEDIATOR_PW)
    assert "differs from what an administrator signed" in refused.value.message
    problems = check_problems(staffed)
    assert any(p.startswith("User med1:") for p in problems)
    # Other people keep working, and the administrator is told.
    with staffed.unlock("admin", ADMIN_PW) as s:
        assert any("med1" in w for w in s.trust_warnings)


def test_a_self_signed_grant_is_not_an_administrators(staffed: Workspace) -> None:
    data = staffed.paths.root
    mine = own_signing_key(data, "med1", MEDIATOR_PW)
    with raw_db(data, "med1", MEDIATOR_PW) as db:
        (grant_json,) = db.execute("SELECT grant_json FROM users WHERE login = 'med1'").fetchone()
        forged = Grant(**{**json.loads(grant_json), "role": "admin", "granted_by": "med1", "former_keys": ()})
        db.execute(
            "UPDATE users SET role = 'admin', grant_json = ?, grant_signature = ?, granted_by = 'med1' "
            "WHERE login = 'med1'",
            (forged.to_json(), forged.sign(mine)),
        )
    with pytest.raises(PermissionDenied) as refused:
        staffed.unlock("med1", MEDIATOR_PW)
    assert "no valid administrator signature" in refused.value.message
    assert any("User med1:" in p for p in check_problems(staffed))


def test_swapping_in_another_signing_key_for_a_user_is_caught_at_their_unlock(staffed: Workspace) -> None:
    data = staffed.paths.root
    theirs = own_signing_key(data, "med1", MEDIATOR_PW)
    with raw_db(data, "med1", MEDIATOR_PW) as db:
        db.execute(
            "UPDATE users SET signing_public_key = ? WHERE login = 'sup1'",
            (b64(theirs.public_key().public_bytes_raw()),),
        )
    with pytest.raises(StoreTamperedError) as refused:
        staffed.unlock("sup1", SUPERVISOR_PW)
    assert "signing key differs" in refused.value.message


def test_editing_another_users_event_is_caught_even_when_the_chain_is_rehashed(staffed: Workspace) -> None:
    data = staffed.paths.root
    with raw_db(data, "med1", MEDIATOR_PW) as db:
        db.execute("UPDATE audit_events SET details = '{\"role\":\"mediator\"}' WHERE action = 'user.add' AND seq > 2")
    problems = check_problems(staffed)
    assert any("hash mismatch" in p for p in problems)
    with raw_db(data, "med1", MEDIATOR_PW) as db:
        rehash_chain(db)  # links and head now agree again…
    problems = check_problems(staffed)
    assert not any("hash mismatch" in p or "chain broken" in p for p in problems)
    assert any("signature does not match" in p for p in problems)  # …but the signatures do not
    with pytest.raises(StoreTamperedError):
        staffed.unlock("sup1", SUPERVISOR_PW)  # their checkpoint no longer matches the rewritten chain


def test_re_signing_the_rewritten_chain_with_ones_own_key_names_the_real_actor(staffed: Workspace) -> None:
    data = staffed.paths.root
    mine = own_signing_key(data, "med1", MEDIATOR_PW)
    with raw_db(data, "med1", MEDIATOR_PW) as db:
        db.execute("DELETE FROM audit_events WHERE action = 'session.lock' AND actor = 'sup1'")
        rows = db.execute("SELECT seq FROM audit_events ORDER BY seq").fetchall()
        for new_seq, (old_seq,) in enumerate(rows, start=1):
            db.execute("UPDATE audit_events SET seq = ? WHERE seq = ?", (new_seq, old_seq))
        rehash_chain(db, resign_with=mine)
    problems = check_problems(staffed)
    assert any("is not signed by a key of admin" in p for p in problems)
    assert any("is not signed by a key of sup1" in p for p in problems)


def test_deleting_the_newest_events_is_caught_by_a_head_receipt_and_by_checkpoints(staffed: Workspace) -> None:
    with staffed.unlock("sup1", SUPERVISOR_PW) as s:
        receipt = take_receipt(s)
    anchor = parse_receipt(receipt.line(), "logbook.txt")
    assert check_problems(staffed, [Anchor("logbook.txt", anchor.store_id, anchor.seq, anchor.hash)]) == []
    data = staffed.paths.root
    with raw_db(data, "med1", MEDIATOR_PW) as db:
        (last,) = db.execute("SELECT max(seq) FROM audit_events").fetchone()
        cut = anchor.seq - 1
        db.execute("DELETE FROM audit_events WHERE seq > ?", (cut,))
        (digest,) = db.execute("SELECT hash FROM audit_events WHERE seq = ?", (cut,)).fetchone()
        db.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("{0}:{1}".format(cut, digest),))
        assert last > cut
    # The shorter chain is valid in itself…
    with staffed.unlock("admin", ADMIN_PW, inspect=True) as s:
        problems = check_anchors(s, [Anchor("logbook.txt", anchor.store_id, anchor.seq, anchor.hash)])
    # …but the anchor is gone, and so is the head the supervisor verified at their last unlock.
    assert problems and "logbook.txt" in problems[0] and str(anchor.seq) in problems[0]
    with pytest.raises(StoreTamperedError) as refused:
        staffed.unlock("sup1", SUPERVISOR_PW)
    assert "events removed" in refused.value.message


def test_naming_oneself_genesis_administrator_in_meta_is_caught(staffed: Workspace) -> None:
    data = staffed.paths.root
    mine = own_signing_key(data, "med1", MEDIATOR_PW)
    with raw_db(data, "med1", MEDIATOR_PW) as db:
        db.execute("UPDATE meta SET value = 'med1' WHERE key = 'genesis_admin'")
        db.execute(
            "UPDATE meta SET value = ? WHERE key = 'genesis_signing_key'",
            (b64(mine.public_key().public_bytes_raw()),),
        )
    with pytest.raises(StoreDamagedError) as refused:
        staffed.unlock("admin", ADMIN_PW)
    assert "first administrator record" in refused.value.message


def test_a_head_receipt_cannot_be_forged_or_edited(staffed: Workspace) -> None:
    with staffed.unlock("admin", ADMIN_PW) as s:
        line = take_receipt(s).line()
    fields = line.split("|")
    fields[2] = str(int(fields[2]) + 5)
    with pytest.raises(ValidationError, match="signature"):
        parse_receipt("|".join(fields), "edited.txt")


def test_check_anchor_on_the_command_line(staffed: Workspace, tmp_path: Path) -> None:
    from fzmediate.cli import main

    receipt_file = tmp_path / "head.txt"
    env_pw = {"FZMEDIATE_PASSWORD": SUPERVISOR_PW}
    import os

    old = dict(os.environ)
    os.environ.update(env_pw)
    try:
        data = str(staffed.paths.root)
        assert main(["audit", "anchor", "--data-dir", data, "--user", "sup1", "--out", str(receipt_file)]) == 0
        assert main(["check", "--data-dir", data, "--user", "sup1", "--anchor", str(receipt_file)]) == 0
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_an_issued_document_anchors_the_head_it_was_issued_at(staffed: Workspace, tmp_path: Path) -> None:
    from fzmediate.services.anchors import read_anchor_file
    from tests.cases_support import intake

    with staffed.unlock("admin", ADMIN_PW) as s:
        s.organisation.set_desk_unit("PS-JD-PS")
    with staffed.unlock("med1", MEDIATOR_PW) as s:
        case = s.cases.create(intake(received_on="2026-11-29"))
        issued = s.documents.issue("receipt", case.id)
        pdf = tmp_path / "receipt.pdf"
        pdf.write_bytes(s.documents.get_pdf(issued.id))
    anchor = read_anchor_file(pdf)
    assert anchor.seq > 0
    assert check_problems(staffed, [anchor]) == []
    with raw_db(staffed.paths.root, "med1", MEDIATOR_PW) as db:
        (digest,) = db.execute("SELECT hash FROM audit_events WHERE seq = ?", (anchor.seq - 1,)).fetchone()
        db.execute("DELETE FROM audit_events WHERE seq >= ?", (anchor.seq,))
        db.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("{0}:{1}".format(anchor.seq - 1, digest),))
    problems = check_problems(staffed, [anchor])
    assert any("receipt.pdf" in p and "no longer contains event" in p for p in problems)


@pytest.mark.parametrize("parallel", [False, True], ids=["one-walk", "segments"])
def test_check_finds_the_same_problems_walking_in_segments(
    staffed: Workspace, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    """``check`` of a long chain walks it in segments on every CPU; the joins are checked like every link."""
    import fzmediate.security.audit as audit

    if parallel:
        monkeypatch.setattr(audit, "PARALLEL_THRESHOLD", 2)
    assert check_problems(staffed) == []
    data = staffed.paths.root
    with raw_db(data, "med1", MEDIATOR_PW) as db:
        (count,) = db.execute("SELECT count(*) FROM audit_events").fetchone()
        middle = count // 2  # at or next to a segment boundary with two workers
        db.execute("UPDATE audit_events SET prev_hash = ? WHERE seq = ?", ("0" * 64, middle + 1))
        db.execute("UPDATE audit_events SET signature = ? WHERE seq = ?", (b64(b"\0" * 64), middle - 2))
    problems = check_problems(staffed)
    assert any("Audit event {0}: does not link".format(middle + 1) in p for p in problems)
    assert any("Audit event {0}: its signature does not match".format(middle - 2) in p for p in problems)
