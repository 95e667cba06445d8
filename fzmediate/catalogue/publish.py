"""Publish the shipped catalogue: refresh the procedures from the code, validate, sign, write the bundle file.

This is the district's publishing step (resources/catalogue/README.md), run on the machine that holds the
catalogue signing key — never on a desk or kiosk::

    python -m fzmediate.catalogue.publish --key PATH-TO-KEY.pem

The procedure definitions that travel in the bundle are written by the code (`fzmediate.procedure.standard`), so
they are copied into the readable source first; then the source is validated and signed exactly as `sign_file`
does, and the signed file replaces ``resources/catalogue/pingshan.fzcat.json`` atomically. The key may also come
from the environment variable ``FZMEDIATE_CATALOGUE_KEY`` (a path), so a build script need not repeat it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from fzmediate.catalogue.signing import load_private_key, sign_file
from fzmediate.errors import ValidationError
from fzmediate.i18n import _
from fzmediate.resources import resource
from fzmediate.security.atomic import atomic_write_bytes

KEY_ENV = "FZMEDIATE_CATALOGUE_KEY"


def source_path() -> Path:
    return resource("catalogue", "source", "pingshan.json")


def bundle_path() -> Path:
    return resource("catalogue", "pingshan.fzcat.json")


def source_text(payload: dict[str, Any]) -> str:
    """The readable source exactly as it is kept in the repository (two-space indent, UTF-8, final newline)."""
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def refresh_procedures(source: Path) -> bool:
    """Copy the code's standard procedure definitions into the source; True when that changed it."""
    from fzmediate.procedure.standard import standard_definitions

    payload = json.loads(source.read_text(encoding="utf-8"))
    fresh = standard_definitions()
    if payload.get("procedures") == fresh:
        return False
    payload["procedures"] = fresh
    atomic_write_bytes(source, source_text(payload).encode("utf-8"), mode=0o644)
    return True


def publish(key_path: Path, *, source: Path | None = None, out: Path | None = None) -> Path:
    """Refresh, validate and sign the source; write the bundle file. Returns the file written."""
    src = source or source_path()
    target = out or bundle_path()
    refresh_procedures(src)
    data = sign_file(src, load_private_key(key_path))
    atomic_write_bytes(target, data, mode=0o644)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fzmediate.catalogue.publish", description=__doc__)
    parser.add_argument("--key", type=Path, default=None, help="the catalogue signing key (PEM)")
    parser.add_argument("--source", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    key = args.key or (Path(os.environ[KEY_ENV]) if os.environ.get(KEY_ENV) else None)
    if key is None:
        print(_("No signing key: pass --key FILE or set {env}.").format(env=KEY_ENV), file=sys.stderr)
        return 2
    try:
        written = publish(key, source=args.source, out=args.out)
    except ValidationError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(_("Signed {name}.").format(name=written.name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
