"""The case file: a typed model of ``case.yaml``, loaded with precise errors and saved atomically.

The case file is the single source of truth: every document renders from it and nothing else.
It may hold a victim's address and intimate evidence, so it is written only through
``save_case`` (temp file, fsync, rename, mode 0600) and never logged.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import hashlib
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from .dates import DATE_HINT, DateFormatError, parse_date, parse_moment, sort_key
from .errors import UserError
from .files import file_sha256, write_private
from .jsonl import read_records, write_records
from .strict_yaml import check_size, read_yaml_with_lines

SCHEMA_VERSION = 1
CASE_FILENAME = "case.yaml"
EVIDENCE_DIRNAME = "evidence"


def _as_date(value: Any) -> date:
    try:
        return parse_date(value)
    except DateFormatError as exc:
        raise ValueError(str(exc)) from None


def _as_moment(value: Any) -> datetime | date:
    try:
        return parse_moment(value)
    except DateFormatError as exc:
        raise ValueError(str(exc)) from None


def _iso(value: date | datetime) -> str:
    return value.isoformat()


UKDate = Annotated[date, BeforeValidator(_as_date), PlainSerializer(_iso, return_type=str)]
"""A calendar date, written in the case file as ISO (2026-09-03) and read in any UK form."""

Moment = Annotated[
    datetime | date, BeforeValidator(_as_moment), PlainSerializer(_iso, return_type=str)
]
"""When something happened: a date, or a date and time with its UTC offset."""

IncidentKind = Literal[
    "threat",
    "threat_to_kill",
    "threat_serious_harm",
    "abuse",
    "grossly_offensive",
    "doxxing",
    "intimate_image",
    "intimate_image_threat",
    "impersonation",
    "monitoring",
    "hacking",
    "financial_demand",
    "contact",
    "publishing",
    "sexual",
    "other",
]
Jurisdiction = Literal["england_wales", "scotland", "northern_ireland"]
Association = Literal[
    "spouse",
    "cohabitant",
    "partner_not_lived_together",
    "engaged",
    "relative",
    "household",
    "parent_of_child",
    "colleague",
    "neighbour",
    "acquaintance",
    "online_only",
    "stranger",
]
"""How the applicant knows a respondent; law/routes.yaml says which make them "associated"."""


class Record(BaseModel):
    """Base for every part of the case file: unknown keys are errors, never dropped."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)


class Account(Record):
    platform: str
    handle: str | None = None
    url: str | None = None


class Applicant(Record):
    full_name: str
    initials: str | None = Field(
        default=None, description="For exhibit labels (JS/1); worked out from the name if empty."
    )
    address: str | None = None
    postcode: str | None = None
    email: str | None = None
    phone: str | None = None
    occupation: str | None = None
    keep_address_confidential: bool = False
    safe_contact: str | None = Field(
        default=None, description="How it is safe to contact you, e.g. 'email only'."
    )
    voicemail_safe: bool = False
    workplace: str | None = Field(
        default=None,
        description="Where you work (name, address): never served; in the confidential schedule.",
    )
    children_school: str | None = Field(
        default=None,
        description="Your children's school or nursery: never served; in the confidential "
        "schedule.",
    )
    routines: str | None = Field(
        default=None,
        description="How you travel, your routines and what you now do to stay safe (e.g. 'I leave "
        "work by the back entrance'): for the court only, in the confidential schedule.",
    )
    private_details: list[str] = Field(
        default_factory=list,
        description="Anything the person harassing you must not learn, as you would write it: no "
        "served document may contain it (checked on every build).",
    )

    @property
    def exhibit_initials(self) -> str:
        """Initials for exhibit labels: given ones, or first letters of first and last name."""
        if self.initials:
            return "".join(ch for ch in self.initials.upper() if ch.isalpha())
        words = [w for w in self.full_name.replace("-", " ").split() if w[:1].isalpha()]
        if not words:
            return "X"
        return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


class Representative(Record):
    """A solicitor, advocate or support worker acting for the applicant.

    With the applicant's authority, letters come from them, "on behalf of" the applicant, and
    replies go to their address, so the applicant's own address and contacts stay out of them.
    A solicitor among them is also the legal representative of the court papers (the address
    for service, who signs): ``Case.legal_representative``. One record, so the letters and the
    court papers can never name two different people.
    """

    acting: bool = True
    name: str | None = None
    role: str | None = Field(
        default=None, description="e.g. 'solicitor' or 'independent domestic violence adviser'."
    )
    organisation: str | None = None
    address: str | None = Field(default=None, description="Their address for correspondence.")
    email: str | None = None
    phone: str | None = None
    reference: str | None = Field(default=None, description="Their own reference for the case.")
    authority: bool = Field(
        default=False,
        description="The applicant has given them authority to act and to receive replies.",
    )
    solicitor: bool = Field(
        default=False,
        description="They are a solicitor (a legal representative, CPR 2.3) acting in the court "
        "case: the court papers give their office as the address for service and they may sign "
        "the statements of truth. An adviser or support worker sends letters only.",
    )


class Respondent(Record):
    id: str
    name: str = "Unknown"
    relationship: str | None = None
    association: Association | None = Field(
        default=None,
        description="How you know them, as a category (law/routes.yaml associations): decides "
        "whether the family court's non-molestation order is open to you. The free-text "
        "'relationship' is your own words and is never copied into a court form.",
    )
    address: str | None = None
    accounts: list[Account] = Field(default_factory=list)
    description: str | None = None

    @property
    def known(self) -> bool:
        return self.name.strip().lower() not in {"", "unknown", "not known"}


