"""Order terms in legal phrasing, built from the person's choices; their own words never pasted.

Why: a court form that reads "is forbidden … from Stop contacting me on WhatsApp" is returned by
the court office and embarrasses the applicant. Each term in ``case.yaml`` is a structured choice
(contact, publication, approach …) with the person's specifics, phrased here from
``law/order_terms.yaml``. A term typed in the person's own words is rewritten into the
"from [verb-ing] …" form when that can be done safely ("Stop contacting me on WhatsApp" →
"contacting the Claimant on WhatsApp"); otherwise the form gets a placeholder and the words go to
a note for the solicitor, which is never served. Whether a term restrains speech (Human Rights
Act 1998 s.12) is worked out from the terms, and a removal term always makes him keep a copy:
an order must never make anyone destroy evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .case import Injunction, Order
from .law import load_data

PROHIBITORY, MANDATORY = "prohibitory", "mandatory"


def load_terms() -> dict[str, Any]:
    """The phrasing rules from ``law/order_terms.yaml`` (read once; read-only)."""
    return load_data("order_terms")


@dataclass(frozen=True)
class Term:
    """One operative term as the court papers print it."""

    kind: str
    """'prohibitory' (reads after 'is forbidden … from') or 'mandatory' (after 'must')."""
    text: str
    speech: bool
    """The term restrains what he may say or publish (HRA 1998 s.12)."""
    schedule: tuple[str, ...] = ()
    """Items for Schedule B (material to be removed from public view)."""
    note: str | None = None
    """For the solicitor only: the person's own words, when they could not be rewritten."""
    places: tuple[str, ...] = ()
    """Exclusion zones as the order names them (never an address when it is confidential)."""


def _words_in(text: str, words: list[str]) -> bool:
    lowered = f" {text.lower()} "
    return any(re.search(rf"(?<![\w']){re.escape(word)}(?![\w'])", lowered) for word in words)


def _gerund(verb: str, doubled: list[str]) -> str:
    if verb.endswith("ing"):
        return verb
    if verb in doubled:
        return verb + verb[-1] + "ing"
    if verb.endswith("e") and not verb.endswith(("ee", "ye")):
        return verb[:-1] + "ing"
    return verb + "ing"


def rewrite(text: str) -> str | None:
    """The person's words as 'from [verb-ing] …' legal phrasing, or None to flag them.

    Only safe, mechanical changes are made: leading "stop"/"please"/"he must not" go, a base
    verb becomes its -ing form, "me" and "my" become the Claimant. Anything else first-person,
    hedged ("I think") or not starting with a verb is left to the solicitor.
    """
    rules = load_terms()["rewrite"]
    words = " ".join(text.split()).rstrip(".;").strip()
    if not words or any(hedge in words.lower() for hedge in rules["hedges"]):
        return None
    changed = True
    while changed:
        changed = False
        for lead in rules["strip_leading"]:
            if words.lower().startswith(lead + " "):
                words = words[len(lead) + 1 :].lstrip()
                changed = True
    first, _, rest = words.partition(" ")
    verb = first.lower()
    if verb.endswith("ing") and verb[:-3] and verb not in {"thing", "nothing", "anything"}:
        head = verb
    elif verb in rules["verbs"]:
        head = _gerund(verb, rules["doubled"])
    else:
        return None
    for mine, theirs in rules["replace"].items():
        rest = re.sub(rf"(?<![\w']){mine}(?![\w'])", theirs, rest, flags=re.IGNORECASE)
    if _words_in(rest, rules["first_person"]):
        return None
    return f"{head} {rest}".strip()


def _speech_in(text: str) -> bool:
    return any(word in text.lower() for word in load_terms()["rewrite"]["speech_words"])


