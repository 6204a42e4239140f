"""Witness statement (draft) in the form CPR PD 32 asks for, or FPR PD 22A in the family court.

Heading with court and claim number (17.1), the top-right marking (17.2), the particulars of
18.1 (name, residence, occupation, party, how the statement was prepared), numbered paragraphs
in the first person and in date order (19.1, 19.2), dates in figures, exhibits referred to as
"marked JS/1" (18.3-18.6), and the exact statement of truth (20.2) from the legal data file.
For a non-molestation order (FL401) the statement is the family court's (FPR Part 22, PD 22A:
the same heading and marking, with Applicant and Respondent) and ends with the family court's
statement of truth (PD 17A: the contempt warning first), as ``court_papers.yaml`` keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from ..case import Incident, PlatformReport, PoliceReport, Respondent
from ..dates import ApproxDate, sort_key, split_by_day, uk_day
from ..law import load_data
from ..law.routes import load_routes
from ..order_terms import restrains_speech
from ..render import lines, paragraphs
from .common import CaseView
from .injunction import applies as injunction_applies
from .injunction import terms_of

TITLE = "Witness statement (draft)"

DEFAULT_PREPARED = (
    "I prepared this statement myself, in my own words, from my own notes, messages and "
    "screenshots, using a computer program (harassment-pack) to set my answers out in this form."
)


def applies(view: CaseView) -> str | None:
    if view.case.jurisdiction != "england_wales":
        return "the witness statement follows the civil rules of England and Wales"
    return None if view.case.incidents else "no incidents are recorded yet"


class _Numbered:
    """Builds the list of headings and numbered paragraphs the template prints."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.number = 0

    def heading(self, text: str) -> None:
        self.items.append({"heading": text, "keep": False})

    def para(self, text: str, quote: list[str] | None = None, more: list[str] | None = None):
        self.number += 1
        self.items.append(
            {"heading": "", "number": self.number, "text": text,
             "quote": quote or [], "more": more or [], "keep": False}
        )  # fmt: skip


def _told_apart(incident: Incident) -> tuple[str, list[tuple[Any, str]]]:
    """The incident's own words, and the sentences of them that open with another day: those
    are told in their own paragraph on that day, so the statement keeps to the order in which
    things happened (PD 32 para 19.2) and every word stays the person's own."""
    if isinstance(incident.when, ApproxDate):
        return incident.summary, []
    rest, told, _ = split_by_day(incident.summary, uk_day(incident.when))
    return rest, told


def _aside(out: _Numbered, sentence: str) -> None:
    """A sentence of a person's description that tells what happened on another day."""
    out.para(sentence if sentence.endswith((".", "!", "?", '"', "\u201d")) else f"{sentence}.")


def _incident(view: CaseView, out: _Numbered, incident: Incident, described: set[str]) -> None:
    summary = _told_apart(incident)[0].rstrip()
    if not summary.endswith((".", "!", "?", ":", '"', "\u201d")):
        summary += "."
    # "On <date> at <time>: <their words>" keeps the person's sentence exactly as written.
    # A month given without its day reads "In March 2026 (exact day not known): …".
    on = "In" if isinstance(incident.when, ApproxDate) else "On"
    text = f"{on} {view.when_figures(incident.when)}: {summary}"
    quote = lines(incident.exact_words)
    more = []
    if incident.url:
        more.append(f"The link to this is {incident.url}.")
    reference = view.exhibit_reference(incident, described)
    if reference:
        more.append(reference)
    if incident.impact:
        more.extend(paragraphs(incident.impact))
    out.para(text + (f" {_words_intro(view, incident)}" if quote else ""), quote=quote, more=more)


def _words_intro(view: CaseView, incident: Incident) -> str:
    """How the quoted words are introduced: a platform's own notice is called one."""
    respondent = view.case.respondent(incident.respondent)
    if respondent is not None:
        return "The words were:"
    if "hacking" in incident.kinds:
        return "The notice said:"
    return "The message said:"


def _platform_report(view: CaseView, out: _Numbered, report: PlatformReport) -> None:
    reference = f" (reference {report.reference})" if report.reference else ""
    what = _lower_first(report.what_reported or "the harassment").rstrip(".")
    if report.response:
        words = report.response.strip().rstrip(".")
        when = f" on {view.when_figures(report.response_date)}" if report.response_date else ""
        response = f" {report.platform} replied{when}: \u201c{words}.\u201d"
    else:
        response = " I have had no response."
    out.para(
        f"On {view.when_figures(report.date)} I made a report to {report.platform}{reference} "
        f"about {what}.{response}"
    )