class Source(Record):
    """Where an incident came from: typed by the user, or imported from a file and line."""

    kind: Literal["typed", "imported"] = "typed"
    file: str | None = None
    file_sha256: str | None = None
    record: str | None = None
    original_time: str | None = None
    timezone_basis: str | None = None
    content_key: str | None = Field(
        default=None,
        description="Fingerprint of an imported message (platform, sender, time, words), so "
        "importing the same or an overlapping export again adds nothing twice.",
    )


class Incident(Record):
    id: str
    when: Moment
    platform: str
    respondent: str | None = None
    account: str | None = Field(
        default=None,
        description="The account, handle or number this came from, when known. The documents "
        "never guess it from the respondent's other accounts.",
    )
    kinds: list[IncidentKind] = Field(default_factory=list)
    summary: str
    exact_words: str | None = None
    url: str | None = None
    evidence: list[str] = Field(default_factory=list)
    impact: str | None = None
    source: Source = Field(default_factory=Source)

    @property
    def sort_key(self) -> datetime:
        return sort_key(self.when)


class ContextMessage(Record):
    """A message around an imported incident from someone else (usually the applicant).

    Not an incident: kept so a chronology can show what the harassing messages answered or were
    answered with, exactly as the export has it.
    """

    when: Moment
    platform: str
    sender: str
    text: str | None = None
    conversation: str | None = None
    source: Source = Field(default_factory=Source)

    @property
    def sort_key(self) -> datetime:
        return sort_key(self.when)


class Redaction(Record):
    """A box in an image's own pixels (origin top left) blacked out in the served copy."""

    left: int = Field(ge=0)
    top: int = Field(ge=0)
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    reason: str | None = None


class Evidence(Record):
    id: str
    file: str
    sha256: str | None = None
    size: int | None = None
    media_type: str | None = None
    captured: Moment | None = None
    captured_by: str | None = None
    registered: UKDate | None = Field(
        default=None, description="The day the file and its SHA-256 were recorded in the case."
    )
    description: str
    label: str | None = None
    sensitive: bool = False
    redactions: list[Redaction] = Field(
        default_factory=list,
        description="Boxes blacked out (and removed from the text layer) in the served copy; the "
        "file in evidence/ and the applicant's own pack keep the original.",
    )

    @field_validator("file")
    @classmethod
    def _inside_case_folder(cls, value: str) -> str:
        """A path in case.yaml can never point outside the case folder (no /…, C:\\…, or ..)."""
        posix = PurePosixPath(value.replace("\\", "/"))
        if (
            posix.is_absolute()
            or PureWindowsPath(value).is_absolute()
            or PureWindowsPath(value).drive
        ):
            raise ValueError(
                f'"{value}" is an absolute path, outside the case folder (write it relative to '
                "the case folder, e.g. evidence/NAME, and add files with 'harassment-pack "
                "evidence add')"
            )
        if ".." in posix.parts:
            raise ValueError(
                f'"{value}" contains "..", which leads outside the case folder (keep evidence '
                "inside the case folder, e.g. evidence/NAME; add files with 'harassment-pack "
                "evidence add')"
            )
        return value


class PlatformReport(Record):
    id: str
    platform: str
    date: UKDate
    reference: str | None = None
    how: str | None = None
    incidents: list[str] = Field(default_factory=list)
    what_reported: str | None = None
    response: str | None = None
    response_date: UKDate | None = None
    content_removed: bool | None = None
    difficulties: str | None = Field(
        default=None, description="Anything that made reporting hard (OSA s.20 duty)."
    )
    appealed: bool = False


class PoliceContact(Record):
    date: UKDate
    what: str


class PoliceReport(Record):
    id: str
    force: str
    date: UKDate
    how: str | None = None
    crime_reference: str | None = None
    no_reference_reason: str | None = None
    officer: str | None = None
    incidents: list[str] = Field(default_factory=list)
    what_reported: str | None = None
    promised: str | None = None
    outcome: str | None = None
    last_contact: UKDate | None = None
    written_confirmation: bool | None = None
    referred_to_support: bool | None = None
    updates_given: bool | None = None
    statement_taken: bool | None = None
    status: (
        Literal["open", "charged", "no_further_action", "convicted", "acquitted", "closed"] | None
    ) = Field(
        default=None,
        description="Where the police case stands; without it a report with a crime "
        "reference counts as open.",
    )
    contacts: list[PoliceContact] = Field(default_factory=list)


class PsdComplaint(Record):
    wanted: bool = True
    force: str | None = None
    concerns: list[str] = Field(default_factory=list)
    outcome_sought: list[str] = Field(default_factory=list)
    adjustments: str | None = None
    delay_explanation: str | None = None
    outcome_letter_date: UKDate | None = None


class OfcomReport(Record):
    wanted: bool = True
    platforms: list[str] = Field(default_factory=list)
    notes: str | None = None


class FraudReport(Record):
    reported: bool = False
    date: UKDate | None = None
    reference: str | None = None


OrderTerm = Literal[
    "contact",
    "publication",
    "intimate_images",
    "approach",
    "monitoring",
    "violence",
    "impersonation",
    "encouraging_others",
    "third_parties",
    "removal",
    "own_words",
]
"""The structured terms an order can hold (phrased from law/order_terms.yaml); 'own_words' is
a term described in the person's own words (``text``), which the papers never paste."""
PublicationSubject = Literal["home_address", "workplace", "whereabouts", "photographs", "about_her"]


