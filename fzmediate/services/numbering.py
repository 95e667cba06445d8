"""Case numbers that stay unique district-wide although desks mint them offline.

Format: ``坪山调〔2026〕3F9A1C0001号`` for a mediation, ``坪山裁〔2026〕3F9A1C0001号`` for an adjudication:

- ``坪山`` — the district (``NUMBER_PREFIX``);
- ``调`` / ``裁`` — the series, from the matter's kind;
- ``〔2026〕`` — the year of the date the application was received (the ``register`` event's date);
- ``3F9A1C`` — the device code: 6 upper-case hex characters. Until the district server assigns one at
  enrollment (stored as ``meta.device_code``; the enrollment work will set it and check it is unique), it is
  derived from the first 6 hex digits of ``meta.device_id`` (a random UUID: two desks of a district collide
  with probability about n²/33.5 million, e.g. 0.03 % for 100 desks — the server's assignment removes even that);
- ``0001`` — a per-device, per-series, per-year counter (``case_counters``), at least 4 digits (it simply
  grows to 5 after 9999).

The counter is read and advanced inside the write transaction that inserts the case, under SQLite's write
lock (``BEGIN IMMEDIATE``), so two cases on one device never get the same number and a rolled-back case
gives its number back.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fzmediate.domain.case import CaseKind
from fzmediate.store.models import Case, CaseCounter, Meta

NUMBER_PREFIX = "坪山"
SERIES = {CaseKind.MEDIATION: "调", CaseKind.ADJUDICATION: "裁"}
DEVICE_CODE_KEY = "device_code"


def derived_device_code(device_id: str) -> str:
    return device_id.replace("-", "")[:6].upper()


def device_code(session: Session, device_id: str) -> str:
    """The server-assigned code if there is one, else the code derived from the device id."""
    assigned = session.get(Meta, DEVICE_CODE_KEY)
    return assigned.value if assigned is not None and assigned.value else derived_device_code(device_id)


def format_number(series: str, year: int, code: str, value: int) -> str:
    return "{0}{1}〔{2}〕{3}{4:04d}号".format(NUMBER_PREFIX, series, year, code, value)


def mint_number(session: Session, *, device_id: str, kind: CaseKind, year: int) -> str:
    """The next free number for this device, series and year (inside the caller's write transaction)."""
    code = device_code(session, device_id)
    series = SERIES[kind]
    counter = session.get(CaseCounter, (code, series, year))
    if counter is None:
        counter = CaseCounter(device_code=code, series=series, year=year, last_value=0)
        session.add(counter)
    while True:
        counter.last_value += 1
        number = format_number(series, year, code, counter.last_value)
        # A number already present (e.g. pulled from the server after a device code was reused) is skipped.
        if session.scalar(select(Case.id).where(Case.number == number)) is None:
            return number
