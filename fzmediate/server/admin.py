"""What district IT does with the server's database, for the ``fzmediate-server`` command: load the units,
list and revoke devices, count what the server holds. No payload is ever read here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fzmediate.server.db import Database, current_revision, head_revision
from fzmediate.server.models import ChangeLog, ConflictRow, Device, Unit


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    kind: str
    parent: str | None


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    device_code: str
    unit: str
    role: str
    label: str
    enrolled_at: datetime
    revoked_at: datetime | None
    acked_through: int

    def as_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "device_code": self.device_code,
            "unit": self.unit,
            "role": self.role,
            "label": self.label,
            "enrolled_at": self.enrolled_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "acked_through": self.acked_through,
        }


def is_ready(db: Database) -> bool:
    """True when the database has this build's schema (``init`` was run)."""
    return current_revision(db.engine) == head_revision()


def load_units(db: Database, units: Iterable[UnitRecord]) -> int:
    """Insert or update the units (a unit no longer listed is kept: devices may still belong to it)."""
    records = list(units)

    def work(session: Session) -> int:
        for record in records:
            row = session.get(Unit, record.code)
            if row is None:
                session.add(Unit(code=record.code, name=record.name, kind=record.kind, parent=record.parent))
            else:
                row.name, row.kind, row.parent = record.name, record.kind, record.parent
        return len(records)

    return db.transaction(work)


def devices(db: Database) -> list[DeviceInfo]:
    with db.sessions() as session:
        rows = session.scalars(select(Device).order_by(Device.unit, Device.device_code))
        return [
            DeviceInfo(
                r.device_id, r.device_code, r.unit, r.role, r.label, r.enrolled_at, r.revoked_at, r.acked_through
            )
            for r in rows
        ]


def revoke(db: Database, device: str) -> DeviceInfo | None:
    """Revoke the device named by its id or its device code; None when there is no such device. Revoking
    twice keeps the first time."""

    def work(session: Session) -> DeviceInfo | None:
        row = session.scalar(
            select(Device).where(or_(Device.device_id == device, Device.device_code == device.upper()))
        )
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = db.now()
        return DeviceInfo(
            row.device_id, row.device_code, row.unit, row.role, row.label, row.enrolled_at, row.revoked_at, 0
        )

    return db.transaction(work)


def stats(db: Database) -> dict[str, Any]:
    """Counts: devices by role (active and revoked), changes taken, open conflicts; the same per unit."""
    with db.sessions() as session:
        per_unit: dict[str, dict[str, int]] = {}

        def unit(code: str) -> dict[str, int]:
            return per_unit.setdefault(code, {"desks": 0, "kiosks": 0, "revoked": 0, "changes": 0, "conflicts_open": 0})

        by_role: dict[str, int] = {"desk": 0, "kiosk": 0, "revoked": 0}
        device_rows = session.execute(
            select(Device.unit, Device.role, Device.revoked_at.is_not(None), func.count()).group_by(
                Device.unit, Device.role, Device.revoked_at.is_not(None)
            )
        )
        for code, role, revoked, count in device_rows:
            key = "revoked" if revoked else role
            by_role[key] = by_role.get(key, 0) + count
            unit(code)["revoked" if revoked else role + "s"] += count
        changes = 0
        for code, count in session.execute(select(ChangeLog.unit, func.count()).group_by(ChangeLog.unit)):
            unit(code)["changes"] += count
            changes += count
        conflicts = 0
        open_rows = select(ConflictRow.unit, func.count()).where(ConflictRow.resolved_at.is_(None))
        for code, count in session.execute(open_rows.group_by(ConflictRow.unit)):
            unit(code)["conflicts_open"] += count
            conflicts += count
        return {
            "devices": by_role,
            "changes": changes,
            "conflicts_open": conflicts,
            "units": {code: per_unit[code] for code in sorted(per_unit)},
        }
