"""Pulling the district's catalogue from the server, on a desk or a kiosk (docs/sync-protocol.md, "Catalogue").

The server publishes catalogue bundles the district signed (``fzmediate-server publish-catalogue``);
:func:`pull_catalogue` asks for the newest one (``GET /v1/sync/catalogue``, naming the digest the device already
holds, so an unchanged catalogue costs one small answer; a desk whose pull brought hints asks only when the
newest is not the one it holds) and :func:`install_published` installs it.

The device trusts the district's catalogue key, not the server: the bytes are verified here again with the keys
shipped with the app (:func:`fzmediate.catalogue.bundle.verify_bundle`, the same check as ``fzmediate catalogue
import``). A bundle that fails is refused with :class:`CatalogueRefused` and nothing changes. A verified bundle is
installed as a new catalogue version through the store's catalogue service: new cases use it, every case keeps
the version it was registered under, and the exact signed bytes are kept. A bundle that is not newer than the
active one (an app update may ship a newer one than the server publishes), or of another catalogue, is left
alone: a server can never roll a device back.

Both the desk's ``sync()`` and a kiosk use it: anything with the store's ``read()`` and ``catalogue`` (a desk's
``Session``, a kiosk's ``KioskService``) and a signed :class:`~fzmediate.sync.http.Channel`.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

from fzmediate.catalogue.bundle import BundleError, verify_bundle
from fzmediate.catalogue.keys import TrustedKeys
from fzmediate.i18n import _
from fzmediate.sync.http import Channel, SyncError, answer_error
from fzmediate.sync.protocol import PullHints

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as OrmSession

    from fzmediate.services.catalogue import BundleInfo, CatalogueService

log = logging.getLogger(__name__)

#: The endpoint (signed like every ``/v1/sync/`` request; desks and kiosks).
CATALOGUE_PATH: Final = "/v1/sync/catalogue"
#: Query parameter naming the digest (SHA-256, hex) of the newest bundle the device holds: 204 when it is current.
HAVE_PARAM: Final = "have"
CATALOGUE_ID_HEADER: Final = "FZ-Catalogue-Id"
CATALOGUE_VERSION_HEADER: Final = "FZ-Catalogue-Version"
#: Codes of a server that publishes nothing (or predates the endpoint): nothing to pull.
_NOTHING_PUBLISHED: Final = frozenset({"not_found", "http_404"})


class CatalogueRefused(SyncError):
    """The server offered a catalogue the device does not accept (bad signature, changed content): nothing changed."""


class CatalogueHost(Protocol):
    """A store with a catalogue: the desk's ``Session`` or the kiosk's ``KioskService``."""

    catalogue: CatalogueService

    def read(self) -> AbstractContextManager[OrmSession]: ...


@dataclass(frozen=True)
class CataloguePull:
    """What one catalogue pull did: the version the server publishes and the one installed (if any)."""

    #: (bundle_id, version) the server publishes; None when it publishes none.
    offered: tuple[str, int] | None = None
    #: The version installed by this pull; None when the device already had it or needs none.
    installed: BundleInfo | None = None


def pull_catalogue(
    host: CatalogueHost,
    channel: Channel,
    *,
    trusted_keys: TrustedKeys | None = None,
    hints: PullHints | None = None,
) -> CataloguePull:
    """Fetch the newest published catalogue and install it if it is new to this device (see the module text).

    Raises :class:`CatalogueRefused` for a bundle that does not verify; network and device refusals as any sync
    request (:mod:`fzmediate.sync.http`). ``trusted_keys`` defaults to the keys shipped with the app. ``hints``:
    what this sync's pull said of the newest catalogue; no request when nothing is published or this device
    holds it already.
    """
    have = _newest_digest(host)
    if hints is not None:
        if hints.catalogue is None:
            return CataloguePull()
        if hints.catalogue.digest == have:
            return CataloguePull(offered=(hints.catalogue.bundle_id, hints.catalogue.version))
    try:
        response = channel.call("GET", CATALOGUE_PATH, params={HAVE_PARAM: have} if have else None)
    except SyncError as exc:
        if exc.code in _NOTHING_PUBLISHED:
            return CataloguePull()
        raise
    offered = _offered(response.headers.get(CATALOGUE_ID_HEADER), response.headers.get(CATALOGUE_VERSION_HEADER))
    if response.status_code == 204:
        return CataloguePull(offered=offered)
    if response.status_code != 200:
        raise answer_error("bad_answer")
    return CataloguePull(offered=offered, installed=install_published(host, response.content, trusted_keys))


def install_published(host: CatalogueHost, raw: bytes, trusted_keys: TrustedKeys | None = None) -> BundleInfo | None:
    """Verify a bundle the server handed over and install it as the active catalogue if it is newer.

    Returns the installed version, or None when there was nothing to install (already installed, not newer
    than the active one, another catalogue). Raises :class:`CatalogueRefused`, having changed nothing, for a
    bundle that does not verify or that differs from an installed one of the same version.
    """
    from fzmediate.store.models import CatalogueBundle

    try:
        verified = verify_bundle(raw, trusted_keys if trusted_keys is not None else TrustedKeys.load())
    except BundleError as exc:
        # A compromised or broken server: say what failed (the reason word only: the message is for people).
        log.warning("the district server offered a catalogue that does not verify (%s); nothing installed", exc.reason)
        raise CatalogueRefused(
            _(
                "The district server offered a catalogue that was refused: {problem} The catalogue in use is unchanged."
            ).format(problem=exc.message),
            code="catalogue_refused",
        ) from None
    bundle = verified.bundle
    ref = (bundle.bundle_id, bundle.version)
    with host.read() as s:
        existing = s.get(CatalogueBundle, ref)
        existing_digest = existing.digest if existing is not None else None
        active = _active_ref(s)
    if existing_digest is not None:
        if existing_digest != verified.digest:
            raise CatalogueRefused(
                _(
                    "Catalogue {bundle} version {version} is already installed with different content; "
                    "the district must publish a new version."
                ).format(bundle=ref[0], version=ref[1]),
                code="catalogue_refused",
            )
        return None  # installed before (perhaps no longer active: an administrator chose an earlier one)
    if active is not None and (active[0] != bundle.bundle_id or active[1] >= bundle.version):
        log.info("the published catalogue is not newer than the active one; left alone")
        return None
    # The catalogue service's own installation step (as for the bundle shipped with the app): the bundle is the
    # district's, verified above, so it needs no administrator, and the service's cache learns the new version.
    info = host.catalogue._store(verified, raw, source="district")
    log.info("catalogue %s version %d installed from the district server", bundle.bundle_id, bundle.version)
    return info


def _active_ref(s: OrmSession) -> tuple[str, int] | None:
    from fzmediate.services.catalogue import ACTIVE_KEY
    from fzmediate.store.models import Meta

    row = s.get(Meta, ACTIVE_KEY)
    if row is None:
        return None
    bundle_id, _sep, version = row.value.rpartition(":")
    return bundle_id, int(version)


def _newest_digest(host: CatalogueHost) -> str | None:
    """The digest of the newest installed version of the active catalogue (what the server may find current)."""
    from sqlalchemy import select

    from fzmediate.store.models import CatalogueBundle

    with host.read() as s:
        active = _active_ref(s)
        if active is None:
            return None
        query = (
            select(CatalogueBundle.digest)
            .where(CatalogueBundle.bundle_id == active[0])
            .order_by(CatalogueBundle.version.desc())
            .limit(1)
        )
        return s.scalars(query).first()


def _offered(bundle_id: str | None, version: str | None) -> tuple[str, int] | None:
    if not bundle_id or not version or not version.isdigit():
        return None
    return bundle_id, int(version)
