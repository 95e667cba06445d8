"""An outbox row on its way to the district server, as the push sends it (docs/sync-protocol.md, "Push")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, cast

from pydantic_core import to_json
from sqlalchemy import Row

from fzmediate.store.engine import store_json
from fzmediate.store.models import OutboxEntry
from fzmediate.sync.protocol import Change, Op


@dataclass(eq=False)
class Outgoing:
    """An outbox row on its way to the server: the fields of :class:`Change`, the payload kept as the JSON text
    the store holds. It goes on the wire as that text (:meth:`wire`) and is parsed only when asked for
    (:attr:`payload`: the acknowledgement needs it for cases, documents and attachments only). A push of 40,000
    changes parsed every payload and built a model of each to encode them again: a third of the desk's work."""

    change_id: str
    device_seq: int
    entity: str
    entity_id: str
    op: Op
    base_version: int | None
    version: int
    payload_json: str
    actor: str
    created_at: datetime  # aware, UTC
    schema_version: str

    @classmethod
    def of(cls, row: OutboxEntry | Row[Any]) -> Outgoing:
        """The change of an outbox row (its payload as stored text, as :func:`pending_rows` reads it, or parsed)."""
        payload = row.payload
        return cls(
            change_id=row.change_id,
            device_seq=row.device_seq,
            entity=row.entity,
            entity_id=row.entity_id,
            op=cast(Op, row.op),
            base_version=row.base_version,
            version=row.version,
            payload_json=payload if isinstance(payload, str) else store_json(payload),
            actor=row.actor,
            created_at=row.created_at.replace(tzinfo=UTC),
            schema_version=row.schema_version,
        )

    @cached_property
    def payload(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.payload_json)
        return value

    def wire(self) -> bytes:
        """The change's JSON in the push request: the bytes ``Change.model_dump_json`` gives for it (tested), the
        payload spliced in as stored (compact, characters as themselves: what pydantic writes too)."""
        head = to_json(
            {
                "change_id": self.change_id,
                "device_seq": self.device_seq,
                "entity": self.entity,
                "entity_id": self.entity_id,
                "op": self.op,
                "base_version": self.base_version,
                "version": self.version,
            }
        )
        tail = to_json({"actor": self.actor, "created_at": self.created_at, "schema_version": self.schema_version})
        return head[:-1] + b',"payload":' + self.payload_json.encode() + b"," + tail[1:]


def wire_change(row: OutboxEntry | Row[Any]) -> Change:
    """An outbox row as the server reads it (validated from what the push sends)."""
    return Change.model_validate_json(Outgoing.of(row).wire())