def _structured(order: Order, confidential: bool, home: str | None) -> Term:
    rules = load_terms()["terms"]
    spec = rules[order.term]
    kind = spec.get("kind", PROHIBITORY)
    values: dict[str, str] = {}
    schedule: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    note = None
    if order.term == "contact":
        values["channels"] = (
            ", ".join(order.channels[:-1]) + " or " + order.channels[-1]
            if len(order.channels) > 1
            else (order.channels[0] if order.channels else spec["channels_default"])
        )
        exceptions = [spec["exception_always"]]
        if order.exception:
            topic = rewrite_topic(order.exception)
            if topic is None:
                note = order.exception
                exceptions.append("[an exception to be drafted by a solicitor]")
            else:
                exceptions.append(f"by email solely about {topic}")
        values["exception"] = ", except " + " or ".join(exceptions)
    elif order.term == "publication":
        chosen = order.subjects or ["about_her"]
        phrases = [spec["subjects"][s] for s in chosen]
        values["subjects"] = (
            ", ".join(phrases[:-1]) + " or " + phrases[-1] if len(phrases) > 1 else phrases[0]
        )
    elif order.term == "approach":
        chosen = order.places or ["home"]
        named = [spec["places"][p] for p in chosen]
        if confidential:
            named = [spec["confidential_place"].format(place=p) for p in named]
        else:
            at = {"home": home or "[address]", "workplace": "[address]"}
            named = [f"{spec['places'][p]} at {at[p]}" for p in chosen]
        places = tuple(named)
        values["places"] = " or ".join(named)
        values["distance"] = str(order.distance_m or spec["distance_default"])
    elif order.term == "removal":
        values["hours"] = str(order.hours or spec["hours_default"])
        schedule = (*order.urls, *(f"the account {a}" for a in order.accounts))
    text = spec["phrase"].format(**values)
    return Term(kind, text, bool(spec["speech"]), schedule, note, places)


def rewrite_topic(text: str) -> str | None:
    """A contact exception's topic ('the car loan') in the third person, or None to flag it."""
    rules = load_terms()["rewrite"]
    words = " ".join(text.split()).rstrip(".;").strip()
    words = re.sub(r"^(?:by email\s+)?(?:solely\s+|only\s+)?about\s+", "", words, flags=re.I)
    if not words or any(hedge in words.lower() for hedge in rules["hedges"]):
        return None
    for mine, theirs in rules["replace"].items():
        words = re.sub(rf"(?<![\w']){mine}(?![\w'])", theirs, words, flags=re.IGNORECASE)
    return None if _words_in(words, rules["first_person"]) else words


def _free(order: Order, number: int) -> Term:
    rules = load_terms()["rewrite"]
    own = order.text or ""
    speech = order.restrains_publication or _speech_in(own)
    placeholder = rules["placeholder"].format(number=number)
    if order.kind == MANDATORY:
        # Something he must do is drafted by the solicitor (removal has its own structured
        # term, which keeps the evidence): a free-text "delete …" must never reach the order.
        return Term(MANDATORY, placeholder, speech, note=own)
    phrased = rewrite(own)
    if phrased is None:
        return Term(PROHIBITORY, placeholder, speech, note=own)
    return Term(PROHIBITORY, phrased, speech)


def build_terms(injunction: Injunction, confidential: bool, home: str | None = None) -> list[Term]:
    """Every term of the order, in the order the person gave them.

    ``confidential``: the applicant's addresses are kept from the respondent, so an exclusion
    zone names "the address in the confidential schedule", never the address; ``home`` is the
    address to name otherwise.
    """
    terms = []
    for number, order in enumerate(injunction.orders, start=1):
        if order.term and order.term != "own_words":
            terms.append(_structured(order, confidential, home))
        elif order.text:
            terms.append(_free(order, number))
    if injunction.exclusion_address and not any(o.term == "approach" for o in injunction.orders):
        place = Order(term="approach", places=["home"])
        terms.append(_structured(place, confidential, injunction.exclusion_address))
    return terms


def has_terms(injunction: Injunction) -> bool:
    """Whether ``build_terms`` gives the order any term: the court papers are drafted only then,
    and ``check``, the cover and the next steps say so from this same test."""
    return bool(injunction.exclusion_address) or any(
        (order.term and order.term != "own_words") or order.text for order in injunction.orders
    )


def restrains_speech(terms: list[Term]) -> bool:
    """HRA 1998 s.12 is engaged: some term restrains what he may say or publish."""
    return any(term.speech for term in terms)
