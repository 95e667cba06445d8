"""Case search inside the encrypted database: nothing is decrypted to disk (temp_store is memory).

What is found, and how:

- case number, by prefix: a range on the unique index of ``cases.number``, typed with or without the
  brackets (``坪山调2026…`` finds ``坪山调〔2026〕…``); a short number (``12`` or ``0012号``) finds this desk's
  cases numbered 12 in either series this year and last year (exact lookups on the same index);
- party name, any substring (rare characters included): every substring of every party name is a row
  ``n:<substring>`` of ``search_terms`` (names are short: a 64-character name gives at most 2,080 rows);
- ID number, exact (``i:<normalized number>``) or its last 6 characters (``i6:``);
- phone, exact (``p:<digits>``: with the country code, without it, and for fixed lines with the trunk
  prefix 0) or its last 4 digits (``p4:``).

``search_terms`` is WITHOUT ROWID with the primary key (term, case_id); case ids are UUIDv7, so walking one
term's entries backwards gives its cases newest first, straight from the index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from fzmediate.domain.identity import IdType, normalize_id_number
from fzmediate.services.case_dto import MAX_QUERY as MAX_QUERY
from fzmediate.services.numbering import NUMBER_PREFIX, format_number
from fzmediate.store.models import Case, SearchTerm

#: Case ids per ``IN (…)`` list: under SQLite's limit on bound parameters.
_CHUNK = 500
_ID_CHARS = re.compile(r"[0-9A-Z]{5,18}")
_NUMBER_END = "\U0010ffff"
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def name_terms(name: str) -> set[str]:
    """``n:`` + every substring of ``name`` (by code point)."""
    size = len(name)
    return {"n:" + name[i:j] for i in range(size) for j in range(i + 1, size + 1)}


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def party_terms(name: str, id_number: str, phone: str) -> set[str]:
    terms = name_terms(name) if name else set()
    if id_number:
        terms.add("i:" + id_number)
        if len(id_number) >= 6:
            terms.add("i6:" + id_number[-6:])
    if phone:
        e164 = phone.split(";", 1)[0]  # stored as E.164, maybe with ";ext=123"
        digits = _digits(e164)
        terms.add("p:" + digits)
        if e164.startswith("+86"):
            national = digits[2:]
            terms.add("p:" + national)  # as people type it: 13912345678
            if not _CN_MOBILE.fullmatch(national):
                terms.add("p:0" + national)  # a fixed line with its trunk prefix: 01012345678
        if len(digits) >= 4:
            terms.add("p4:" + digits[-4:])
    return terms


def index_case(session: Session, case_id: str, parties: Iterable[tuple[str, str, str]]) -> int:
    """(Re)write the search rows of a case from its parties' (name, id_number, phone); returns the row count."""
    session.execute(delete(SearchTerm).where(SearchTerm.case_id == case_id))
    terms: set[str] = set()
    for name, id_number, phone in parties:
        terms |= party_terms(name, id_number, phone)
    if terms:
        session.execute(insert(SearchTerm), [{"term": t, "case_id": case_id} for t in sorted(terms)])
    return len(terms)


def index_cases(session: Session, parties: Mapping[str, Iterable[tuple[str, str, str]]]) -> int:
    """:func:`index_case` for many cases at once (a pulled page): one delete per chunk of cases and one insert
    for all their rows; returns the row count.

    Both are plain statements on the driver: the rows are two text columns with nothing to convert, and a page
    of 2,000 changes writes some 100,000 of them, where SQLAlchemy's per-row parameter handling took longer
    than SQLite's own insert."""
    ids = sorted(parties)
    table = cast(Table, SearchTerm.__table__)
    connection = session.connection()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        connection.exec_driver_sql("DELETE FROM {0} WHERE case_id IN ({1})".format(table.name, marks), tuple(chunk))
    rows: list[tuple[str, str]] = []
    for case_id in ids:
        terms: set[str] = set()
        for name, id_number, phone in parties[case_id]:
            terms |= party_terms(name, id_number, phone)
        rows.extend((t, case_id) for t in sorted(terms))
    if rows:
        connection.exec_driver_sql("INSERT INTO {0} (term, case_id) VALUES (?, ?)".format(table.name), rows)
    return len(rows)


