"""The district's catalogue on the server: publish a signed bundle, and tell devices which one is newest.

``fzmediate-server publish-catalogue BUNDLE`` hands the server a bundle file signed with the district's catalogue
key. :func:`publish` verifies it exactly as a desk does (:func:`fzmediate.catalogue.bundle.verify_bundle` with the
trusted keys shipped with the app: never a weaker check), refuses a version that is not higher than the newest
one published (or another catalogue than the one published), and keeps the exact signed bytes. Devices pull it
(:mod:`fzmediate.server.catalogue_routes`) and verify it again themselves: they trust the district's key, not
this server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from fzmediate.catalogue.bundle import BundleError, verify_bundle
from fzmediate.catalogue.keys import TrustedKeys
from fzmediate.i18n import _
from fzmediate.server.db import Database
from fzmediate.server.models import PublishedCatalogue

#: Column limits of ``published_catalogues`` (the bundle schema itself sets none).
MAX_BUNDLE_ID: Final = 64
MAX_VERSION: Final = 2**31 - 1
MAX_LABEL: Final = 200


@dataclass(frozen=True)
class CatalogueHead:
    """What identifies a published bundle, without its bytes."""

    bundle_id: str
    version: int
    digest: str
    label: str
    published_on: str
    published_at: datetime


def _head(row: PublishedCatalogue) -> CatalogueHead:
    return CatalogueHead(row.bundle_id, row.version, row.digest, row.label, row.published_on, row.published_at)


#: A published bundle's head, without its bytes (a few hundred KB, read only when a device fetches them).
_HEAD_COLUMNS: Final = (
    PublishedCatalogue.bundle_id,
    PublishedCatalogue.version,
    PublishedCatalogue.digest,
    PublishedCatalogue.label,
    PublishedCatalogue.published_on,
    PublishedCatalogue.published_at,
)


#: Built once: every pull's hints read it.
NEWEST: Final = (
    select(*_HEAD_COLUMNS).order_by(PublishedCatalogue.version.desc(), PublishedCatalogue.published_at.desc()).limit(1)
)


def newest_in(session: Session) -> CatalogueHead | None:
    """:func:`newest`, read in the caller's transaction (publishing; a pull's hint)."""
    # Publishing refuses another bundle id and any version not above the newest, so "newest" is the highest
    # version; the publication time only orders rows of a (refused) tie.
    row = session.connection().execute(NEWEST).first()
    return CatalogueHead(*row) if row is not None else None


def newest(db: Database) -> CatalogueHead | None:
    """The newest published bundle (None before the district published one)."""
    with db.sessions() as session:
        return newest_in(session)


def bundle_bytes(db: Database, head: CatalogueHead) -> bytes | None:
    """The signed bytes of a published bundle (None when it is not there)."""
    with db.sessions() as session:
        row = session.get(PublishedCatalogue, (head.bundle_id, head.version))
        return row.raw if row is not None else None


def publish(db: Database, raw: bytes, *, trusted_keys: TrustedKeys | None = None) -> CatalogueHead:
    """Verify a signed bundle file and publish it as the newest catalogue; raise BundleError (nothing stored).

    ``trusted_keys`` defaults to the keys shipped with the app, as on every desk; tests pass a TEST-ONLY key.
    """
    verified = verify_bundle(raw, trusted_keys if trusted_keys is not None else TrustedKeys.load())
    bundle = verified.bundle
    if len(bundle.bundle_id) > MAX_BUNDLE_ID or bundle.version > MAX_VERSION:
        raise BundleError(
            _("This server keeps catalogue ids of at most {n} characters and versions up to {max}.").format(
                n=MAX_BUNDLE_ID, max=MAX_VERSION
            ),
            reason="invalid",
        )

    def work(session: Session) -> CatalogueHead:
        current = newest_in(session)
        if current is not None and current.bundle_id != bundle.bundle_id:
            raise BundleError(
                _("The bundle is catalogue {candidate}, but this server publishes catalogue {current}.").format(
                    candidate=bundle.bundle_id, current=current.bundle_id
                ),
                reason="not_newer",
            )
        if current is not None and bundle.version <= current.version:
            raise BundleError(
                _(
                    "Catalogue {bundle} version {new} was not published: version {old} is already published, and "
                    "each publication must carry a higher version number."
                ).format(bundle=bundle.bundle_id, new=bundle.version, old=current.version),
                reason="not_newer",
            )
        row = PublishedCatalogue(
            bundle_id=bundle.bundle_id,
            version=bundle.version,
            digest=verified.digest,
            label=bundle.version_label[:MAX_LABEL],
            published_on=bundle.published_on.isoformat(),
            raw=raw,
            published_at=db.now(),
        )
        session.add(row)
        session.flush()
        return _head(row)

    return db.transaction(work)
