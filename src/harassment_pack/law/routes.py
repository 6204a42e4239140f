"""Which legal route fits a case, and in what order: the rules are data (``routes.yaml``).

Why: the same facts can lead to very different first steps. A former partner who threatens to
kill is usually best met with a free non-molestation order from the family court, not a County
Court claim with fees; a stranger can only be met with a harassment claim or police action. The
person, ``check``, the next-steps sheet and the pack cover must all name the same first route,
so it is worked out once, here, from the case file: the relationship (Family Law Act 1996 s.62),
the conduct (stalking, threats, a course of conduct), an open police case and the person's
wishes. Every reason shown comes from ``routes.yaml`` with its source and checked date.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..case import Case, PoliceReport, Respondent
from ..order_terms import has_terms
from . import dated, load_data

STALKING_KINDS = {"contact", "monitoring", "doxxing", "publishing", "impersonation"}
"""Incident kinds that match the examples of stalking in PHA s.2A(3)."""
OPEN_STATUSES = {"open", "charged"}

MAYBE_ASSOCIATED = re.compile(
    r"\b(?:partner|husband|wife|spouse|boyfriend|girlfriend|fianc\w*|ex|family|father|mother|"
    r"brother|sister|son|daughter|relative|cousin|aunt|uncle|parent)\b",
    re.IGNORECASE,
)
"""Words in the person's own description of the relationship that suggest an associated
person. Used only to ask them to choose the category, never to decide the route."""


def load_routes() -> dict[str, Any]:
    """The route rules from the package's ``routes.yaml`` (read once, then shared: read-only)."""
    return load_data("routes")


@dataclass(frozen=True)
class Route:
    """One route that fits, with the reasons it fits this case and what to watch for."""

    id: str
    name: str
    form: str | None
    basis: str
    court: str
    who_applies: str
    cost: str
    by_police: bool
    reasons: tuple[str, ...]
    caveats: tuple[str, ...] = ()
    checked: str = ""
    """' (checked December 2026)' when the route's own data is only partly verified."""


@dataclass(frozen=True)
class RoutePlan:
    """The routes that fit, best first, and those that do not, with why not."""

    routes: tuple[Route, ...]
    not_fitting: tuple[tuple[str, str], ...] = ()
    """(route name, why it does not fit)."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Why the order was changed (the person's wishes)."""

    @property
    def first(self) -> Route | None:
        return self.routes[0] if self.routes else None

    def ids(self) -> list[str]:
        return [route.id for route in self.routes]

    def has(self, route_id: str) -> bool:
        return route_id in self.ids()


def is_associated(respondent: Respondent | None, rules: dict[str, Any] | None = None) -> bool:
    """Associated person (FLA 1996 s.62(3)) by the category the person chose; never guessed."""
    return associated_category(respondent.association if respondent else None, rules)


def associated_category(association: str | None, rules: dict[str, Any] | None = None) -> bool:
    """Whether the category ``association`` (case.yaml respondents[].association) makes the two
    people associated (FLA 1996 s.62(3)); an unknown or missing category does not."""
    entry = (rules or load_routes())["associations"].get(association) if association else None
    return bool(isinstance(entry, dict) and entry.get("fla_s62"))


def open_police_reports(case: Case) -> list[PoliceReport]:
    """Police cases still open: a recorded status of open or charged, or a crime reference and
    no status recorded."""
    return [
        report
        for report in case.police_reports
        if report.status in OPEN_STATUSES or (report.status is None and report.crime_reference)
    ]


def _incidents_by(case: Case, respondent: Respondent | None) -> list:
    """The incidents attributed to ``respondent`` (all of them when nobody is named)."""
    if respondent is None:
        return list(case.incidents)
    return [i for i in case.incidents if i.respondent == respondent.id]


def _dapo_force(case: Case, rules: dict[str, Any]) -> str | None:
    pilot = set(rules["dapo_pilot"]["forces"])
    return next((r.force for r in case.police_reports if r.force in pilot), None)


def conditions(case: Case, rules: dict[str, Any] | None = None) -> dict[str, bool]:
    """The facts the route rules are written in, worked out from the case file."""
    rules = rules or load_routes()
    respondent = case.main_respondent()
    mine = _incidents_by(case, respondent)
    stalking = [i for i in mine if STALKING_KINDS & set(i.kinds)]
    return {
        "associated": is_associated(respondent, rules),
        "respondent_known": bool(respondent and respondent.known),
        "course_of_conduct": len(mine) >= 2,
        "stalking": len(stalking) >= 2,
        "criminal_case_open": bool(open_police_reports(case)),
        "dapo_pilot_area": _dapo_force(case, rules) is not None,
        "prefers_police": bool(case.wishes.prefers_police),
        "wants_damages": bool(case.wishes.damages),
    }


