"""Which offences may be relevant to a case, decided by rules whose elements are data.

Matching offences by incident kind alone overclaims (an insult labelled a menacing message, a
stranger's message labelled controlling behaviour) and underclaims. Each offence in
``facts.yaml`` instead lists the elements it needs (``requires``): how the people are connected,
how serious the content is, what was threatened, how many incidents there were. Each element is
a small test over one person's incidents (``offence_elements``). An offence *may be relevant*
only when every element holds for the same person's incidents, and the result carries the
sentence that makes each element hold, so every label can say why.

Offences whose data is ``unverified`` are matched too, but marked ``shown=False``: users never
see them; ``check --json`` lists them with their status for the people who maintain the data.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..case import Case, Incident, Respondent
from ..dates import uk_date

__all__ = ["OffenceMatch", "connection", "course_of_conduct", "offence_matches"]


@dataclass(frozen=True)
class OffenceMatch:
    """An offence that may be relevant to one person's incidents, and why."""

    offence: dict[str, Any]
    respondent: str | None
    incidents: tuple[Incident, ...]
    because: tuple[str, ...]
    shown: bool
    elements: tuple[str, ...] = ()
    """The element that held for each ``requires`` item, in order."""

    @property
    def id(self) -> str:
        return self.offence["id"]


@functools.cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


def connection(law: dict[str, Any], respondent: Respondent | None) -> list[str]:
    """The ``relationships`` categories (partner, family) that describe how you know someone.

    The category chosen in the interview (``association``) decides when it is set, so a
    colleague is never read as a partner; otherwise the words of ``relationship`` are read.
    """
    if respondent is None:
        return []
    entries = {k: e for k, e in law["relationships"].items() if isinstance(e, dict)}
    if respondent.association:
        return [k for k, e in entries.items() if respondent.association in e["associations"]]
    text = respondent.relationship or ""
    return [k for k, e in entries.items() if text and _pattern(e["pattern"]).search(text)]


class _Group:
    """One person's incidents (or one unlinked incident), as the element tests see them."""

    def __init__(
        self,
        case: Case,
        law: dict[str, Any],
        respondent: Respondent | None,
        incidents: Sequence[Incident],
        numbers: dict[str, str],
    ) -> None:
        self.case = case
        self.law = law
        self.respondent = respondent
        self.incidents = list(incidents)
        self.kinded = [incident for incident in self.incidents if incident.kinds]
        """The incidents given kinds: an imported case has thousands without any, which no
        test by kind can select."""
        self.numbers = numbers

    def refs(self, incidents: Sequence[Incident], limit: int = 6) -> str:
        shown = [f"{self.numbers[i.id]} ({uk_date(i.when)})" for i in incidents[:limit]]
        if len(incidents) > limit:
            return ", ".join(shown) + f" and {len(incidents) - limit} more"
        return (
            " and ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else "".join(shown)
        )

    def test(self, key: str) -> tuple[list[Incident], str, str] | None:
        """(the incidents that satisfy element ``key``, the sentence saying so, ``key``)."""
        element = self.law["offence_elements"][key]
        rule = element["test"]
        hits = self.incidents
        if "kinds" in rule:
            wanted = set(rule["kinds"])
            hits = [i for i in self.kinded if wanted & set(i.kinds)]
        if len(hits) < int(rule.get("min_incidents", 1)):
            return None
        name = self.respondent.name if self.respondent and self.respondent.known else ""
        relationship = ""
        if "relationship" in rule:
            found = set(connection(self.law, self.respondent))
            if not self.respondent or not found & set(rule["relationship"]):
                return None
            relationship = (
                f"your {self.respondent.relationship}"
                if self.respondent.relationship
                else self.law["relationships"][sorted(found)[0]]["label"]
            )
        if rule.get("impact_recorded") and not (
            any(i.impact for i in self.incidents)
            or self.case.impact.statement
            or self.case.impact.effects
        ):
            return None
        words = element["because"].format(
            refs=self.refs(hits),
            count=len(hits),
            first=uk_date(hits[0].when) if hits else "",
            last=uk_date(hits[-1].when) if hits else "",
            is_are="is" if len(hits) == 1 else "are",
            name=name or "this person",
            relationship=relationship,
        )
        kind_based = "kinds" in rule
        return (hits if kind_based else []), words, key


def _groups(case: Case, law: dict[str, Any]) -> list[_Group]:
    """Incidents grouped by the person responsible; an unlinked incident stands alone."""
    numbers = case.incident_numbers()
    by_person: dict[str, list[Incident]] = {}
    alone: list[list[Incident]] = []
    for incident in case.incidents_in_order():
        if incident.respondent and case.respondent(incident.respondent) is not None:
            by_person.setdefault(incident.respondent, []).append(incident)
        else:
            alone.append([incident])
    groups = [
        _Group(case, law, case.respondent(rid), hits, numbers) for rid, hits in by_person.items()
    ]
    groups += [_Group(case, law, None, hits, numbers) for hits in alone]
    return groups


def _requirement(group: _Group, item: str | list[str]) -> tuple[list[Incident], str, str] | None:
    """One ``requires`` item: an element, or a list of elements of which any one will do."""
    for key in [item] if isinstance(item, str) else item:
        result = group.test(key)
        if result is not None:
            return result
    return None


def offence_matches(case: Case, law: dict[str, Any]) -> list[OffenceMatch]:
    """Every offence whose elements all hold for one person's incidents, in data order.

    The same offence can match several people; each match is its own entry. Only offences for
    the case's part of the UK are considered.
    """
    matches: list[OffenceMatch] = []
    groups = _groups(case, law)
    for offence in law["offences"]:
        if case.jurisdiction not in offence["jurisdictions"]:
            continue
        for group in groups:
            found = [_requirement(group, item) for item in offence["requires"]]
            if any(result is None for result in found):
                continue
            chosen = {i.id for hits, _, _ in found if hits for i in hits}  # type: ignore[misc]
            incidents = [i for i in group.incidents if i.id in chosen] or group.incidents
            matches.append(
                OffenceMatch(
                    offence=offence,
                    respondent=group.respondent.id if group.respondent else None,
                    incidents=tuple(incidents),
                    because=tuple(words for _, words, _ in found),  # type: ignore[misc]
                    shown=offence["status"] != "unverified",
                    elements=tuple(key for _, _, key in found),  # type: ignore[misc]
                )
            )
    return matches


def course_of_conduct(case: Case, law: dict[str, Any]) -> bool:
    """Whether one person's incidents show conduct on at least two occasions (PHA s.7(3)).

    A harassment claim needs it, so without it the pack prepares no court documents unless
    they are asked for by name.
    """
    return any(group.test("two_occasions") for group in _groups(case, law))