class Order(Record):
    term: OrderTerm | None = Field(
        default=None,
        description="Which kind of term this is; the court papers phrase it from "
        "law/order_terms.yaml. Without it, 'text' is the person's own words, which are "
        "rewritten into legal phrasing or left for the solicitor, never pasted.",
    )
    kind: Literal["prohibitory", "mandatory"] = "prohibitory"
    text: str | None = Field(
        default=None,
        description="Only for a term in your own words: what he must stop doing, e.g. "
        "'contacting me by any means'.",
    )
    channels: list[str] = Field(
        default_factory=list, description="contact: the ways of contact to name (default: all)."
    )
    exception: str | None = Field(
        default=None,
        description="contact: a topic he may still email about, e.g. 'the car finance agreement "
        "in their joint names'.",
    )
    subjects: list[PublicationSubject] = Field(
        default_factory=list, description="publication: what he must not publish."
    )
    places: list[Literal["home", "workplace"]] = Field(
        default_factory=list, description="approach: the places he must keep away from."
    )
    distance_m: int | None = Field(default=None, ge=1, description="approach: how far, in metres.")
    urls: list[str] = Field(
        default_factory=list, description="removal: links to the posts to be taken down."
    )
    accounts: list[str] = Field(
        default_factory=list, description="removal: accounts (e.g. fake profiles) to be taken down."
    )
    hours: int | None = Field(default=None, ge=1, description="removal: within how many hours.")
    restrains_publication: bool = Field(
        default=False,
        description="Kept for old case files; the papers work this out from the terms.",
    )


class Injunction(Record):
    sought: bool = True
    court: str | None = None
    claim_number: str | None = None
    without_notice: bool = False
    without_notice_reasons: str | None = None
    informal_notice: str | None = None
    adverse_matters: str | None = None
    orders: list[Order] = Field(default_factory=list)
    exclusion_address: str | None = None
    exclusion_address_known: bool = Field(
        default=False,
        description="True only when the Defendant already knows the exclusion-zone address and "
        "you confirm it may be written in the served order; otherwise the order refers to the "
        "address in the confidential schedule.",
    )
    undertakings: list[str] = Field(default_factory=list)
    service_address: str | None = Field(
        default=None, description="Where court papers can be served on him (his address)."
    )
    signed_by: Literal["claimant", "legal_representative"] = Field(
        default="claimant",
        description="Who signs the application's statement of truth: you ('I believe') or your "
        "solicitor ('The Claimant believes' or 'The applicant believes'), named in "
        "'representative'.",
    )
    claimant_service_address: str | None = Field(
        default=None,
        description="An address where you live or work that it is safe to give him for court "
        "papers (not a PO box). Without one, and with your address confidential, the papers "
        "ask the court to keep your address from him.",
    )
    alternative_service: bool = Field(
        default=True,
        description="Ask the court to allow service by his email or messaging accounts too.",
    )
    route: Literal["non_molestation", "pha_injunction"] | None = Field(
        default=None,
        description="Which court papers to prepare: a non-molestation order (FL401, family "
        "court) or a harassment claim (N208/N16A, County Court). Empty: the route that fits "
        "best (harassment-pack check shows it).",
    )
    claim_issued: bool = Field(
        default=False, description="A claim form has already been issued (then no N208)."
    )


class Wishes(Record):
    """What the person wants, which changes the order in which routes are suggested."""

    damages: bool | None = Field(default=None, description="Wants compensation (damages).")
    prefers_police: bool | None = Field(
        default=None,
        description="Would rather the police acted than make a court application herself.",
    )


class Witness(Record):
    """Someone else who saw the harassment or received it (a friend, a sister)."""

    id: str
    full_name: str
    relation: str | None = Field(
        default=None, description="What they are to you, in a word or two: 'sister', 'friend'."
    )
    account: str | None = Field(
        default=None,
        description="What they saw or received, in their words ('On 6 September 2026 I …'); "
        "they check and sign their own statement.",
    )
    incidents: list[str] = Field(default_factory=list)
    willing: bool | None = Field(
        default=None,
        description="They have said they will give a statement. No: no draft is made for them; "
        "empty: not asked yet (a draft is made for them to consider).",
    )
    contact: str | None = Field(
        default=None,
        description="How your solicitor can reach them (phone or email). Only on your own "
        "next-steps sheet: no served document may contain it (checked on every build).",
    )


class Impact(Record):
    statement: str | None = None
    effects: list[str] = Field(default_factory=list)


