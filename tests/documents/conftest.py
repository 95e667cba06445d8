"""Fixtures for the document tests: a synthetic agreement and guide, rendered and issued once per session."""

from __future__ import annotations

import datetime as dt

import pytest

from fzmediate.catalogue.bundle import load_shipped_bundle
from fzmediate.catalogue.model import Matter
from fzmediate.documents.issue import IssuedDocument, issue_pdf
from fzmediate.documents.model import DocumentSpec
from fzmediate.documents.render import render_pdf
from fzmediate.documents.seal import OfficeSigner
from fzmediate.documents.templates.agreement import agreement_spec
from fzmediate.documents.templates.guide import guide_spec
from tests.documents.samples import agreement_data
from tests.documents.trust import certified

ISSUE_DATE = dt.date(2026, 11, 29)


def make_signer(name: str = "深圳市坪山区坪山街道人民调解委员会", key_type: str = "ec-p256") -> OfficeSigner:
    return OfficeSigner.generate(
        name, key_type=key_type, valid_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), serial=20261129
    )


@pytest.fixture(scope="session")
def signer() -> OfficeSigner:
    """An office key certified by an intermediate below the TEST-ONLY root (pass ``roots=[trust.root()]``)."""
    return certified(make_signer(), via_intermediate=True)


@pytest.fixture(scope="session")
def matter() -> Matter:
    return load_shipped_bundle().bundle.matters[0]


@pytest.fixture(scope="session")
def agreement() -> DocumentSpec:
    return agreement_spec(agreement_data())


@pytest.fixture(scope="session")
def guide(matter: Matter) -> DocumentSpec:
    return guide_spec(matter, document_id="G-PS-TJ-001", issue_date=ISSUE_DATE, printed_for="王𠮷", phone="13912345678")


@pytest.fixture(scope="session")
def agreement_pdf(agreement: DocumentSpec) -> bytes:
    return render_pdf(agreement)


@pytest.fixture(scope="session")
def guide_pdf(guide: DocumentSpec) -> bytes:
    return render_pdf(guide)


@pytest.fixture(scope="session")
def issued_agreement(agreement: DocumentSpec, signer: OfficeSigner) -> IssuedDocument:
    return issue_pdf(agreement, signer)


@pytest.fixture(scope="session")
def issued_guide(guide: DocumentSpec, signer: OfficeSigner) -> IssuedDocument:
    return issue_pdf(guide, signer)