def _values(case: Case, rules: dict[str, Any]) -> dict[str, str]:
    """What the reasons' {placeholders} are filled with."""
    respondent = case.main_respondent()
    associations = rules["associations"]
    association = associations.get(respondent.association if respondent else None) or {}
    references = [r.crime_reference for r in open_police_reports(case) if r.crime_reference]
    mine = _incidents_by(case, respondent)
    return {
        "association": dated(associations, f"Family Law Act 1996 {association['fla_s62']}")
        if association.get("fla_s62")
        else "",
        "association_caveat": association.get("caveat", ""),
        "incident_count": str(len(mine)),
        "crime_reference": "crime reference " + ", ".join(references)
        if references
        else "no crime reference recorded yet",
        "force": _dapo_force(case, rules) or "",
        "dapo_note": dated(rules["dapo_pilot"], rules["dapo_pilot"]["note"]),
    }


def plan_routes(
    case: Case,
    rules: dict[str, Any] | None = None,
    *,
    folder: str | None = None,
    parts: Mapping[str, str] | None = None,
) -> RoutePlan:
    """The routes that fit ``case``, best first, with reasons; England and Wales only.

    ``folder`` and ``parts`` say where the notes' questions are answered (``answer_where``).
    """
    rules = rules or load_routes()
    if case.jurisdiction != "england_wales":
        return RoutePlan(())
    facts = conditions(case, rules)
    values = _values(case, rules)
    adjust = rules["adjust"]
    fitting: list[tuple[int, int, Route]] = []
    not_fitting: list[tuple[str, str]] = []
    notes: list[str] = []
    for position, entry in enumerate(rules["routes"]):
        missing = [need for need in entry["needs"] if not facts[need]]
        if missing:
            not_fitting.append((entry["name"], rules["missing"][missing[0]]))
            continue
        rank = entry["rank"]
        reasons = [text.format(**values) for text in entry["reasons"]]
        if entry["by_police"] and facts["prefers_police"]:
            rank += adjust["prefers_police"]["police_routes_move_by"]
        if entry["id"] == "pha_injunction" and facts["wants_damages"]:
            reasons.insert(0, adjust["wants_damages"]["reason"])
        caveats = tuple(c for c in (text.format(**values) for text in entry["caveats"]) if c)
        route = Route(
            id=entry["id"],
            name=entry["name"],
            form=entry.get("form"),
            basis=entry["basis"],
            court=entry["court"],
            who_applies=entry["who_applies"],
            cost=entry["cost"],
            by_police=entry["by_police"],
            reasons=tuple(reasons),
            caveats=caveats,
            checked=dated(entry, ""),
        )
        fitting.append((rank, position, route))
    respondent = case.main_respondent()
    if (
        respondent is not None
        and respondent.association is None
        and MAYBE_ASSOCIATED.search(respondent.relationship or "")
    ):
        ask = rules["ask_association"]
        where = answer_where(rules, ask["section"], ask["command"], folder, parts)
        note = ask["text"].format(question=ask["question"], where=where)
        notes.append(note if parts is not None else f"{note} {ask['field']}")
    if facts["prefers_police"] and any(route.by_police for _, _, route in fitting):
        notes.append(adjust["prefers_police"]["reason"])
    fitting.sort(key=lambda item: (item[0], item[1]))
    return RoutePlan(tuple(r for _, _, r in fitting), tuple(not_fitting), tuple(notes))


def interview_command(rules: dict[str, Any], command: str, folder: str | None) -> str:
    """The interview ``command`` (routes.yaml) for the case ``folder`` as the person names it."""
    words = rules["court_papers"]
    return command.format(folder=shlex.quote(folder) if folder else words["no_folder"])


def answer_where(
    rules: dict[str, Any],
    section: str,
    command: str,
    folder: str | None,
    parts: Mapping[str, str] | None,
) -> str:
    """How to answer a question of the interview's ``section``, said where the person reads it.

    In a terminal: the interview ``command`` for ``folder``. For someone using the private web
    pages (``parts``: the title of each part of the questions, by section; the web layer passes
    it to ``check_case`` and ``build_case``): the part of her case's page that asks it, never a
    command, which a person who never opens a terminal cannot type.
    """
    words = rules["court_papers"]
    if parts is not None:
        return words["where_web"].format(part=parts.get(section, section))
    return words["where_command"].format(command=interview_command(rules, command, folder))


COURT_ROUTES = ("non_molestation", "pha_injunction")
"""The routes whose court papers harassment-pack writes."""


def court_route(case: Case) -> str:
    """Which court papers to write: the route chosen in the case file, else the best fitting of
    the two court routes (a non-molestation order for an associated person)."""
    if case.injunction is not None and case.injunction.route:
        return case.injunction.route
    plan = plan_routes(case)
    return next((r.id for r in plan.routes if r.id in COURT_ROUTES), "pha_injunction")