class Case(Record):
    schema_version: int = SCHEMA_VERSION
    jurisdiction: Jurisdiction = "england_wales"
    statement_number: int = Field(default=1, ge=1)
    statement_prepared: str | None = Field(
        default=None, description="How the statement was prepared (PD 32 para 18.1)."
    )
    applicant: Applicant
    representative: Representative | None = None
    respondents: list[Respondent] = Field(default_factory=list)
    incidents: list[Incident] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    next_exhibit_number: int | None = Field(
        default=None,
        ge=1,
        description="Number the next exhibit label gets; labels are never reused after removals.",
    )
    platform_reports: list[PlatformReport] = Field(default_factory=list)
    police_reports: list[PoliceReport] = Field(default_factory=list)
    psd_complaint: PsdComplaint | None = None
    ofcom_report: OfcomReport | None = None
    fraud_report: FraudReport | None = None
    injunction: Injunction | None = None
    impact: Impact = Field(default_factory=Impact)
    wishes: Wishes = Field(default_factory=Wishes)
    witnesses: list[Witness] = Field(default_factory=list)
    context: list[ContextMessage] = Field(
        default_factory=list,
        description="Other people's messages around imported incidents, for the chronology.",
    )

    def incidents_in_order(self) -> list[Incident]:
        """Oldest first, as chronologies and PD 32 para 19.2 expect."""
        return sorted(self.incidents, key=lambda incident: incident.sort_key)

    @property
    def acting_representative(self) -> Representative | None:
        """The representative letters come from: one who acts, is named and has authority."""
        rep = self.representative
        return rep if rep and rep.acting and rep.name and rep.authority else None

    @property
    def legal_representative(self) -> Representative | None:
        """The solicitor on the court papers: a named representative acting as a solicitor.

        Acting for her in the court case is their instruction; ``authority`` is her separate
        consent to letters being sent on her behalf, so it is not needed here.
        """
        rep = self.representative
        return rep if rep and rep.acting and rep.solicitor and rep.name else None

    @model_validator(mode="before")
    @classmethod
    def _one_representative(cls, data: Any) -> Any:
        """Old case files named the solicitor a second time, as ``injunction.legal_representative``.

        It is read into ``representative`` (the one record every document reads) and saved
        there next time; a file naming two different people is refused, so neither is lost.
        """
        injunction = data.get("injunction") if isinstance(data, dict) else None
        if not isinstance(injunction, dict) or "legal_representative" not in injunction:
            return data
        injunction = dict(injunction)
        old = injunction.pop("legal_representative")
        data = {**data, "injunction": injunction}
        if not old:
            return data
        if not isinstance(old, dict):
            raise ValueError(
                "injunction.legal_representative must be the solicitor's details (name, firm, "
                "address); better, give them under 'representative'"
            )
        moved = {
            "acting": True, "solicitor": True, "name": old.get("name"),
            "role": old.get("position") or "Solicitor", "organisation": old.get("firm"),
            **{k: old[k] for k in ("address", "reference", "email", "phone") if k in old},
        }  # fmt: skip
        unknown = set(old) - {"name", "firm", "position", "address", "reference", "email", "phone"}
        if unknown:
            raise ValueError(
                f"injunction.legal_representative has {sorted(unknown)[0]!r}, which is not a "
                "field of it (give the solicitor under 'representative' instead)"
            )
        current = data.get("representative")
        if isinstance(current, dict) and current.get("name") not in (None, old.get("name")):
            raise ValueError(
                f"representative ({current.get('name')}) and injunction.legal_representative "
                f"({old.get('name')}) name two different people: keep the one acting for you "
                "under 'representative' and remove injunction.legal_representative"
            )
        if isinstance(current, dict):
            # The old field put the solicitor on the court papers whatever else was answered;
            # whether letters go out on her behalf stays as she answered it (authority).
            kept = {k: v for k, v in current.items() if v not in (None, "")}
            moved = {**moved, **kept, "acting": True, "solicitor": True}
        return {**data, "representative": moved}

    def respondent(self, respondent_id: str | None) -> Respondent | None:
        return next((r for r in self.respondents if r.id == respondent_id), None)

    def main_respondent(self) -> Respondent | None:
        """The person most incidents are about: the Defendant or Respondent of any application."""
        counts: dict[str, int] = {}
        for incident in self.incidents:
            if incident.respondent:
                counts[incident.respondent] = counts.get(incident.respondent, 0) + 1
        if counts:
            return self.respondent(max(counts, key=lambda rid: counts[rid]))
        return self.respondents[0] if self.respondents else None

    def evidence_item(self, evidence_id: str) -> Evidence | None:
        return next((e for e in self.evidence if e.id == evidence_id), None)

    def exhibit_labels(self) -> dict[str, str]:
        """Exhibit label for each evidence id: the recorded one, else initials/position (JS/2)."""
        initials = self.applicant.exhibit_initials
        return {
            item.id: item.label or exhibit_label(initials, position)
            for position, item in enumerate(self.evidence, start=1)
        }

    def incident_numbers(self) -> dict[str, str]:
        """'C1', 'C2' … for each incident id, in date order: how every document refers to them."""
        return number_incidents((i.id, i.when) for i in self.incidents)

    def incident_numbered(self, number: str) -> Incident | None:
        """The incident a person calls 'C3' (any case, spaces ignored), or None."""
        wanted = number.strip().upper().replace(" ", "")
        found = next(
            (iid for iid, shown in self.incident_numbers().items() if shown == wanted), None
        )
        return next((i for i in self.incidents if i.id == found), None) if found else None

    def exhibit_labelled(self, label: str) -> Evidence | None:
        """The exhibit a person calls 'JS/3' (or 'js3'), or None."""
        wanted = _label_key(label)
        labels = self.exhibit_labels()
        return next((e for e in self.evidence if _label_key(labels[e.id]) == wanted), None)


EXHIBIT_LABEL = re.compile(r"^([A-Z]{1,4})/?(\d+)$")
"""An exhibit label: the witness's initials and a number, JS/1 (PD 32; JS1 is accepted too)."""


def exhibit_label(initials: str, number: int) -> str:
    return f"{initials}/{number}"


def exhibit_number(label: str | None) -> int | None:
    """The number of a label ('JS/12' -> 12), or None when it is not in the label form."""
    match = EXHIBIT_LABEL.match(label or "")
    return int(match[2]) if match else None


def _label_key(label: str) -> str:
    """'js / 3' and 'JS3' are the same label as 'JS/3' when a person types one."""
    return "".join(label.split()).upper().replace("/", "")


