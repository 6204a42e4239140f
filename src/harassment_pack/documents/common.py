"""What every document shares: the case seen once, with names, dates and exhibit labels settled.

Every document is built from a ``CaseView``, so a fact (a name, a date, an exhibit label) is
formatted in one place and reads the same in every document of the pack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from ..case import Case, Evidence, Incident, Respondent
from ..dates import uk_date, uk_date_figures, uk_datetime, uk_time
from ..law import load_data
from ..law.routes import court_route
from ..render import paragraphs

PLACEHOLDER_COURT = "County Court at [hearing centre]"
PLACEHOLDER_CLAIM = "[to be given by the court]"
PLACEHOLDER_FAMILY_COURT = "Family Court at [hearing centre]"
CIVIL_PARTIES = {"applicant": "Claimant", "respondent": "Defendant", "number": "Claim No."}
FAMILY_PARTIES = {"applicant": "Applicant", "respondent": "Respondent", "number": "Case No."}
"""What the parties and the case number are called in the County Court and the family court."""


def _defendant_names(respondent: Respondent | None) -> tuple[str, str]:
    """The Defendant as court papers name them, plain and in the heading's capitals.

    An unknown person is named by the account they use; the handle keeps its own spelling.
    """
    if respondent is not None and respondent.known:
        return respondent.name, respondent.name.upper()
    account = next((a for a in (respondent.accounts if respondent else []) if a.handle), None)
    if account is None:
        return "Person unknown", "PERSON UNKNOWN"
    operating = f"operating the {account.platform} account {account.handle}"
    return f"Person unknown {operating}", f"PERSON UNKNOWN {operating}"


def join_words(items: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


MEDICAL = re.compile(
    r"\b(?:GP|doctor|nurse|counsell\w*|therap\w*|medic\w*|prescri\w*|hospital\w*|sick|"
    r"signed off|mental health|diagnos\w*|psychiatr\w*|psycholog\w*|A&E|NHS)\b",
    re.IGNORECASE,
)
"""Words that mark a sentence about health care or sick leave (kept out of the Ofcom report)."""


_LINE = re.compile(r"lines? (\d+)")
"""Where an imported message sits in its export: 'line 12' (or 'lines 12-14')."""


def _without_medical(paragraph: str) -> str:
    """The paragraph without its sentences about health care or sick leave."""
    sentences = re.split(r"(?<=[.!?])\s+", paragraph)
    return " ".join(s for s in sentences if not MEDICAL.search(s))


@dataclass
class CaseView:
    """A case with its law, today's date and the derived facts every document needs."""

    case: Case
    law: dict[str, Any]
    today: date = field(default_factory=date.today)
    for_filing: bool = False
    """Court documents without the DRAFT marking (``build --for-filing``, after a check)."""
    applicable: dict[str, str] = field(default_factory=dict)
    """Documents that will be prepared (name -> title); set by ``documents.plan``."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Documents that will not be prepared, with the reason; set by ``documents.plan``."""
    folder: str | None = None
    """The case folder's name, for the commands a document tells the person to run."""
    parts: Mapping[str, str] | None = None
    """Built from the private web pages: the title of each part of the questions, by section.
    Documents then name the part of the case's page to answer, never a terminal command (see
    ``routes.answer_where``); None for a build started in a terminal."""
    court_drafts: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    """Each court paper built so far (name -> title and its own context), for the solicitor's
    note on the wording in them; filled by ``Document.context`` in pack order."""

    # ------------------------------------------------------------------ exhibits
    @cached_property
    def labels(self) -> dict[str, str]:
        """Exhibit label for each evidence id: the recorded one, else initials/position."""
        return self.case.exhibit_labels()

    def exhibit_labels(self, incident: Incident) -> list[str]:
        return [self.labels[eid] for eid in incident.evidence if eid in self.labels]

    def exhibit_citations(self, incident: Incident) -> list[str]:
        """Exhibit labels for a chronology row; an imported message also points to its line.

        "JS/1 (line 12)" lets a reader find the exact message in the printed export.
        """
        cited = self.exhibit_labels(incident)
        source = incident.source
        export = next(
            (e for e in self.case.evidence if source.kind == "imported" and e.file == source.file),
            None,
        )
        if export is None:
            return cited
        label = self.labels[export.id]
        if label not in cited:
            cited.append(label)
        where = f" ({source.record})" if source.record else ""
        return [f"{item}{where}" if item == label else item for item in cited]

    def cited_lines(self, evidence: Evidence) -> tuple[int, ...]:
        """Line numbers of an exported file that imported incidents cite ('line 12'), in order.

        The printed exhibit shows these lines (with a few around each) instead of the whole
        export, which is attached to the bundle as a file.
        """
        found = {
            int(match[1])
            for incident in self.case.incidents
            if incident.source.kind == "imported" and incident.source.file == evidence.file
            for match in [_LINE.match(incident.source.record or "")]
            if match
        }
        return tuple(sorted(found))

    def incidents_citing(self, evidence: Evidence) -> list[Incident]:
        return [i for i in self.incidents if evidence.id in i.evidence]

    def exhibit_reference(self, incident: Incident, described: set[str] | None = None) -> str:
        """'I refer to the exhibit marked JS/1 (screenshot of …).', or '' with no exhibits.

        An exhibit is described the first time it is referred to (its label goes into
        ``described``) and named by its label alone after that; an imported message also gives
        its line in the export, so the reader can find the exact words.
        """
        described = set() if described is None else described
        parts = []
        for item in (self.case.evidence_item(eid) for eid in incident.evidence):
            if item is None or item.id not in self.labels:
                continue
            label = self.labels[item.id]
            source = incident.source
            if source.kind == "imported" and source.file == item.file and source.record:
                label += f" at {source.record}"
            if self.labels[item.id] not in described:
                label += f" ({item.description.rstrip('.')})"
                described.add(self.labels[item.id])
            parts.append(label)
        if not parts:
            return ""
        noun = "exhibit" if len(parts) == 1 else "exhibits"
        return f"I refer to the {noun} marked {join_words(parts)}."

    @cached_property
    def exhibit_range(self) -> str:
        labels = list(self.labels.values())
        if not labels:
            return "No exhibits"
        if len(labels) == 1:
            return f"Exhibit {labels[0]}"
        return f"Exhibits {labels[0]}\u2013{labels[-1]}"

    # ------------------------------------------------------------------ incidents
    @cached_property
    def incidents(self) -> list[Incident]:
        return self.case.incidents_in_order()

    @cached_property
    def numbers(self) -> dict[str, str]:
        """'C1', 'C2' … by incident id (``Case.incident_numbers``)."""
        return self.case.incident_numbers()

    def incident_list(self, incident_ids: list[str]) -> str:
        """'Incident C7', or 'Incidents C1\u2013C8, C10' (runs joined by a dash), for these ids
        as the chronology numbers them."""
        numbers = sorted(int(self.numbers[i][1:]) for i in set(incident_ids) if i in self.numbers)
        runs: list[list[int]] = []
        for number in numbers:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        text = ", ".join(
            f"C{run[0]}\u2013C{run[-1]}" if len(run) > 2 else ", ".join(f"C{n}" for n in run)
            for run in runs
        )
        if not text:
            return ""
        return f"{'Incident' if len(numbers) == 1 else 'Incidents'} {text}"

    def respondent_name(self, respondent_id: str | None) -> str:
        respondent = self.case.respondent(respondent_id)
        if respondent is None:
            return "the person harassing me"
        return respondent.name if respondent.known else "an unknown person"

    @cached_property
    def main_respondent(self) -> Respondent | None:
        """The person most incidents are about: the Defendant of any court document."""
        return self.case.main_respondent()

    @staticmethod
    def account_for(incident: Incident) -> str:
        """The account an incident came from, only when recorded: never guessed."""
        return incident.account or ""

    # ------------------------------------------------------------------ formatting
    @staticmethod
    def when_parts(moment: datetime | date) -> tuple[str, str]:
        """('3 June 2026', '21:14 (BST)'); the time is '' when only a date is known."""
        if isinstance(moment, datetime):
            return uk_date(moment), uk_time(moment)
        return uk_date(moment), ""

    @staticmethod
    def when_figures(moment: datetime | date) -> str:
        """'03/06/2026 at 21:14 (BST)': dates in figures, as PD 32 para 19.1 asks."""
        if isinstance(moment, datetime):
            return f"{uk_date_figures(moment)} at {uk_time(moment)}"
        return uk_date_figures(moment)

    when_text = staticmethod(uk_datetime)

    # ------------------------------------------------------------------ shared context
    @cached_property
    def base(self) -> dict[str, Any]:
        """Context every template can use: parties, court, law, dates, disclaimer."""
        case = self.case
        applicant = case.applicant
        respondent = self.main_respondent
        respondent_name, respondent_upper = _defendant_names(respondent)
        injunction = case.injunction
        family = case.jurisdiction == "england_wales" and court_route(case) == "non_molestation"
        placeholder = PLACEHOLDER_FAMILY_COURT if family else PLACEHOLDER_COURT
        court = (injunction.court if injunction and injunction.court else None) or placeholder
        if family and "family" not in court.lower():
            court = PLACEHOLDER_FAMILY_COURT
        claim = (injunction.claim_number if injunction else None) or PLACEHOLDER_CLAIM
        contact = [c for c in (applicant.email, applicant.phone) if c]
        if applicant.keep_address_confidential or not applicant.address:
            letter_address: list[str] = []
        else:
            letter_address = [*paragraphs(applicant.address), applicant.postcode or ""]
        return {
            "law": self.law,
            "disclaimer": self.law["disclaimer"]["text"],
            "draft_notice": "to be checked by a solicitor before use; information, not legal "
            "advice",
            "today": uk_date(self.today),
            "today_figures": uk_date_figures(self.today, "."),
            "court": court,
            "parties": FAMILY_PARTIES if family else CIVIL_PARTIES,
            "court_upper": court.upper(),
            "claim_number": claim,
            "applicant": {
                "name": applicant.full_name,
                "name_upper": applicant.full_name.upper(),
                "initials": applicant.exhibit_initials,
                "occupation": applicant.occupation or "",
                "contact": ", ".join(contact) or "[contact details]",
                "letter_address": [line for line in letter_address if line],
            },
            "respondent": {
                "name": respondent_name,
                "name_upper": respondent_upper,
                "relationship": (respondent.relationship if respondent else None) or "",
            },
            "respondents_names": join_words(
                [r.name if r.known else "an unknown person" for r in case.respondents]
            )
            or "the person harassing me",
            "incident_count": len(case.incidents),
            "incident_count_text": f"{len(case.incidents)} incident"
            + ("" if len(case.incidents) == 1 else "s"),
            "first_date": uk_date(self.incidents[0].when) if self.incidents else "",
            "last_date": uk_date(self.incidents[-1].when) if self.incidents else "",
            "date_span": self._date_span(),
            "sender": self.sender(letter_address, ", ".join(contact) or "[contact details]"),
        }

    def _date_span(self) -> str:
        """'from 2 June 2026 to 9 November 2026', or 'on 14 September 2026' for one day."""
        if not self.incidents:
            return ""
        first, last = uk_date(self.incidents[0].when), uk_date(self.incidents[-1].when)
        return f"on {first}" if first == last else f"from {first} to {last}"

    def sender(self, letter_address: list[str], contact: str) -> dict[str, Any]:
        """Who a letter comes from: the applicant, or the representative acting for them.

        A representative with the applicant's authority sends the letter "on behalf of" the
        applicant, says that the applicant consents, and gives their own address for replies,
        so the applicant's address and contacts are not in it. A firm of solicitors writes in
        the firm's voice ("We act for …; our client"), anyone else who acts in the first person
        ("I am writing on behalf of …"); the words are in ``law/letters.yaml``.
        """
        applicant = self.case.applicant
        rep = self.case.acting_representative
        voices = load_data("letters")["sender_voice"]
        if rep is None:
            return {
                "on_behalf": False,
                "voice": "self",
                "words": voices["self"],
                "name": applicant.full_name,
                "lines": [line for line in letter_address if line],
                "contact": contact,
                "reference": "",
                "described": applicant.full_name,
                "consent": "",
                "account_note": "",
                "account_end": "",
                "signature": [applicant.full_name],
            }
        name = applicant.full_name
        voice = "firm" if rep.solicitor and rep.organisation else "adviser"
        words = voices[voice]
        role = ", ".join(part for part in (rep.role, rep.organisation) if part)
        rep_contact = ", ".join(c for c in (rep.email, rep.phone) if c)
        return {
            "on_behalf": True,
            "voice": voice,
            "words": words,
            "name": rep.name,
            "lines": [line for line in [rep.organisation, *paragraphs(rep.address)] if line],
            "contact": rep_contact or "[contact details]",
            "reference": rep.reference or "",
            "described": f"{rep.name} ({role})" if role else rep.name,
            "consent": words["consent"].format(name=name),
            "account_note": words["account_note"].format(name=name),
            "account_end": words["account_end"].format(writer=rep.name),
            "signature": [rep.name, *([role] if role else []), words["signed"].format(name=name)],
        }

    def impact_paragraphs(self, medical: bool = True) -> list[str]:
        """The impact statement as paragraphs, then the effects as a bulleted list.

        ``medical=False`` leaves out every sentence and effect about health care or sick leave:
        a regulator such as Ofcom does not need a person's medical details.
        """
        impact = self.case.impact
        lines = paragraphs(impact.statement)
        effects = list(impact.effects)
        if not medical:
            lines = [p for p in (_without_medical(line) for line in lines) if p]
            effects = [e for e in effects if not MEDICAL.search(e)]
        if effects:
            lines.append("The effects on me include:")
            lines.extend(f"\u2022 {effect}" for effect in effects)
        return lines or ["[Describe here how the harassment has affected you.]"]
