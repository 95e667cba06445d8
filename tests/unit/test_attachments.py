"""Attachments of a case: stored encrypted, read back identical, refused by content and size, never deleted, and
never named in the audit or the log."""

from __future__ import annotations

import logging
import struct
import zlib

import pytest

from fzmediate.errors import NotFoundError, ValidationError
from fzmediate.services.attachments import (
    HEIC,
    JPEG,
    MAX_BYTES,
    PDF,
    PNG,
    TIFF,
    AttachmentService,
    NewAttachment,
    detect_media_type,
)
from fzmediate.services.session import Session
from fzmediate.services.workspace import Workspace
from fzmediate.store.models import OutboxEntry
from tests.cases_support import intake
from tests.support import ADMIN_PW

#: A file name that is personal data: it must appear nowhere outside the encrypted store.
SECRET_NAME = "王𠮷身份证正面扫描件.png"


def png_bytes(marker: bytes = b"fzmediate-canary-0001") -> bytes:
    """A valid 1×1 PNG carrying ``marker`` in a text chunk (so its presence in a file can be searched)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"tEXt", b"Comment\x00" + marker)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def case_id(session: Session) -> str:
    return session.cases.create(intake(), confirm_duplicate=True).id


def test_media_type_comes_from_the_content_not_the_name() -> None:
    assert detect_media_type(png_bytes()) == PNG
    assert detect_media_type(b"\xff\xd8\xff\xe0" + b"\x00" * 16) == JPEG
    assert detect_media_type(b"%PDF-1.7\n") == PDF
    assert detect_media_type(b"II*\x00" + b"\x00" * 8) == TIFF
    assert detect_media_type(b"MM\x00*" + b"\x00" * 8) == TIFF
    assert detect_media_type(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 8) == HEIC
    assert detect_media_type(b"MZ\x90\x00 an exe named photo.jpg") is None
    assert detect_media_type(b"\x00\x00\x00\x18ftypisom") is None  # an MP4 video


def test_added_bytes_read_back_identical_and_listed(session: Session, case_id: str) -> None:
    service = AttachmentService(session)
    data = png_bytes()
    [info] = service.add(case_id, [NewAttachment(SECRET_NAME, data, material="申请人身份证明")])
    assert (info.name, info.media_type, info.size, info.material) == (SECRET_NAME, PNG, len(data), "申请人身份证明")
    listed = service.list(case_id)
    assert [a.id for a in listed] == [info.id] and not listed[0].removed
    read = service.read(info.id)
    assert read.data == data and read.info.sha256 == info.sha256
    outbox = [e for e in _outbox(session) if e.entity == "attachment"]
    assert len(outbox) == 1 and "data" not in outbox[0].payload and outbox[0].payload["sha256"] == info.sha256


def test_bytes_and_name_are_encrypted_at_rest(initialized: Workspace, tmp_path: object) -> None:
    from fzmediate.logsetup import configure_logging

    marker = b"fzmediate-canary-7f3a9c"
    configure_logging(initialized.paths.logs)
    with initialized.unlock("admin", ADMIN_PW) as s:
        case = s.cases.create(intake(), confirm_duplicate=True)
        [info] = AttachmentService(s).add(case.id, [NewAttachment(SECRET_NAME, png_bytes(marker))])
        AttachmentService(s).read(info.id)
    needles = [marker, *(SECRET_NAME.encode(enc) for enc in ("utf-8", "utf-16-le"))]
    checked = 0
    for path in initialized.paths.root.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            checked += 1
            assert not any(n in content for n in needles), path.name
    assert checked >= 2  # at least the store and the log were looked at


def test_audit_and_log_never_carry_the_file_name(
    session: Session, case_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    service = AttachmentService(session)
    with caplog.at_level(logging.DEBUG):
        [info] = service.add(case_id, [NewAttachment(SECRET_NAME, png_bytes())])
        service.read(info.id)
        service.remove(info.id, "扫错了文件")
        with pytest.raises(ValidationError) as refused:
            service.add(case_id, [NewAttachment(SECRET_NAME, b"not an image")])
    assert SECRET_NAME not in caplog.text and "王𠮷" not in caplog.text
    assert SECRET_NAME not in refused.value.message
    events = [e for e in session.maintenance.audit_tail() if e.action.startswith("attachment.")]
    assert {e.action for e in events} >= {"attachment.add", "attachment.show", "attachment.remove"}
    for event in events:
        assert "王𠮷" not in repr(event.details) and "扫错" not in repr(event.details)
    added = next(e for e in events if e.action == "attachment.add" and e.object_id == info.id)
    assert added.details == {"case": case_id, "media_type": PNG, "size": info.size}


def test_too_large_and_unknown_types_are_refused_naming_the_field(session: Session, case_id: str) -> None:
    service = AttachmentService(session)
    big = b"%PDF-1.7\n" + b"0" * MAX_BYTES
    with pytest.raises(ValidationError) as too_big:
        service.add(case_id, [NewAttachment("ok.png", png_bytes()), NewAttachment("big.pdf", big)])
    assert too_big.value.field == "attachments[1]"
    assert "attachments[1]" in too_big.value.message and "20 MB" in too_big.value.message
    with pytest.raises(ValidationError) as wrong:
        service.add(case_id, [NewAttachment("photo.jpg", b"GIF89a....")])
    assert wrong.value.field == "attachments[0]" and "JPEG" in wrong.value.message
    with pytest.raises(ValidationError) as empty:
        service.add(case_id, [NewAttachment("empty.png", b"")])
    assert empty.value.field == "attachments[0]"
    assert service.list(case_id) == ()  # all or none: the valid first file was not stored either


def test_removal_keeps_the_row_and_its_bytes(session: Session, case_id: str) -> None:
    service = AttachmentService(session)
    data = png_bytes()
    [info] = service.add(case_id, [NewAttachment("合同.png", data)])
    with pytest.raises(ValidationError):
        service.remove(info.id, "   ")
    removed = service.remove(info.id, "不是本案材料")
    assert removed.removed and removed.removed_reason == "不是本案材料" and removed.removed_by == "admin"
    assert [a.id for a in service.list(case_id)] == [info.id]
    assert service.list(case_id, include_removed=False) == ()
    assert service.read(info.id).data == data
    with pytest.raises(ValidationError):
        service.remove(info.id, "again")
    with pytest.raises(NotFoundError):
        service.remove("00000000-0000-0000-0000-000000000000", "x")


def test_adding_to_an_unknown_case_writes_nothing(session: Session) -> None:
    service = AttachmentService(session)
    before = len(_outbox(session))
    with pytest.raises(NotFoundError):
        service.add("00000000-0000-7000-8000-000000000000", [NewAttachment("a.png", png_bytes())])
    assert len(_outbox(session)) == before


def _outbox(session: Session) -> list[OutboxEntry]:
    from sqlalchemy import select

    with session.read() as s:
        rows = list(s.scalars(select(OutboxEntry).order_by(OutboxEntry.device_seq)))
        s.expunge_all()
        return rows
