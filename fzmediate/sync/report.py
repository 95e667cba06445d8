"""What one sync did: counts only. Light (no httpx, no store), so it crosses to the desk's GUI process as it is."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class SyncReport:
    """What one sync did: counts only (no personal data), also kept in ``sync_state.last_report``."""

    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    errors: int = 0
    up_to_date: bool = False
    #: Pulled changes that needed nothing (already here, or not a desk's kind of row).
    skipped: int = 0
    clock_offset_s: float = 0.0
    #: Applications sealed at kiosks that this sync brought into the intake inbox.
    applications: int = 0
    #: District certificates for the office key installed by this sync (0 or 1; docs/sync-protocol.md).
    office_certificates: int = 0
    #: Catalogue versions installed from the district server by this sync (0 or 1).
    catalogue: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> SyncReport | None:
        """A report kept by an earlier sync (fields this version does not know are left out)."""
        if not values:
            return None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