def _police_report(view: CaseView, out: _Numbered, report: PoliceReport) -> None:
    crn = (
        f" The crime reference number is {report.crime_reference}."
        if report.crime_reference
        else ""
    )
    # The person's note ('No update since …') is introduced, so it is not a fragment.
    outcome = f" Where this stands: {_lower_first(report.outcome)}" if report.outcome else ""
    out.para(
        f"On {view.when_figures(report.date)} I reported the harassment to {report.force}."
        f"{crn}{outcome}"
    )


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def build(view: CaseView) -> dict[str, Any]:
    case = view.case
    applicant = case.applicant
    respondent = view.main_respondent
    law = view.law
    out = _Numbered()

    out.heading("Introduction")
    if applicant.keep_address_confidential:
        residence = (
            "My address is not given in this statement because I fear for my safety: address "
            "provided to the court separately"
        )
    elif not applicant.address:
        residence = (
            "I live at [your address, or say why it should be kept from the "
            f"{view.base['parties']['respondent']}]"
        )
    else:
        residence = "I live at " + ", ".join(paragraphs(applicant.address))
        if applicant.postcode:
            residence += f", {applicant.postcode}"
    occupation = applicant.occupation or "[your occupation, or a description such as 'student']"
    injunction = case.injunction
    parties = view.base["parties"]
    family = parties["applicant"] == "Applicant"
    if injunction and injunction.sought and family:
        purpose = (
            "I make this statement in support of my application for a non-molestation order "
            f"under {law['statutes']['fla_1996_s42']['cite']}."
        )
    elif injunction and injunction.sought:
        purpose = (
            "I make this statement in support of my claim and application for an injunction "
            f"under {law['statutes']['pha_s3']['cite']}."
        )
    else:
        purpose = "I make this statement to set out the harassment I have experienced."
    role = "application" if family else "claim"
    out.para(
        f"My name is {applicant.full_name}. {residence}. My occupation is {occupation}. I am "
        f"the {parties['applicant']} in this {role}. {purpose}"
    )
    out.para(
        "The facts in this statement are within my own knowledge unless I say otherwise. Where "
        "they are not, I say where the information comes from and I believe it to be true."
    )
    out.para(case.statement_prepared or DEFAULT_PREPARED)
    if respondent is not None:
        relation = _relation(respondent, parties["respondent"])
        accounts = [
            f"\u2022 {a.platform}: {a.handle or a.url}"
            + (f" ({a.url})" if a.handle and a.url else "")
            for a in respondent.accounts
            if a.handle or a.url
        ]
        account_text = " The accounts used include:" if accounts else ""
        if respondent.known:
            out.para(
                f"The {parties['respondent']} is {respondent.name}.{relation}{account_text}",
                more=accounts,
            )
        else:
            out.para(
                f"I do not know who is responsible for what I describe.{account_text}",
                more=accounts,
            )
        if respondent.description:
            out.para(
                f"I would describe the {parties['respondent']} as follows: "
                + " ".join(paragraphs(respondent.description))
            )

    # PD 32 para 19.2: in the order things happened, so reports to platforms and the police
    # sit among the incidents on the day they were made.
    out.heading("What has happened, and what I did about it")
    events: list[tuple[Any, int, Callable[[], None]]] = []
    described: set[str] = set()
    for position, incident in enumerate(view.incidents):
        events.append((sort_key(incident.when), position, partial(_incident, view, out, incident,
                                                                   described)))  # fmt: skip
        for day, sentence in _told_apart(incident)[1]:
            events.append((sort_key(day), position, partial(_aside, out, sentence)))
    for report in case.platform_reports:
        events.append((sort_key(report.date), 10**6, partial(_platform_report, view, out, report)))
    for report in case.police_reports:
        events.append((sort_key(report.date), 10**6, partial(_police_report, view, out, report)))
    # A report made on the same day as an incident follows it.
    for _, _, write in sorted(events, key=lambda event: (uk_day(event[0]), event[1])):
        write()

    out.heading("The effect on me")
    for line in paragraphs(case.impact.statement) or [
        "[Describe here how the harassment has affected you.]"
    ]:
        out.para(line)
    if case.impact.effects:
        out.para("The effects on me include:", more=[f"\u2022 {e}" for e in case.impact.effects])
    if applicant.routines:
        out.para(
            "I have changed how I live, work and travel to keep myself safe. I describe those "
            "changes in a confidential schedule provided to the court separately, because the "
            f"{parties['respondent']} must not learn them."
        )

    if injunction and injunction.sought:
        other = parties["respondent"]
        out.heading("Why I am asking for an order")
        out.para(
            f"I ask the court to make an order in the terms set out in my application, to stop "
            f"the {other} harassing me."
        )
        if family:
            _s45_section(view, out)
        if injunction.without_notice:
            out.heading(f"Why I have not given the {other} notice of this application")
            reasons = paragraphs(injunction.without_notice_reasons)
            for line in reasons or [f"[Explain why the {other} should not be told first.]"]:
                out.para(line)
            for line in paragraphs(injunction.informal_notice):
                out.para(line)
        elif injunction.informal_notice:
            out.heading(f"Telling the {other} about this application")
            for line in paragraphs(injunction.informal_notice):
                out.para(line)
        if not family:  # after the reasons for no notice, which its s.12(2) paragraph cites
            _hra_section(view, out)
        adverse = paragraphs(injunction.adverse_matters)
        if injunction.without_notice or adverse:
            # Without notice the duty of full and frank disclosure applies, so the heading is
            # always there; on notice, what the person told us still goes to the court.
            out.heading(
                "Matters that may count against me (full and frank disclosure)"
                if injunction.without_notice
                else "Matters that may count against me"
            )
            for line in adverse or [
                f"[Set out anything the {other} would tell the court that may count against "
                "you. The court must be told about it now.]"
            ]:
                out.para(line)

    truth = (
        load_data("court_papers")["family_statement_of_truth"]["witness"]
        if family
        else law["statement_of_truth"]["witness"]["text"]
    )
    marking = {
        "party": parties["applicant"],
        "witness": f"{initials_surname(applicant.full_name)}",
        "number": f"{ordinal(case.statement_number)} statement",
        "exhibits": view.exhibit_range,
        "date": "Date: [date of signing]",
    }
    numbered = [item for item in out.items if not item["heading"]]
    if numbered:
        numbered[-1]["keep"] = True
    return {
        "items": out.items,
        "marking": marking,
        "truth_text": truth,
    }


