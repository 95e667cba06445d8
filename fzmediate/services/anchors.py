"""Audit anchors: heads of the audit chain kept outside the store, so that deleting the newest events shows.

A valid chain can be made shorter without breaking a link or a signature. What catches that is a head that
left the store before the deletion:

- every issued document's signed payload carries the head at issuance (``fzmediate.documents``);
- ``fzmediate audit anchor`` prints a *head receipt* for the supervisor's logbook: one line with the store
  id, sequence number and hash, signed by the user who took it;
- (later) the district server records the head at every sync.

``check_anchors`` proves the chain still contains each anchored head (same sequence number, same hash).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.security.audit import contains_head, head
from fzmediate.security.grants import canonical, public_b64, verify_signature
from fzmediate.security.roles import Permission

if TYPE_CHECKING:
    from fzmediate.services.session import Session

RECEIPT_PREFIX = "FZANCHOR1"
RECEIPT_CONTEXT = b"fzmediate:audit-anchor:v1\n"
MAX_RECEIPT_BYTES = 4096


@dataclass(frozen=True)
class Anchor:
    """One head taken earlier: where it came from (file name only), its store, sequence number and hash."""

    source: str
    store_id: str
    seq: int
    hash: str


@dataclass(frozen=True)
class HeadReceipt:
    store_id: str
    seq: int
    hash: str
    at: str
    login: str
    signer_key: str
    signature: str

    def message(self) -> bytes:
        return RECEIPT_CONTEXT + canonical([self.store_id, self.seq, self.hash, self.at, self.login, self.signer_key])

    def line(self) -> str:
        """The receipt as one line of text (ASCII, for a logbook or a file)."""
        fields = [self.store_id, str(self.seq), self.hash, self.at, self.login, self.signer_key, self.signature]
        return RECEIPT_PREFIX + "|" + "|".join(fields)


def take_receipt(session: Session) -> HeadReceipt:
    """The current head, signed by the acting user; the taking itself is audited (after the receipt's head)."""
    session.require(Permission.CHECK)
    with session.read() as s:
        seq, digest = head(s)
    at = session.now().isoformat(timespec="seconds")
    key = session.signing_key
    unsigned = HeadReceipt(session.store_id, seq, digest, at, session.actor.login, public_b64(key), "")
    signature = base64.b64encode(key.sign(unsigned.message())).decode("ascii")
    receipt = HeadReceipt(**{**unsigned.__dict__, "signature": signature})
    with session.write("audit.anchor", "store", session.store_id, {"seq": seq, "hash": digest}):
        pass
    return receipt


def parse_receipt(text: str, source: str) -> HeadReceipt:
    bad = ValidationError(
        _("Anchor {source}: not an audit head receipt, or its signature does not match.").format(source=source),
        field="anchor",
    )
    line = next((ln.strip() for ln in text.splitlines() if ln.strip().startswith(RECEIPT_PREFIX + "|")), "")
    parts = line.split("|")
    if len(parts) != 8:
        raise bad
    try:
        receipt = HeadReceipt(parts[1], int(parts[2]), parts[3], parts[4], parts[5], parts[6], parts[7])
    except ValueError:
        raise bad from None
    if not verify_signature(receipt.signer_key, receipt.signature, receipt.message()):
        raise bad
    return receipt


def read_anchor_file(path: Path) -> Anchor:
    """An anchor from an issued PDF (its signed audit head) or from a head receipt file."""
    name = path.name
    try:
        data = path.read_bytes()[: 64 * 1024 * 1024]
    except OSError:
        raise ValidationError(
            _("Anchor {source}: the file cannot be read.").format(source=name), field="anchor"
        ) from None
    if data.startswith(b"%PDF"):
        from fzmediate.documents.verify import read_anchor

        found = read_anchor(data)
        if found is None:
            raise ValidationError(
                _("Anchor {source}: the document carries no signed audit head (or its signature fails).").format(
                    source=name
                ),
                field="anchor",
            )
        seq, digest = found
        return Anchor(name, "", seq, digest)  # a document names no store id: its head must simply be in this chain
    receipt = parse_receipt(data[:MAX_RECEIPT_BYTES].decode("utf-8", errors="replace"), name)
    return Anchor(name, receipt.store_id, receipt.seq, receipt.hash)


def check_anchors(session: Session, anchors: list[Anchor]) -> list[str]:
    """Localized problems: an anchor of another store, or a head the chain no longer contains."""
    problems: list[str] = []
    with session.read() as s:
        for a in anchors:
            if a.store_id and a.store_id != session.store_id:
                problems.append(_("Anchor {source}: it belongs to another store.").format(source=a.source))
            elif not contains_head(s, a.seq, a.hash):
                problems.append(
                    _(
                        "Anchor {source}: the audit log no longer contains event {seq} as it was then "
                        "(events were removed or rewritten)."
                    ).format(source=a.source, seq=a.seq)
                )
    return problems