def number_incidents(incidents: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """'C1', 'C2' … for (id, when) pairs, oldest first; the one numbering shown everywhere.

    The interview numbers answers still being typed with it too, so ``when`` may be a saved ISO
    text, a date, or missing (numbered after the dated ones, in the order given).
    """

    dated: list[tuple[datetime, int, str]] = []
    undated: list[str] = []
    for position, (iid, when) in enumerate(incidents):
        try:
            dated.append((sort_key(parse_moment(when)), position, iid))
        except (DateFormatError, TypeError, ValueError):
            undated.append(iid)
    ordered = [iid for _moment, _position, iid in sorted(dated)] + undated
    return {iid: f"C{n}" for n, iid in enumerate(ordered, start=1)}


# --------------------------------------------------------------------------- loading


def path_text(path: tuple) -> str:
    """('incidents', 0, 'when') -> 'incidents[0].when': how every error names a field."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _model_at(path: tuple, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class that owns the field at ``path`` (for 'did you mean' suggestions)."""
    model: Any = root
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found:
            return found
    return None


def _explain(error: dict, root: type[BaseModel]) -> str:
    """Turn one pydantic error into 'what is wrong (how to fix it)'; ``root`` is the model
    validated (``Case`` for case.yaml, ``StoredLine`` for a line of the imported messages)."""
    kind = error["type"]
    path = tuple(error["loc"])
    value = error.get("input")
    if kind == "missing":
        return "is missing: add it (this field is required)"
    if kind == "extra_forbidden":
        model = _model_at(path, root)
        known = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        hint = f'did you mean "{close[0]}"?' if close else "remove it or check the spelling"
        return f"is not a field harassment-pack knows ({hint})"
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        return message
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f'"{value}" is not one of the allowed values (use one of: {expected})'
    if kind.startswith("bool"):
        return f'"{value}" is not yes or no (write true or false)'
    if kind.startswith("int"):
        return f'"{value}" is not a whole number (write digits, e.g. 1)'
    if kind in {"list_type"}:
        return "should be a list (start each item on its own line with '- ')"
    if kind in {"model_type", "dict_type"}:
        return "should be a group of fields (indent them under this name)"
    if kind.startswith("string"):
        return "should be text (put it in double quotes)"
    if kind.startswith("date"):
        return f'"{value}" is not a date ({DATE_HINT})'
    if kind == "json_invalid":
        return f"is not a JSON record ({error.get('ctx', {}).get('error', error['msg'])})"
    return str(error["msg"])


def parse_case(text: str, origin: str = CASE_FILENAME) -> Case:
    """Validate case-file text; every problem becomes a UserError naming file, line and field.

    (The imported messages a case.yaml names are read by ``load_case``, from the case folder.)
    """
    _data, case, lines = _parse(text, origin)
    _check_unique(case, _Places(origin, text, lines))
    return case


def _parse(text: str, origin: str) -> tuple[Any, Case, dict[tuple, int]]:
    """The data read from case-file text, the case validated from it, and each value's line."""
    data, lines = read_yaml_with_lines(text, origin)
    if not isinstance(data, dict):
        raise UserError(
            f"{origin}: is empty or not a case file (it should start with 'schema_version: "
            f"{SCHEMA_VERSION}' and an 'applicant:' section)"
        )
    version = data.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise UserError(
            f"{origin}: schema_version {version} is not supported by this version of "
            f"harassment-pack (it reads version {SCHEMA_VERSION}; upgrade harassment-pack)"
        )
    try:
        case = Case.model_validate(_facts(data))
    except ValidationError as exc:
        errors = _in_order(exc.errors())
        first = errors[0]
        path = tuple(first["loc"])
        line = lines.get(path) or lines.get(path[:-1])
        where = f"{origin} line {line}" if line else origin
        more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
        field = f"{path_text(path)}: " if path else ""  # a whole-file rule names its fields
        raise UserError(f"{where}: {field}{_explain(first, Case)}{more}") from None
    return data, case, lines


def _in_order(errors: list[Any]) -> list[Any]:
    """An unknown key usually explains a "missing" one (a misspelt field): report it first."""
    return sorted(errors, key=lambda error: error["type"] != "extra_forbidden")


def _facts(data: dict[str, Any]) -> dict[str, Any]:
    """case.yaml's data without the name of its imported-messages file (not part of the case)."""
    return {key: value for key, value in data.items() if key != IMPORTED_KEY}


class _Places:
    """Where a record of a loaded case was written: case.yaml's line, or the imported file's.

    The YAML's lines are worked out only when an error needs them after a load from the cache.
    """

    def __init__(self, origin: str, text: str | None, lines: dict[tuple, int] | None) -> None:
        self.origin = origin
        self.text = text
        self.lines = lines
        self.imported: str | None = None
        self.typed_incidents = 0
        self.incident_lines: list[int] = []

    def of(self, path: tuple) -> str:
        """'case.yaml line 12' or 'imported-1.jsonl line 3' for the record at ``path``."""
        if self.imported and path[:1] == ("incidents",) and path[1] >= self.typed_incidents:
            return f"{self.imported} line {self.incident_lines[path[1] - self.typed_incidents]}"
        if self.lines is None and self.text is not None:
            self.lines = read_yaml_with_lines(self.text, self.origin)[1]
        lines = self.lines or {}
        line = lines.get(path) or lines.get(path[:2])
        return f"{self.origin} line {line}" if line else self.origin


_UNIQUE = {
    "respondents": ("id", "person"),
    "incidents": ("id", "incident"),
    "evidence": ("id", "exhibit"),
    "platform_reports": ("id", "platform report"),
    "police_reports": ("id", "police report"),
}


def _check_unique(case: Case, places: _Places) -> None:
    """Ids (and exhibit labels) are references: two records with one would both be cited as one.

    A duplicate incident id gave two rows numbered C2 and no C1, silently. Incidents in case.yaml
    and in the imported-messages file are checked together.
    """
    checks = [(group, field, noun) for group, (field, noun) in _UNIQUE.items()]
    checks.append(("evidence", "label", "exhibit"))
    for group, field, noun in checks:
        seen: dict[Any, int] = {}
        for index, record in enumerate(getattr(case, group)):
            value = getattr(record, field)
            if value is None:
                continue
            if value in seen:
                path = (group, index, field)
                here, there = places.of(path), places.of((group, seen[value], field))
                there = there.removeprefix(here.rsplit(" line ", 1)[0] + " ")  # same file: "line 5"
                raise UserError(
                    f"{here}: {path_text(path)}: '{value}' is used by another {noun} too "
                    f"({there}); give each its own {field}"
                )
            seen[value] = index


def case_file(case_dir: Path) -> Path:
    """``CASE/case.yaml``, or a UserError saying what to do when the folder or file is missing."""
    case_dir = Path(case_dir)
    path = case_dir / CASE_FILENAME
    if not case_dir.is_dir():
        raise UserError(
            f"{case_dir}: no such case folder (check the path, or create one with "
            f"'harassment-pack new {case_dir}')"
        )
    if not path.is_file():
        raise UserError(f"{path}: no case file here (a case folder holds {CASE_FILENAME})")
    return path


def load_case(case_dir: Path) -> Case:
    """Load ``CASE/case.yaml`` and the imported messages it names; a missing folder or file is a
    UserError saying what to do."""
    case_dir = Path(case_dir)  # library callers may pass a string
    path = case_file(case_dir)
    check_size(path)
    raw = path.read_bytes()
    origin = str(path)
    with bulk_objects():
        data, case, places, checked = _read_case_yaml(case_dir, raw, origin)
        name = data.get(IMPORTED_KEY)
        if name is not None:
            sha256 = _attach_imported(case, case_dir, name, places, checked)
            if sha256 != checked:
                _keep_data(case_dir, raw, data, sha256)  # checked now: no need to look again
        _check_unique(case, places)
        _check_evidence_inside(case, case_dir, path)
        return case


def _read_case_yaml(
    case_dir: Path, raw: bytes, origin: str
) -> tuple[Any, Case, _Places, str | None]:
    """case.yaml's data and case: from the parsed cache while it matches, else from the YAML;
    and the SHA-256 of the imported-messages file as last checked, when the cache knows it."""
    cache = _cached(case_dir, raw)
    cached = cache.get("data") if cache else None
    if isinstance(cached, dict):
        with contextlib.suppress(ValidationError):  # the YAML below names file, line, field
            case = Case.model_validate(_facts(cached))
            checked = cache.get("checked") if cache else None
            places = _Places(origin, raw.decode("utf-8"), None)
            return cached, case, places, checked if isinstance(checked, str) else None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{origin}: byte {exc.start} is not UTF-8 text (save it as UTF-8)"
        ) from None
    data, case, lines = _parse(text, origin)
    if IMPORTED_KEY not in data:
        _keep_data(case_dir, raw, data)  # (else once its imported messages are checked)
    return data, case, _Places(origin, text, lines), None


