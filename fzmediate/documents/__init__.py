"""Legal documents as PDFs: fonts and glyph coverage, GB/T 9704 layout, templates, sealing and verification.

Public API (see docs/documents.md):

* Model: `model.DocumentSpec` and its blocks; templates build specs, e.g.
  `templates.agreement.agreement_spec(AgreementData)` and `templates.guide.guide_spec(Matter, …)`.
* Rendering: `render.render_pdf(spec) -> bytes` (unsealed draft), `issue.issue_pdf(spec, signer) -> IssuedDocument`
  (QR seal on every page, PDF/A-2b metadata, PAdES signature; deterministic).
* Authenticity: `seal.OfficeSigner` (office key, certificate, chain), `verify.verify_pdf(bytes) -> VerifyResult` (trust:
  the district roots, `fzmediate.security.district_trust`), `certify` (offline certification, docs/trust.md).
* Fonts and text: `fonts.register_fonts()`, `coverage.missing_glyphs(text)`, `coverage.runs(text)`,
  `formatting.chinese_date`, `formatting.money_text`, `formatting.font_markup` (escaped `Paragraph` markup).

Nothing here imports Qt. ReportLab, pikepdf and pyHanko are imported by the modules that need them; pyHanko
(about 0.7 s to import) only when a document is signed or verified.
"""
