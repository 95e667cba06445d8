"""The privacy notice a visitor reads before the kiosk asks for any personal information.

It says what 个人信息保护法 Art. 17 requires a notice to say (who handles the information and how to reach them,
for what purpose and how, what is collected, how long it is kept, how to exercise one's rights), Art. 30 (why
the identity-document number, a sensitive item, is needed) and Art. 35 (a state organ performing its statutory
duties informs the people concerned). The legal basis is the office's statutory duty (Art. 13 para. 1 item 3,
Art. 34), not consent: tapping "I agree" records that the visitor was informed and chose to go on; declining
saves nothing. The wording and the choices are explained in docs/legal-review.md ("Kiosk applications").
"""

from __future__ import annotations

from fzmediate.i18n import _


def notice_sections(office: str, consult_phone: str) -> list[tuple[str, str]]:
    """(heading, text) of the notice, in the active language; ``office`` and its phone from the catalogue."""
    who = office or _("the office that handles this matter")
    phone = consult_phone or "12345"
    return [
        (
            _("Who receives your information"),
            _(
                "{office} handles your application. This kiosk only passes it on: it locks your answers at once "
                "so that only that office can open them, and it cannot read them back itself."
            ).format(office=who),
        ),
        (
            _("Why we ask"),
            _(
                "Only to examine and handle your application for mediation or a decision, as the office's legal "
                "duties require. We ask for nothing the application does not need. Your document number "
                "identifies you as the applicant; without it the office cannot accept the application."
            ),
        ),
        (
            _("What is kept"),
            _(
                "Your name, identity document and its number, phone number, address if you give one, the other "
                "party's name, and what you write about what happened and what you ask for. The printed "
                "receipt shows your name shortened and no numbers."
            ),
        ),
        (
            _("Who sees it"),
            _(
                "The office's staff who handle the application. The other party learns what you ask for, as the "
                "procedure requires. Other authorities see it only where a law requires it (for example a court "
                "confirming an agreement)."
            ),
        ),
        (
            _("How long"),
            _(
                "In the office's case file for as long as the archive rules for case files require. On this kiosk "
                "only the locked copy stays, which the kiosk cannot open; nothing you typed stays on the screen "
                "or in the kiosk's memory after you finish."
            ),
        ),
        (
            _("Your rights"),
            _(
                "You may ask the office to show, copy, correct or delete your information as the Personal "
                "Information Protection Law provides (Articles 44 to 47). Phone: {phone}."
            ).format(phone=phone),
        ),
        (
            _("If you do not agree"),
            _("Tap “Cancel”: nothing is saved. You can also apply in person at the office."),
        ),
    ]