@contextlib.contextmanager
def bulk_objects() -> Iterator[None]:
    """Pause Python's cycle collector while a big case is built or written.

    Tens of thousands of incidents are hundreds of thousands of new objects, none of them in a
    reference cycle; the collector kept walking all of them and took half of a load.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- imported messages

IMPORTED_KEY = "imported_messages"
"""The line of case.yaml that names the file of imported messages beside it."""

_IMPORTED_NAME = re.compile(r"imported-([1-9]\d{0,8})\.jsonl")
"""imported-1.jsonl, imported-2.jsonl …: a new name each time the messages change (see
``CaseWrite``)."""


class StoredLine(Record):
    """One line of the imported-messages file: an imported incident or a context message.

    Imported messages are the bulk of a big case (a 1,000,000-line chat gave 9,613 incidents and
    37,000 context messages). They live in a JSON Lines file beside case.yaml, one message to a
    line, ``{"incident": {…}}`` or ``{"context": {…}}``, validated by the same models as
    case.yaml, so a big case loads and saves in about a second while case.yaml keeps the facts
    people type. Each line can still be edited by hand (to give an incident its kinds, say);
    a mistake is named by file, line and field.
    """

    incident: Incident | None = None
    context: ContextMessage | None = None


_STORED_LINE = TypeAdapter(StoredLine)


def _bulk(record: Incident | ContextMessage) -> bool:
    """Whether a record belongs in the imported-messages file: what an import wrote (it gives
    each message a content key). A record typed into case.yaml stays there, even one marked as
    copied from an export."""
    return record.source.content_key is not None


def _imported_records(case: Case) -> Iterator[Incident | ContextMessage]:
    """What belongs in the imported-messages file, incidents first."""
    yield from (incident for incident in case.incidents if _bulk(incident))
    yield from (message for message in case.context if _bulk(message))


def _describe_line(errors: list[Any]) -> str:
    error = _in_order(errors)[0]
    path = tuple(error["loc"])
    what = _explain(error, StoredLine)
    return f"{path_text(path)}: {what}" if path else what


def _attach_imported(
    case: Case, case_dir: Path, name: Any, places: _Places, checked: str | None
) -> str:
    """Add the imported messages of the file case.yaml names to the case read from case.yaml;
    the file's SHA-256 (``checked``: that of the file as last checked, see ``read_records``)."""
    where = places.of((IMPORTED_KEY,))
    if not isinstance(name, str) or not _IMPORTED_NAME.fullmatch(name):
        raise UserError(
            f'{where}: {IMPORTED_KEY}: "{name}" is not the name of an imported-messages file '
            "(harassment-pack writes this line itself, e.g. 'imported_messages: imported-1.jsonl'"
            "; put back the name it had, the one of the imported-*.jsonl file in the case folder)"
        )
    path = case_dir / name
    if not path.is_file():
        raise UserError(
            f"{where}: {IMPORTED_KEY}: {path} is missing, and the case's imported messages are "
            "kept in it (put the file back from a copy of the case folder, or delete this line "
            "from case.yaml and import the exports again)"
        )
    places.imported = str(path)
    places.typed_incidents = len(case.incidents)
    records, sha256 = read_records(path, _STORED_LINE, _describe_line, checked)
    for number, line in records:
        if line.incident is not None and line.context is None:
            case.incidents.append(line.incident)
            places.incident_lines.append(number)
        elif line.context is not None and line.incident is None:
            case.context.append(line.context)
        else:
            raise UserError(
                f'{path} line {number}: a line holds one message, either {{"incident": {{…}}}} '
                'or {"context": {…}} (split it into two lines, or remove the empty one)'
            )
    return sha256


