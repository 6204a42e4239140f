"""Short witness statements (PD 32) for other people who saw the harassment or received it.

A sister who was sent messages, a friend who saw the fake account: their evidence helps, but it
must be their own. Each statement is a short draft in the PD 32 form (heading, top-right marking,
first person, how it was prepared, the incidents it concerns in the chronology's numbering, the
exact statement of truth) for the witness to correct and sign; what the applicant typed for them
is marked as hers to check with them. For a non-molestation order they are family court
statements (FPR PD 22A) and end with its statement of truth (PD 17A: the contempt warning first).
"""

from __future__ import annotations

import re
from typing import Any

from ..case import Case, Witness
from ..law import load_data
from ..render import paragraphs
from .common import CaseView
from .witness_statement import initials_surname

TITLE = "Supporting witness statements (drafts)"

NOT_A_RELATION = re.compile(r"(?<![\w'])(?:I|me|my|we|our)(?![\w'])|[.?!]", re.IGNORECASE)
"""A relation that reads like a sentence ('she is my sister.') is not put in the witness's mouth."""


def drafted(case: Case) -> list[Witness]:
    """The witnesses a draft is written for: all but those who said they will not give one."""
    return [witness for witness in case.witnesses if witness.willing is not False]


def applies(view: CaseView) -> str | None:
    case = view.case
    if case.jurisdiction != "england_wales":
        return "the statements follow the civil rules of England and Wales"
    if not case.witnesses:
        return "no other witnesses are recorded"
    return None if drafted(case) else "the other witnesses recorded do not want to give one"


def build(view: CaseView) -> dict[str, Any]:
    case = view.case
    parties = view.base["parties"]
    statements = []
    for witness in drafted(case):
        relation = witness.relation or ""
        if not relation or NOT_A_RELATION.search(relation):
            known = f"I know the {parties['applicant']}, {case.applicant.full_name}: [how]."
        else:
            known = (
                f"I am the {parties['applicant']}'s {relation.lower()} "
                f"({case.applicant.full_name})."
            )
        numbers = [view.numbers[i] for i in witness.incidents if i in view.numbers]
        role = "application" if parties["applicant"] == "Applicant" else "claim"
        paras = [
            f"My name is {witness.full_name}. I live at [address]. My occupation is "
            f"[occupation]. I am not a party to this {role}. {known}",
            "This statement was drafted for me from what the "
            f"{parties['applicant']} recorded of my account. I have read it, corrected it and "
            "made sure it is in my own words before signing it.",
            *paragraphs(witness.account),
        ]
        if numbers:
            paras.append(
                "What I describe concerns the incident"
                + ("s" if len(numbers) > 1 else "")
                + f" numbered {', '.join(numbers)} in the {parties['applicant']}'s chronology."
            )
        statements.append(
            {
                "name_upper": witness.full_name.upper(),
                "marking": {
                    "party": parties["applicant"],
                    "witness": initials_surname(witness.full_name),
                    "number": "1st statement",
                    "exhibits": "No exhibits",
                    "date": "Date: [date of signing]",
                },
                "paras": [{"number": n, "text": t} for n, t in enumerate(paras, start=1)],
                "signer": witness.full_name,
            }
        )
    family = parties["applicant"] == "Applicant"
    return {
        "statements": statements,
        "truth_text": load_data("court_papers")["family_statement_of_truth"]["witness"]
        if family
        else view.law["statement_of_truth"]["witness"]["text"],
    }