def _relation(respondent: Respondent, called: str) -> str:
    """' We were in a relationship and lived together. How I know the Defendant, in my own
    words: former partner (we separated in May 2026).': the category's sentence from the route
    data, then her answer to "How do you know them?" as a sentence of its own, never pasted
    after "my" (an answer such as "he works in my office" would read "my he works …")."""
    association = load_routes()["associations"].get(respondent.association or "") or {}
    said = ""
    if association.get("first_person"):
        said += " " + association["first_person"].format(respondent=called)
    own = " ".join(paragraphs(respondent.relationship or "")).strip().rstrip(".")
    if own:
        said += f" How I know the {called}, in my own words: {own}."
    return said


SPEECH_KINDS = {
    "publishing", "doxxing", "impersonation", "intimate_image", "intimate_image_threat",
}  # fmt: skip
"""Incidents whose material the order would stop him publishing (s.12(3) is about publication:
a threat or insult sent only to her is contact, restrained by the contact term, not material
published)."""


def _hra_section(view: CaseView, out: _Numbered) -> None:
    """Human Rights Act 1998 s.12(2) and (3) paragraphs, only when a term restrains speech."""
    if injunction_applies(view) is not None or not restrains_speech(terms_of(view)):
        return
    words = load_data("court_papers")["witness_hra"]
    injunction = view.case.injunction
    out.heading(words["heading"])
    out.para(words["intro"])
    out.para(words["notice_without"] if injunction.without_notice else words["notice_with"])
    material = [
        f"{view.numbers[i.id]} ({view.when_figures(i.when)}): {i.summary}"
        for i in view.incidents
        if SPEECH_KINDS & set(i.kinds)
    ]
    out.para(words["likely"], more=[f"\u2022 {line}" for line in material])


def s45_grounds(view: CaseView) -> list[int]:
    """Which factors of the Family Law Act 1996 s.45(2) (0: (a), 1: (b), 2: (c)) the case shows:
    a threat is a risk of significant harm (a). Deterrence (b) and evading service (c) are for
    her or her solicitor to say: they are never ticked or asserted for her. FL401's question 1.3
    and her statement say the same."""
    threats = any({"threat", "threat_to_kill"} & set(i.kinds) for i in view.incidents)
    return [0] if threats else []


def _s45_section(view: CaseView, out: _Numbered) -> None:
    """Family Law Act 1996 s.45(2): the factors she relies on for an order without notice, as
    FL401 ticks them (a factor that is not true, such as evading service of an application he
    has not been told about, is never stated)."""
    injunction = view.case.injunction
    if injunction is None or not injunction.without_notice:
        return
    factors = load_data("court_papers")["fl401"]["without_notice_factors"]
    relied = [factors[i] for i in s45_grounds(view)]
    out.heading("Why the order should be made without notice (Family Law Act 1996, section 45)")
    intro = (
        "I ask the court to make the order without notice to the Respondent. The court must "
        "consider all the circumstances, including the factors in section 45(2) of the Family "
        "Law Act 1996."
    )
    if relied:
        out.para(
            f"{intro} I rely on {'this factor' if len(relied) == 1 else 'these factors'}; my "
            "reasons follow:",
            more=[f"\u2022 {factor}" for factor in relied],
        )
    else:
        out.para(f"{intro} [Say which of the factors apply to you, and why.]")


def _lower_first(text: str) -> str:
    """'An account …' -> 'an account …' to follow 'I reported'; names and 'I' stay as written."""
    first, _, rest = text.partition(" ")
    if first in {"A", "An", "The", "His", "Her", "Their", "My", "No", "Nothing"}:
        return f"{first.lower()} {rest}"
    return text


def initials_surname(full_name: str) -> str:
    """'Jane Mary Smith' -> 'J. M. Smith' (PD 32 17.2: initials and surname of the witness)."""
    words = full_name.split()
    if len(words) < 2:
        return full_name
    return " ".join(f"{w[0].upper()}." for w in words[:-1]) + f" {words[-1]}"