def message_line(record: Incident | ContextMessage) -> bytes:
    """One line of the imported-messages file, as JSON (UTF-8, control characters escaped).

    An import turns each new message into its line at once and keeps only the line (``CaseWrite``
    ``added``): tens of thousands of models would take 2.5 KB of memory each.
    """
    key = b'{"incident":' if isinstance(record, Incident) else b'{"context":'
    return key + record.__pydantic_serializer__.to_json(record, exclude_none=True) + b"}"


# --------------------------------------------------------------------------- parsed-case cache

PARSED_CACHE = ".case-parsed.json"
"""Beside case.yaml: what case.yaml held the last time it was read, as JSON.

Why: YAML is for people, and reading it is slow (PyYAML took 6 CPU seconds for a case with
10,000 imported messages; JSON takes a tenth of a second). case.yaml stays the one source of
truth, edited by hand or by the tool: this file is used only while it belongs to the exact
bytes of case.yaml (their SHA-256 is inside it), and its data is validated again on every
load like the YAML's. Any edit makes it stale, and the next load reads the YAML (with every
error naming file, line and field) and writes it afresh. It holds what case.yaml holds, so it
is private like it.
"""


def _cached(case_dir: Path, raw: bytes) -> dict[str, Any] | None:
    """What was kept for these exact case.yaml bytes: its ``data``, and the SHA-256 of the
    imported-messages file as last checked (``checked``); or None."""
    try:
        cache = json.loads((case_dir / PARSED_CACHE).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(cache, dict) or cache.get("key") != _cache_key(raw):
        return None
    return cache


def _keep_data(case_dir: Path, raw: bytes, data: Any, checked: str | None = None) -> None:
    """Remember the data parsed from ``raw``, when JSON can hold it exactly (string keys only)."""
    if _json_exact(data):
        _write_parsed(case_dir, raw, data, checked)


def _write_parsed(case_dir: Path, raw: bytes, data: Any, checked: str | None = None) -> None:
    kept = {"key": _cache_key(raw), "data": data, "checked": checked}
    text = json.dumps(kept, ensure_ascii=False)
    with contextlib.suppress(OSError):  # a read-only case folder is read the slow way each time
        write_private(case_dir / PARSED_CACHE, text.encode("utf-8"))


def _cache_key(raw: bytes) -> str:
    return f"{SCHEMA_VERSION}:{hashlib.sha256(raw).hexdigest()}"


def _json_exact(value: Any) -> bool:
    """True when a JSON round trip gives back exactly ``value`` (YAML allows more than JSON)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_exact(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_exact(item) for item in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int)


def _check_evidence_inside(case: Case, case_dir: Path, origin: Path) -> None:
    """Refuse an evidence path that is a link leading outside the case folder.

    case.yaml is often edited by hand or copied from someone else: ``evidence/x.png`` may be a
    symlink to ``~/diary.txt``, which would then be printed into a bundle that is served.
    """
    case_dir = Path(case_dir)
    root = case_dir.resolve()
    for index, item in enumerate(case.evidence):
        target = (case_dir / item.file).resolve()
        if not target.is_relative_to(root):
            raise UserError(
                f"{origin}: evidence[{index}].file: {item.file} is a link leading outside the "
                f"case folder (to {target}); copy the file itself into "
                f"{case_dir / EVIDENCE_DIRNAME} with 'harassment-pack evidence add'"
            )


# --------------------------------------------------------------------------- saving

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's writer when present: a case can hold thousands of typed incidents."""


def yaml_text(data: Any) -> str:
    """YAML as harassment-pack writes it: keys in order, Unicode as typed, libyaml if present."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def case_to_yaml(case: Case) -> str:
    """The YAML of a case's typed facts (its imported messages go to their own file)."""
    return yaml_text(_yaml_data(case))


def _yaml_data(case: Case) -> dict[str, Any]:
    """What case.yaml holds: everything but the records of the imported-messages file."""
    exclude: dict[str, Any] = {}
    for group in ("incidents", "context"):
        bulk = {n for n, record in enumerate(getattr(case, group)) if _bulk(record)}
        if bulk:
            exclude[group] = bulk
    data = case.model_dump(mode="json", exclude_none=True, exclude=exclude or None)
    Case.model_validate(data)  # exactly what is written is what the next load will accept
    return data


Notify = Callable[[str], None]


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class CaseWrite:
    """A save of a case, made ready (both files' bytes) before anything is written; ``added``
    are lines of imported messages (``message_line``) that are not on ``case`` itself.

    The imported messages go to a file with a new name whenever they change (imported-1.jsonl,
    imported-2.jsonl …), written before case.yaml; case.yaml, written last and atomically, names
    it. So case.yaml's write is the commit: killed before it, case.yaml still names the old file,
    which is still there; the files no case.yaml names are removed after the write, or by the
    next command that takes the case's lock (``transaction.recover_case``).
    """

    def __init__(self, case: Case, case_dir: Path, added: Sequence[bytes] = ()) -> None:
        self.case_dir = Path(case_dir)
        with bulk_objects():
            self.lines = [message_line(record) for record in _imported_records(case)]
            self.lines += added
            data = _yaml_data(case)
        digest, size = hashlib.sha256(), 0
        for line in self.lines:
            digest.update(line)
            digest.update(b"\n")
            size += len(line) + 1
        self.messages_sha256 = digest.hexdigest() if self.lines else None
        self.name: str | None = None
        self.new_file = False
        if self.messages_sha256:
            self.name = _same_file(self.case_dir, size, self.messages_sha256)
            if self.name is None:
                self.name, self.new_file = _next_name(self.case_dir), True
            data = _with_name(data, self.name)
        self.text = yaml_text(data).encode("utf-8")
        self.data = data
        self.moved = bool(self.lines) and _holds_imported(self.case_dir / CASE_FILENAME)

    @property
    def fingerprint(self) -> str:
        """The SHA-256 of what the case's files will hold (as ``case_fingerprint`` reads it)."""
        return _fingerprint(self.text, self.messages_sha256)

    def commit(self, notify: Notify | None = None) -> Path:
        """Write the imported messages (when they changed), then case.yaml: the commit."""
        path = self.case_dir / CASE_FILENAME
        if self.new_file and self.name:
            write_records(self.case_dir / self.name, self.lines)
        try:
            write_private(path, self.text)
        except OSError:  # a full disk: the new file no case.yaml names goes at once
            if self.new_file and self.name:
                (self.case_dir / self.name).unlink(missing_ok=True)
            raise
        # Exactly what reading it back gives; the messages as written need no check for
        # repeated keys.
        _write_parsed(self.case_dir, self.text, self.data, self.messages_sha256)
        remove_unnamed_imports(self.case_dir, self.name)
        if self.moved:
            (notify or _to_stderr)(
                f"{self.case_dir}: the imported messages were moved from {CASE_FILENAME} to "
                f"{self.name} beside it (one message to a line; {CASE_FILENAME} keeps the facts "
                "you type, and a big case now loads in about a second)."
            )
        return path


_INLINE_IMPORTED = re.compile(rb'^\s*"?content_key"?:|"content_key": "', re.M)
"""How imported messages looked inside case.yaml before they had their own file."""


def _holds_imported(path: Path) -> bool:
    """Whether case.yaml, as it is on disk, still holds imported messages itself (an older
    version of harassment-pack wrote them there): the next save moves them, and says so."""
    try:
        return _INLINE_IMPORTED.search(path.read_bytes()) is not None
    except OSError:
        return False


def _with_name(data: dict[str, Any], name: str) -> dict[str, Any]:
    """case.yaml's data with the imported-messages line after schema_version (near the top)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[key] = value
        if key == "schema_version":
            out[IMPORTED_KEY] = name
    out.setdefault(IMPORTED_KEY, name)
    return out


def _imported_files(case_dir: Path) -> list[Path]:
    with contextlib.suppress(OSError):
        return [p for p in case_dir.iterdir() if _IMPORTED_NAME.fullmatch(p.name)]
    return []


def _same_file(case_dir: Path, size: int, sha256: str) -> str | None:
    """The name of an imported-messages file that already holds exactly these messages."""
    for path in _imported_files(case_dir):
        with contextlib.suppress(OSError):
            if path.stat().st_size == size and file_sha256(path) == sha256:
                return path.name
    return None


def _next_name(case_dir: Path) -> str:
    numbers = [int(path.stem.removeprefix("imported-")) for path in _imported_files(case_dir)]
    return f"imported-{max(numbers, default=0) + 1}.jsonl"


def remove_unnamed_imports(case_dir: Path, named: str | None) -> int:
    """Remove the imported-messages files case.yaml does not name (left by an earlier save, or by
    one killed before its commit); how many. Only under the case's lock, or right after a save."""
    removed = 0
    for path in _imported_files(Path(case_dir)):
        if path.name != named:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


_NAMED = re.compile(rb"^imported_messages: (imported-[1-9][0-9]*\.jsonl)\s*$", re.M)
"""The line naming the imported messages, as harassment-pack writes it (a quick look)."""


def _file_named(case_dir: Path, *, exactly: bool) -> str | bool | None:
    """The imported-messages file case.yaml names, None when it names none, False when
    case.yaml cannot be read. ``exactly``: read case.yaml as YAML rather than look for the line
    as harassment-pack writes it (slower on a case of thousands of typed incidents)."""
    try:
        raw = (Path(case_dir) / CASE_FILENAME).read_bytes()
        if not exactly:
            found = _NAMED.search(raw)
            return found[1].decode() if found else None
        check_size(Path(case_dir) / CASE_FILENAME)
        data, _lines = read_yaml_with_lines(raw.decode("utf-8"), CASE_FILENAME)
    except (OSError, UserError, UnicodeDecodeError):
        return False
    name = data.get(IMPORTED_KEY) if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def remove_stray_imports(case_dir: Path) -> int:
    """Remove imported-messages files that case.yaml does not name (under the case's lock);
    nothing when case.yaml cannot be read. How many were removed."""
    files = _imported_files(Path(case_dir))
    if not files:
        return 0
    if len(files) == 1 and files[0].name == _file_named(case_dir, exactly=False):
        return 0  # the usual case, seen without reading the YAML
    named = _file_named(case_dir, exactly=True)
    return 0 if named is False else remove_unnamed_imports(case_dir, named)


def _fingerprint(text: bytes, messages_sha256: str | None) -> str:
    """case.yaml's SHA-256, and the imported messages' after it when there are any (so a case
    without them keeps the fingerprint earlier versions gave it)."""
    digest = hashlib.sha256(text)
    if messages_sha256:
        digest.update(f"\0{messages_sha256}".encode())
    return digest.hexdigest()


def case_fingerprint(case_dir: Path) -> str | None:
    """The SHA-256 of a case as saved (case.yaml and its imported messages), or None when there
    is no case.yaml: the interview uses it to see whether the case changed behind its back."""
    path = Path(case_dir) / CASE_FILENAME
    if not path.is_file():
        return None
    name = _file_named(Path(case_dir), exactly=False)
    messages = None
    if isinstance(name, str):
        with contextlib.suppress(OSError):
            messages = file_sha256(Path(case_dir) / name)
    return _fingerprint(path.read_bytes(), messages)


def save_case(case: Case, case_dir: Path, notify: Notify | None = None) -> Path:
    """Validate and write the case: ``CASE/case.yaml`` and, when it has imported messages, the
    file beside it that holds them; atomically, mode 0600 (see ``CaseWrite``)."""
    return CaseWrite(case, case_dir).commit(notify)
