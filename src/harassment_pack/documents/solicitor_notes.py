"""For the solicitor: the partly verified wording used in each court draft, with its dates.

Why: wording that is law or court practice reaches the court drafts (the N16A's boxes, the N208,
the draft order's recitals and terms, the FL401's sections) as it stands, because a date inside a
form's own box would become part of what the court is asked to make. Some of it is only partly
verified, and a solicitor needs to know which, where it came from and when it was checked. This
note lists it per draft from the law data (``law.court_wording_used``). It is for the
applicant's own solicitor: it goes into the pack, never into the court bundle that is served.
"""

from __future__ import annotations

from typing import Any

from ..law import court_wording_used
from . import fl401
from .common import CaseView
from .injunction import applies as injunction_applies

TITLE = "For the solicitor: wording to check in the court drafts"


def applies(view: CaseView) -> str | None:
    """With the court applications (the FL401, or the N16A and the claim form)."""
    civil, family = injunction_applies(view), fl401.applies(view)
    return None if civil is None or family is None else civil


def _text(value: Any) -> list[str]:
    """Every string in a document's own context, as it will be printed."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _text(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _text(item)]
    return []


def build(view: CaseView) -> dict[str, Any]:
    drafts = []
    for title, own in view.court_drafts.values():
        items = court_wording_used("\n".join(_text(own)))
        if items:
            drafts.append({"title": title, "wording": items})
    if not view.court_drafts:
        none = "No court paper was prepared in this build: build this note together with them."
    else:
        none = "" if drafts else "No court paper in this build uses partly verified wording."
    return {"drafts": drafts, "none": none}
