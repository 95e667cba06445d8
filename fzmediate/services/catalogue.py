"""The catalogue inside the store: imported signed bundles, the active one, and the version each case is pinned to.

Every bundle ever imported is kept as the exact signed bytes it arrived as (``catalogue_bundles``), so a case
always runs under the rules it started with, whatever is imported later. ``meta.catalogue_active`` names the
bundle new cases use (``bundle_id:version``).

- On unlock, the bundle shipped with the app is imported if it is not there yet and it is newer than the active
  one of the same catalogue (or there is none): a fresh store and an app update both just work.
- ``import_bundle`` verifies the signature with the trusted keys and refuses a version that is not newer, or
  another catalogue (bundle id), unless ``force`` is given (e.g. to return to an earlier version).
- Stored bundles are re-validated against the schema when loaded, not re-verified: the bytes sit inside the
  authenticated, encrypted database, and a key retired later must not make an old case unreadable.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from fzmediate.catalogue.bundle import (
    SHIPPED_BUNDLE,
    BundleError,
    VerifiedBundle,
    read_bundle_file,
    require_newer,
    validate_payload,
    verify_bundle,
)
from fzmediate.catalogue.keys import TrustedKeys
from fzmediate.catalogue.model import Bundle, Matter
from fzmediate.errors import FzError, NotFoundError
from fzmediate.i18n import _
from fzmediate.procedure.calendar import WorkCalendar, parse_holiday_table
from fzmediate.resources import resource
from fzmediate.security.permissions import require
from fzmediate.store.models import CatalogueBundle, Meta

if TYPE_CHECKING:
    from fzmediate.services.session import Session

log = logging.getLogger(__name__)

ACTIVE_KEY = "catalogue_active"
BundleRef = tuple[str, int]


@dataclass(frozen=True)
class BundleInfo:
    bundle_id: str
    version: int
    label: str
    published_on: date
    digest: str
    imported_at: datetime
    imported_by: str
    active: bool


@dataclass(frozen=True)
class MatterSummary:
    code: str
    name: str
    kind: str
    area: str
    implementing_body: str
    procedure: str


class NoCatalogueError(FzError):
    """No catalogue bundle is installed in the store."""


def _ref_text(ref: BundleRef) -> str:
    return "{0}:{1}".format(ref[0], ref[1])


def _parse_ref(text: str) -> BundleRef:
    bundle_id, _sep, version = text.rpartition(":")
    return bundle_id, int(version)


def _info(row: CatalogueBundle, active: BundleRef | None) -> BundleInfo:
    return BundleInfo(
        bundle_id=row.bundle_id,
        version=row.version,
        label=row.label,
        published_on=row.published_on,
        digest=row.digest,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
        active=active == (row.bundle_id, row.version),
    )


def _decode_stored(raw: bytes) -> Bundle:
    payload = json.loads(raw.decode("utf-8-sig"))["bundle"]
    return validate_payload(payload)


class CatalogueService:
    def __init__(self, session: Session) -> None:
        self._s = session
        self._bundles: dict[BundleRef, Bundle] = {}
        self._calendars: dict[BundleRef, WorkCalendar] = {}
        self._active: BundleRef | None = None

    # --- installed bundles -----------------------------------------------------------------------
    def active_ref(self) -> BundleRef:
        """(bundle_id, version) of the bundle new cases use."""
        if self._active is None:
            with self._s.read() as s:
                self._active = self._read_active(s)
        if self._active is None:
            raise NoCatalogueError(_("No catalogue is installed; import one with `fzmediate catalogue import`."))
        return self._active

    @staticmethod
    def _read_active(s: OrmSession) -> BundleRef | None:
        row = s.get(Meta, ACTIVE_KEY)
        return _parse_ref(row.value) if row is not None else None

    def active(self) -> Bundle:
        return self.bundle(*self.active_ref())

    def bundle(self, bundle_id: str, version: int, s: OrmSession | None = None) -> Bundle:
        """A stored bundle by its exact version (what a case is pinned to). Cached for the session.

        ``s``: the unit of work the caller is already in (SQLite transactions do not nest).
        """
        ref = (bundle_id, version)
        cached = self._bundles.get(ref)
        if cached is None:
            if s is None:
                with self._s.read() as own:
                    raw = self._raw(own, ref)
            else:
                raw = self._raw(s, ref)
            cached = self._bundles[ref] = _decode_stored(raw)
        return cached

    @staticmethod
    def _raw(s: OrmSession, ref: BundleRef) -> bytes:
        row = s.get(CatalogueBundle, ref)
        if row is None:
            raise NotFoundError(
                _("Catalogue {bundle} version {version} is not installed.").format(bundle=ref[0], version=ref[1])
            )
        return row.raw

    def calendar(self, bundle_id: str, version: int, s: OrmSession | None = None) -> WorkCalendar:
        """The working-day calendar of a bundle: its holiday tables first, then the shipped ones, then the package."""
        ref = (bundle_id, version)
        cal = self._calendars.get(ref)
        if cal is None:
            bundle = self.bundle(bundle_id, version, s)
            origin = "{0} v{1}".format(bundle_id, version)
            tables = [parse_holiday_table(t.model_dump(mode="json"), origin=origin) for t in bundle.holiday_tables]
            cal = self._calendars[ref] = WorkCalendar(tables)
        return cal

    def bundles(self) -> list[BundleInfo]:
        require(self._s, "catalogue")
        with self._s.read() as s:
            active = self._read_active(s)
            rows = s.scalars(select(CatalogueBundle).order_by(CatalogueBundle.bundle_id, CatalogueBundle.version))
            return [_info(r, active) for r in rows]

    # --- reading the active catalogue ------------------------------------------------------------
    def list(self) -> list[MatterSummary]:
        require(self._s, "catalogue")
        return [
            MatterSummary(
                code=m.code,
                name=m.name,
                kind=m.kind,
                area=m.area,
                implementing_body=m.implementing_body,
                procedure=m.procedure,
            )
            for m in self.active().matters
        ]

    def show(self, code: str) -> Matter:
        require(self._s, "catalogue")
        matter = self.active().matter(code.strip())
        if matter is None:
            raise NotFoundError(_("The catalogue has no matter with the code {code}.").format(code=code.strip()[:32]))
        return matter

    # --- importing -------------------------------------------------------------------------------
    def ensure_shipped(self) -> BundleInfo | None:
        """Import the bundle shipped with the app if it is missing and newer than the active one.

        Called on every unlock. A shipped bundle that does not verify is logged and skipped (the store still
        opens; the catalogue commands then say what is missing).
        """
        path = resource(*SHIPPED_BUNDLE)
        try:
            raw = path.read_bytes()
            head = json.loads(raw.decode("utf-8-sig"))["bundle"]
            ref: BundleRef = (str(head["bundle_id"]), int(head["version"]))
        except (OSError, ValueError, KeyError, TypeError):
            log.error("the shipped catalogue bundle cannot be read")
            return None
        with self._s.read() as s:
            if s.get(CatalogueBundle, ref) is not None:
                return None
            active = self._read_active(s)
        if active is not None and (active[0] != ref[0] or active[1] >= ref[1]):
            return None
        try:
            verified = verify_bundle(raw, TrustedKeys.load())
        except FzError:
            log.error("the shipped catalogue bundle does not verify; it was not imported")
            return None
        return self._store(verified, raw, source="shipped")

    def import_bundle(
        self, source: Path | str | bytes, *, force: bool = False, trusted_keys: TrustedKeys | None = None
    ) -> BundleInfo:
        """Verify a bundle file and install it as the active catalogue.

        Refused (``BundleError``, nothing written): a bad signature or schema; a different bundle id or a
        version not newer than the active one (unless ``force``); a bundle with an installed id and version but
        different content (always). With ``force``, an already installed version becomes active again.
        """
        require(self._s, "catalogue.import")
        raw = source if isinstance(source, bytes) else read_bundle_file(Path(source))
        verified = verify_bundle(raw, trusted_keys if trusted_keys is not None else TrustedKeys.load())
        candidate = verified.bundle
        ref = (candidate.bundle_id, candidate.version)
        with self._s.read() as s:
            existing = s.get(CatalogueBundle, ref)
            existing_digest = existing.digest if existing is not None else None
            active = self._read_active(s)
        if existing_digest is not None and existing_digest != verified.digest:
            raise BundleError(
                _(
                    "Catalogue {bundle} version {version} is already installed with different content; "
                    "the district must publish a new version."
                ).format(bundle=ref[0], version=ref[1]),
                reason="conflict",
            )
        if not force:
            if active is not None:
                require_newer(self.bundle(*active), candidate)
            elif existing_digest is not None:
                raise BundleError(_("This bundle is already installed."), reason="not_newer")
        return self._store(verified, raw, source="file", forced=force, already_stored=existing_digest is not None)

    def _store(
        self,
        verified: VerifiedBundle,
        raw: bytes,
        *,
        source: str,
        forced: bool = False,
        already_stored: bool = False,
    ) -> BundleInfo:
        b = verified.bundle
        ref = (b.bundle_id, b.version)
        details = {"bundle_id": b.bundle_id, "version": b.version, "source": source, "forced": forced}
        with self._s.write("catalogue.import", "catalogue", _ref_text(ref), details) as s:
            row = s.get(CatalogueBundle, ref)
            if row is None:
                row = CatalogueBundle(
                    bundle_id=b.bundle_id,
                    version=b.version,
                    label=b.version_label,
                    published_on=b.published_on,
                    digest=verified.digest,
                    raw=raw,
                    imported_at=self._s.now().replace(tzinfo=None),
                    imported_by=self._s.actor.login,
                )
                s.add(row)
            active = s.get(Meta, ACTIVE_KEY)
            if active is None:
                s.add(Meta(key=ACTIVE_KEY, value=_ref_text(ref)))
            else:
                active.value = _ref_text(ref)
            s.flush()
            info = _info(row, ref)
        self._active = ref
        self._bundles[ref] = b
        log.info("catalogue %s version %d installed", b.bundle_id, b.version)
        return info