def query_terms(text: str) -> list[str]:
    """The search keys a query text may match."""
    raw = text.strip()
    if not raw:
        return []
    keys = ["n:" + raw] if len(raw) <= MAX_QUERY else []
    compact = normalize_id_number(IdType.RESIDENT_ID, raw)
    if _ID_CHARS.fullmatch(compact):
        keys.append("i:" + compact)
        if len(compact) == 6:
            keys.append("i6:" + compact)
    folded = unicodedata.normalize("NFKC", raw)
    if re.fullmatch(r"[+0-9\s()\-]+", folded):
        digits = _digits(folded)
        if len(digits) == 4:
            keys.append("p4:" + digits)
        elif len(digits) >= 7:
            keys.append("p:" + digits)
            if digits.startswith("0086"):
                keys.append("p:" + digits[2:])
    return keys


_NUMBER_TYPED = re.compile(r"(?:坪山)?\s*(调|裁)\s*[〔\[［(（]?\s*(\d{4})\s*[〕\]］)）]?\s*([0-9A-Fa-f]*)\s*号?")
#: A year and a short number: "2026-12", "2026/12", "2026年12号".
_YEAR_NUMBER = re.compile(r"(\d{4})\s*[-/年]\s*0*(\d{1,6})\s*号?")
_SHORT_NUMBER = re.compile(r"0*(\d{1,6})\s*号?")
_SERIES = ("调", "裁")


def number_candidates(text: str, device_code: str, year: int) -> tuple[list[str], list[str]]:
    """Case-number prefixes and exact numbers a query text may mean (see the module docs).

    Returns (prefixes, exact numbers); ``device_code`` and ``year``: this desk's code and this year, for a
    short number.
    """
    raw = unicodedata.normalize("NFKC", text.strip())
    if not raw:
        return [], []
    prefixes = [text.strip()]
    typed = _NUMBER_TYPED.fullmatch(raw)
    if typed is not None:
        series, year_text, rest = typed.groups()
        canonical = "{0}{1}〔{2}〕{3}".format(NUMBER_PREFIX, series, year_text, rest.upper())
        if raw.endswith("号"):
            canonical += "号"
        if canonical not in prefixes:
            prefixes.append(canonical)
    exact: list[str] = []
    short = _SHORT_NUMBER.fullmatch(raw)
    if short is not None and int(short.group(1)) > 0:
        value = int(short.group(1))
        exact = [format_number(s, y, device_code, value) for s in _SERIES for y in (year, year - 1)]
    dated = _YEAR_NUMBER.fullmatch(raw)
    if dated is not None and int(dated.group(2)) > 0:
        # "2026-12", "2026/12", "2026年12号": that year's number of this desk, in either series.
        exact = [format_number(s, int(dated.group(1)), device_code, int(dated.group(2))) for s in _SERIES]
    return prefixes, exact


def find_case_ids(
    session: Session, text: str, *, limit: int, offset: int = 0, due_before: date | None = None
) -> list[str]:
    """Ids of the cases matching ``text``, newest first; ``due_before`` keeps only cases due before that date."""
    wanted = limit + offset
    terms = query_terms(text)
    found: set[str] = set()
    if terms:
        q = select(SearchTerm.case_id).distinct().where(SearchTerm.term.in_(terms))
        if due_before is not None:
            # Term rows first (primary-key ranges), then each match's case row by its primary key.
            q = q.join_from(SearchTerm, Case, SearchTerm.case_id == Case.id).where(Case.next_due < due_before)
        q = q.order_by(SearchTerm.case_id.desc()).limit(wanted)
        found.update(session.scalars(q))
    prefix = text.strip()
    if prefix:
        q2 = select(Case.id).where(Case.number >= prefix, Case.number < prefix + _NUMBER_END)
        if due_before is not None:
            q2 = q2.where(Case.next_due < due_before)
        found.update(session.scalars(q2.order_by(Case.number.desc()).limit(wanted)))
    return sorted(found, reverse=True)[offset:wanted]
