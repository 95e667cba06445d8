"""The ``fzmediate-server`` command: set up and run the district server, enroll and revoke devices.

``--db URL`` names the database (default ``sqlite:///fzmediate-server.db``, for trials; production uses
``postgresql+psycopg://…``). The URL may carry a password: it is never printed. Exit codes as ``fzmediate``:
0 success, 1 refused, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from fzmediate.cli_args import prescan as _prescan
from fzmediate.errors import NotFoundError, UsageError, ValidationError
from fzmediate.guard import one_line, run_guarded
from fzmediate.i18n import _, set_locale
from fzmediate.server import office_cli
from fzmediate.server.db import THREADS, Database, migrate

DEFAULT_DB = "sqlite:///fzmediate-server.db"
#: The database URL may come from the environment (a systemd EnvironmentFile, a container's secret), so that a
#: password in it never shows on the command line (``ps``) or in shell history.
DB_ENV = "FZMEDIATE_SERVER_DB"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(
            one_line(_("{prog}: usage error: {detail} (see {prog} --help)").format(prog=self.prog, detail=message)),
            file=sys.stderr,
        )
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fzmediate-server", description=_("The district sync server of fzmediate."))
    parser.add_argument(
        "--db",
        metavar="URL",
        default=os.environ.get(DB_ENV) or DEFAULT_DB,
        help=_("database URL (default: ${env}, else {url})").format(env=DB_ENV, url=DEFAULT_DB),
    )
    parser.add_argument("--lang", metavar="LOCALE", help=_("language: zh_CN (default), en, zh_TW"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("init", help=_("create or upgrade the database and load the units of the catalogue"))
    p.set_defaults(func=_init)
    p = sub.add_parser("serve", help=_("answer desks and kiosks over HTTP"))
    p.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default: 127.0.0.1)"))
    p.add_argument("--port", type=int, default=8080, help=_("port to listen on (default: 8080)"))
    p.add_argument("--workers", type=int, default=None, help=_("number of worker processes"))
    p.add_argument(
        "--threads",
        type=_at_least_one,
        default=None,
        help=_("requests each process works on at once (default: {threads})").format(threads=THREADS),
    )
    p.add_argument(
        "--rate-limit",
        metavar="PER_MINUTE[/BURST]",
        type=_rate_limit,
        default=None,
        help=_("requests a minute each device may make, and at once (default: {rate}; 0: no limit)").format(
            rate=_default_rate()
        ),
    )
    p.set_defaults(func=_serve)
    p = sub.add_parser("enroll-code", help=_("issue a one-time enrollment code (valid 10 minutes)"))
    p.add_argument("--unit", required=True, help=_("code of the unit the device belongs to"))
    p.add_argument("--role", required=True, choices=("desk", "kiosk"), help=_("desk or kiosk"))
    p.set_defaults(func=_enroll_code)
    p = sub.add_parser("devices", help=_("list enrolled devices"))
    p.add_argument("--json", action="store_true", help=_("output JSON"))
    p.set_defaults(func=_devices)
    p = sub.add_parser("revoke", help=_("refuse a device's requests from now on"))
    p.add_argument("device", metavar="DEVICE", help=_("device id or device code"))
    p.set_defaults(func=_revoke)
    p = sub.add_parser(
        "district-token", help=_("issue a token for the district view (/district/), or revoke every one")
    )
    p.add_argument("--label", default="", help=_("who or what the token is for (kept with it)"))
    p.add_argument("--revoke-all", action="store_true", help=_("revoke every district token instead"))
    p.set_defaults(func=_district_token)
    p = sub.add_parser(
        "publish-catalogue", help=_("verify a catalogue bundle signed by the district and publish it to devices")
    )
    p.add_argument("bundle", metavar="BUNDLE", help=_("the signed bundle file (.fzcat.json)"))
    p.set_defaults(func=_publish_catalogue)
    p = sub.add_parser("stats", help=_("count devices, changes and open conflicts"))
    p.add_argument("--json", action="store_true", help=_("output JSON"))
    p.set_defaults(func=_stats)
    office_cli.register(sub)  # certify-office: the district certifies the desks' office keys
    return parser


def _ready(args: argparse.Namespace) -> Database:
    from fzmediate.server.admin import is_ready

    db = Database(args.db)
    if not is_ready(db):
        db.dispose()
        raise UsageError(_("The server database is not set up (or is older than this version): run init first."))
    return db


def _init(args: argparse.Namespace) -> int:
    from fzmediate.catalogue.bundle import load_shipped_bundle
    from fzmediate.server.admin import UnitRecord, load_units

    migrate(args.db)
    units = [
        UnitRecord(code=u.code, name=u.name, kind=u.kind, parent=u.parent) for u in load_shipped_bundle().bundle.units
    ]
    db = Database(args.db)
    try:
        count = load_units(db, units)
    finally:
        db.dispose()
    print(_("Server database ready; {count} units loaded from the catalogue.").format(count=count))
    return 0


def _default_rate() -> str:
    from fzmediate.server.ratelimit import DEFAULT

    return DEFAULT.text()


def _rate_limit(text: str) -> Any:
    from fzmediate.server.ratelimit import RateLimit

    try:
        return RateLimit.parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected PER_MINUTE or PER_MINUTE/BURST, such as 300/120")) from None


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(_("expected a whole number of at least 1"))
    return value


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from fzmediate.gc_tuning import tune_for_bulk_work
    from fzmediate.i18n import current_locale
    from fzmediate.server.app import DB_URL_ENV, THREADS_ENV, create_app
    from fzmediate.server.ratelimit import DEFAULT, RATE_ENV

    _ready(args).dispose()
    rate = args.rate_limit or DEFAULT
    threads = args.threads or THREADS
    logs = _log_config()
    if args.workers is not None and args.workers > 1:
        os.environ[DB_URL_ENV] = args.db  # each worker process builds its own app from it
        os.environ[RATE_ENV] = rate.text()
        os.environ[THREADS_ENV] = str(threads)
        os.environ["FZMEDIATE_LANG"] = current_locale()
        uvicorn.run(
            "fzmediate.server.app:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            access_log=False,
            log_config=logs,
        )
    else:
        app = create_app(args.db, rate_limit=rate, threads=threads)
        tune_for_bulk_work()
        uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_config=logs)
    return 0


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the server's own loggers at INFO. uvicorn's access log is off: it would write
    any path and query string a client sent; the gate writes one line per request instead, naming only the
    server's own paths (:func:`fzmediate.server.gate._log_request`)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["fzmediate"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _district_token(args: argparse.Namespace) -> int:
    from fzmediate.server.district_view import issue_token, revoke_tokens

    db = _ready(args)
    try:
        if args.revoke_all:
            count = revoke_tokens(db)
            print(
                _("{count} district tokens revoked: the district view is off until a new one is issued.").format(
                    count=count
                )
            )
            return 0
        token = issue_token(db, args.label)
    finally:
        db.dispose()
    print(token)
    print(
        _(
            "Shown once. Open /district/ in a browser and give it as the password (any user name), or send "
            '"Authorization: Bearer TOKEN" to /district/stats.json.'
        )
    )
    return 0


def _enroll_code(args: argparse.Namespace) -> int:
    from fzmediate.server.enroll import UnknownUnit, issue_code

    db = _ready(args)
    try:
        code, expires = issue_code(db, args.unit, args.role)
    except UnknownUnit:
        raise ValidationError(
            _("--unit: no unit {unit} on this server (the codes are those of the catalogue's units).").format(
                unit=args.unit
            ),
            field="unit",
        ) from None
    finally:
        db.dispose()
    print(code)
    print(_("Valid until {time} (UTC), once.").format(time=expires.strftime("%Y-%m-%d %H:%M:%S")))
    return 0


def _devices(args: argparse.Namespace) -> int:
    from fzmediate.server.admin import devices

    db = _ready(args)
    try:
        found = devices(db)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps([d.as_json() for d in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(_("No devices enrolled."))
    for d in found:
        state = _("revoked") if d.revoked_at else _("active")
        print(
            one_line(
                "{0}  {1:<5} {2:<12} {3}  {4}  {5}".format(d.device_code, d.role, d.unit, state, d.device_id, d.label)
            )
        )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from fzmediate.server.admin import revoke

    db = _ready(args)
    try:
        done = revoke(db, args.device)
    finally:
        db.dispose()
    if done is None:
        raise NotFoundError(_("DEVICE: no device with this id or device code."), field="device")
    print(_("Device {code} is revoked: its requests are refused from now on.").format(code=done.device_code))
    return 0


def _publish_catalogue(args: argparse.Namespace) -> int:
    """Verify the bundle as a desk would and publish it (fzmediate.server.catalogue); refusals exit 1."""
    from pathlib import Path

    from fzmediate.catalogue.bundle import read_bundle_file
    from fzmediate.server.catalogue import publish

    raw = read_bundle_file(Path(args.bundle))
    db = _ready(args)
    try:
        head = publish(db, raw)
    finally:
        db.dispose()
    print(
        _(
            "Catalogue {bundle} version {version} ({label}) published; desks and kiosks install it at their next sync."
        ).format(bundle=head.bundle_id, version=head.version, label=head.label)
    )
    return 0


def _stats(args: argparse.Namespace) -> int:
    from fzmediate.server.admin import stats
    from fzmediate.server.district_view import district_stats
    from fzmediate.services.stats_dto import days_text, percent

    db = _ready(args)
    try:
        counts: dict[str, Any] = stats(db)
        district = district_stats(db)
    finally:
        db.dispose()
    counts["district"] = district.as_json()
    if args.json:
        print(json.dumps(counts, ensure_ascii=False, indent=2))
        return 0
    devices = counts["devices"]
    print(
        _(
            "Devices: {desks} desks, {kiosks} kiosks, {revoked} revoked; changes: {changes}; "
            "open conflicts: {conflicts}"
        ).format(
            desks=devices["desk"],
            kiosks=devices["kiosk"],
            revoked=devices["revoked"],
            changes=counts["changes"],
            conflicts=counts["conflicts_open"],
        )
    )
    for code, unit in counts["units"].items():
        print(
            _("{unit}: {desks} desks, {kiosks} kiosks, {changes} changes, {conflicts} open conflicts").format(
                unit=code,
                desks=unit["desks"],
                kiosks=unit["kiosks"],
                changes=unit["changes"],
                conflicts=unit["conflicts_open"],
            )
        )
    total = district.total
    print(
        _(
            "Cases: {received} received, {concluded} concluded, median duration {median} days; "
            "{open} open, {overdue} overdue ({rate}%)"
        ).format(
            received=total.received,
            concluded=total.concluded,
            median=days_text(total.median_days) or "-",
            open=total.open,
            overdue=total.overdue,
            rate=percent(total.overdue_rate) or "-",
        )
    )
    return 0


def _run(argv: list[str]) -> int:
    set_locale(_prescan(argv, "--lang"))
    args = build_parser().parse_args(argv)
    return int(args.func(args))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``fzmediate-server`` command; return the exit code (never raises, see :mod:`fzmediate.guard`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    return run_guarded(lambda: _run(args), log_dir=lambda: None)


if __name__ == "__main__":
    raise SystemExit(main())