@dataclass(frozen=True)
class CourtPapers:
    """Which route the court papers are for, said in one plain line, and why.

    Chosen routes and the route that fits best can differ (Jane chose the County Court claim
    because she wants damages; a non-molestation order may fit her best): the cover, ``check``
    and the next steps all say the same line, so nobody files papers for one route believing
    they are for the other. Until the order has a term the build drafts no court papers, and
    the line says that instead, with the question to answer.
    """

    route: str
    """The route the court papers are (or will be) drafted for (``court_route``)."""
    name: str
    """How the papers are named: 'a non-molestation order (form FL401, the family court)'."""
    chosen: bool
    """The case file chooses it (``injunction.route``); else it is the best fit."""
    best: str | None
    """The court route that fits best, None when neither court route fits."""
    text: str
    switch_to: str | None = None
    """The other court route, when switching to it is worth saying."""
    drafted: bool = True
    """The build drafts the papers: False until the order has a term (``has_terms``)."""
    cover: tuple[str, ...] = ()
    """The same said for the pack cover in short paragraphs, with no case-file field names:
    when there is something to answer in a terminal, the last is the interview command on its
    own; for the web pages, the paragraph before names the part of the case's page instead."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "name": self.name,
            "chosen": self.chosen,
            "best": self.best,
            "switch_to": self.switch_to,
            "drafted": self.drafted,
            "text": self.text,
        }


def court_papers(
    case: Case, folder: str | None = None, parts: Mapping[str, str] | None = None
) -> CourtPapers | None:
    """The line saying which route the court papers are for, None when no court order is sought.

    How to answer a question is said for where the person reads it (``answer_where``): in a
    terminal, the interview command for ``folder`` (the case folder as the person names it); for
    the web pages, the part of the questions that holds it, from ``parts``.
    """
    if case.jurisdiction != "england_wales" or case.injunction is None:
        return None
    if not case.injunction.sought:
        return None
    rules = load_routes()
    words = rules["court_papers"]
    entries = {entry["id"]: entry for entry in rules["routes"] if entry["id"] in COURT_ROUTES}
    route = court_route(case)
    papers = entries[route]["papers"]
    chosen = bool(case.injunction.route)
    section = words["section"]
    where = answer_where(rules, section, words["command"], folder, parts)
    again = words["again" if parts is None else "again_web"]
    cover = words["cover"]
    # On the cover a web reader is told which part to open, and no command line follows (its
    # paragraph is left empty, and not printed).
    command = interview_command(rules, words["command"], folder) if parts is None else ""
    part = parts.get(section, section) if parts is not None else ""
    answer = cover["answer" if parts is None else "answer_web"]
    plan = plan_routes(case, rules)
    fitting = [r.id for r in plan.routes if r.id in COURT_ROUTES]
    best = fitting[0] if fitting else None
    if not has_terms(case.injunction):
        question = words["terms_question"]
        text = words["no_terms"].format(question=question, where=where, again=again, papers=papers)
        asking = answer.format(question=question, part=part)
        said = tuple(
            p
            for p in (
                p.format(papers=papers, answer=asking, command=command) for p in cover["no_terms"]
            )
            if p
        )
        return CourtPapers(route, papers, chosen, best, text, None, drafted=False, cover=said)
    other = next(r for r in COURT_ROUTES if r != route)
    switch = words["switch" if parts is None else "switch_web"].format(
        other=entries[other]["papers"], question=words["question"], where=where, other_id=other
    )
    facts = conditions(case, rules)
    missing = next(
        (rules["missing"][need] for need in entries[route]["needs"] if not facts[need]), ""
    )
    values = {
        "papers": papers,
        "switch": switch,
        "missing": missing,
        "other": entries[other]["papers"],
        "question": words["question"],
        "command": command,
        "answer": answer.format(question=words["question"], part=part),
    }
    because = cover_because = ""  # her wish, when it explains the choice
    if best is not None:
        values["best"] = entries[best]["papers"]
    switch_to: str | None = other
    if best is None:
        key, switch_to = "none_fits", None
    elif route not in fitting:
        key = "chosen_not_fitting"
        values["best_sentence"] = words["best_sentence"].format(**values)
    elif not chosen:
        key = "best_fit" if other in fitting else "best_fit_only"
        switch_to = other if other in fitting else None
    elif route == best:
        key, switch_to = "chosen_best", None
    else:
        key = "chosen_other"
        if route == "pha_injunction" and facts["wants_damages"]:
            because = rules["adjust"]["wants_damages"]["because"]
            cover_because = rules["adjust"]["wants_damages"]["cover_because"]
    text = words[key].format(**values, because=because)
    said = tuple(p for p in (p.format(**values, because=cover_because) for p in cover[key]) if p)
    return CourtPapers(route, papers, chosen, best, text, switch_to, cover=said)


def route_title(route: Route) -> str:
    """'Non-molestation order (form FL401)': how a route is named in one line."""
    name = f"{route.name} (form {route.form})" if route.form else route.name
    return name + route.checked
