"""The ``harassment-pack`` command: a thin layer over the library, one call per command.

User mistakes arrive as ``UserError`` and are printed as one line with exit code 2; anything else
is a bug and keeps its traceback so it can be reported.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UserError

if TYPE_CHECKING:
    from .case import Evidence
    from .importers import ImportPreview
    from .served import SafetyWords

Handler = Callable[[argparse.Namespace], int]

IMPORT_FORMATS = ("whatsapp", "instagram", "messenger", "x", "telegram", "discord", "sms", "email")
"""The names of ``importers.IMPORTERS``, written out so that ``--help`` and the other commands
do not import every importer (a test keeps the two the same)."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _progress(done: int, total: int, name: str) -> None:
    _say(f"  converted {done} of {total}: {name}")


def _ask_accept_changed(item: Evidence, sha256: str) -> bool:
    """build --accept-changed: ask before a changed file is registered as it is now."""
    when = f"on {item.registered:%d/%m/%Y}" if item.registered else "earlier"
    _say(
        f"Exhibit {item.label} ({item.file}) is not the file registered {when}: its SHA-256 is "
        f"now {sha256}. If you changed it on purpose (for example cropped it), the pack will "
        "show the new fingerprint. Keep the original safe too: the court may ask for it."
    )
    try:
        answer = input(f"Register exhibit {item.label} as it is now? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _confirm_filing(args: argparse.Namespace) -> bool:
    """--for-filing drops the DRAFT marking, so a person must say the papers were checked."""
    if not args.for_filing:
        return False
    if args.checked:
        return True
    if not sys.stdin.isatty():
        raise UserError(
            "--for-filing: confirm that a solicitor or you have checked every court document "
            "(add --checked, or run it in a terminal to be asked)"
        )
    answer = input(
        "Court documents built for filing have no DRAFT marking. Has a solicitor, or have you, "
        "checked every court document? Type yes to go on: "
    )
    if answer.strip().lower() not in {"yes", "y"}:
        raise UserError("--for-filing: not confirmed, so nothing was built (run it again)")
    return True


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build_case

    for_filing = _confirm_filing(args)
    result = build_case(
        args.case,
        args.out,
        only=args.only,
        templates_dir=args.templates,
        include_sensitive=args.include_sensitive,
        for_filing=for_filing,
        timeout=args.timeout,
        notify=_say,
        progress=_progress,
        allow_disclosure=args.allow_disclosure or (),
        accept_changed=_ask_accept_changed if args.accept_changed else None,
    )
    assert result.pack is not None
    for document in result.documents:
        firm = " (your template)" if document.template in result.firm_templates else ""
        print(f"  {document.title}: {result.out_dir / document.template}{firm}")
    print(f"Pack ({result.pack.page_count} pages): {result.pack.path}")
    if result.court_bundle:
        print(
            f"Court bundle ({result.court_bundle.page_count} pages, without your letters and "
            f"next steps): {result.court_bundle.path}"
        )
    _warn_safety_words(result.safety_words)
    if for_filing:
        print("Court documents are built for filing, without the DRAFT marking.")
    else:
        print("These are drafts: have them checked by a solicitor before you use them.")
    return 0


def cmd_check_served(args: argparse.Namespace) -> int:
    from .build import check_served

    checked, words = check_served(
        args.case, allow_disclosure=args.allow_disclosure or (), notify=_say
    )
    if checked is None:
        print(
            "This case has no court application, so no court bundle is made and nothing is served."
        )
    else:
        print(
            f"No private detail was found in the court bundle ({checked} pages, their text "
            "layer, metadata and attached files, and the served documents' DOCX text)."
        )
    _warn_safety_words(words)
    return 0


def _warn_safety_words(found: Sequence[SafetyWords]) -> None:
    """Served answers with words about how she keeps safe: told, never stopped (``served``)."""
    from .served import safety_warning

    for line in safety_warning(found):
        print(line)


def cmd_evidence_redact(args: argparse.Namespace) -> int:
    from .evidence import add_redaction

    item = add_redaction(args.case, args.exhibit, args.boxes, reason=args.reason)
    boxes = "; ".join(f"{r.left},{r.top},{r.width},{r.height}" for r in item.redactions)
    print(
        f"Exhibit {item.label}: {len(item.redactions)} box(es) will be blacked out in the court "
        f"bundle ({boxes}). The file in evidence/ and your own pack.pdf keep the original."
    )
    return 0


def cmd_evidence_add(args: argparse.Namespace) -> int:
    from .evidence import add_evidence, csam_guidance

    if args.csam:
        print(csam_guidance())
        return 1
    added = add_evidence(
        args.case,
        args.files,
        incident=args.incident,
        description=args.description,
        captured=args.captured,
        sensitive=args.sensitive,
        notify=_say,
    )
    for item in added:
        sensitive = " (sensitive: described, not shown, in the pack)" if item.sensitive else ""
        print(f"  Exhibit {item.label}: {item.file}  SHA-256 {item.sha256}{sensitive}")
    if not args.description:
        print(
            "Each file is described by its name for now: next time add --description to say "
            f"what it shows. See them all with 'harassment-pack evidence list {args.case}'."
        )
    return 0


def cmd_evidence_list(args: argparse.Namespace) -> int:
    from .case import load_case

    case = load_case(args.case)
    if not case.evidence:
        print(f"{args.case} has no exhibits yet (add one with 'harassment-pack evidence add').")
        return 0
    labels = case.exhibit_labels()
    numbers = case.incident_numbers()
    shows: dict[str, list[str]] = {}
    for incident in case.incidents_in_order():
        for eid in incident.evidence:
            shows.setdefault(eid, []).append(numbers[incident.id])
    print(f"{len(case.evidence)} exhibit(s) in {args.case}:")
    for item in case.evidence:
        sensitive = "  (sensitive: described, not shown)" if item.sensitive else ""
        print(f"  {labels[item.id]}  {item.file}{sensitive}")
        print(f"      {item.description}")
        print(f"      incidents: {', '.join(shows.get(item.id, [])) or 'none linked yet'}")
    return 0


def cmd_evidence_remove(args: argparse.Namespace) -> int:
    from .evidence import remove_evidence

    item, deleted = remove_evidence(args.case, args.label, delete_file=args.delete_file)
    print(f"Exhibit {item.label} is removed from the case; its label will not be used again.")
    if deleted:
        print(f"{item.file} is deleted.")
    else:
        print(f"The file is still in the case folder: {args.case / item.file}")
    return 0


def cmd_evidence_link(args: argparse.Namespace) -> int:
    from .evidence import link_evidence

    unlink = args.evidence_command == "unlink"
    item, numbers = link_evidence(args.case, args.label, args.incident, unlink=unlink)
    verb = "no longer shows" if unlink else "shows"
    print(f"Exhibit {item.label} {verb} incident(s) {', '.join(numbers)}.")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .evidence import verify_evidence

    report = verify_evidence(args.case)
    for item in report.ok:
        print(f"  unchanged     {item.label}: {item.file}")
    for item in report.unrecorded:
        print(f"  no hash       {item.label}: {item.file} (no fingerprint was recorded)")
    for item in report.changed:
        print(f"  CHANGED       {item.label}: {item.file}")
    for item in report.missing:
        print(f"  MISSING       {item.label}: {item.file}")
    for path in report.unregistered:
        print(f"  not an exhibit  {path} (add it with 'harassment-pack evidence add')")
    if report.passed:
        print("No evidence file is changed or missing.")
        return 0
    print(
        f"{len(report.changed)} changed and {len(report.missing)} missing: restore the "
        "original files (from your phone or a backup) before you rely on the pack."
    )
    return 1


def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import run_checks

    problems = 0
    for check in run_checks():
        mark = "ok  " if check.ok else "FIX "
        print(f"{mark} {check.name}: {check.detail}")
        problems += not check.ok
    if problems:
        print(f"{problems} problem(s) found: follow the FIX lines above.")
        return 1
    print("Everything harassment-pack needs is installed.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from datetime import date

    from .case import load_case
    from .law import load_law
    from .law.checks import check_case

    report = check_case(load_case(args.case), load_law(), date.today(), folder=str(args.case))
    if args.json:
        print(report.to_json())
    else:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        print(report.to_text(colour=colour, width=min(100, shutil.get_terminal_size().columns)))
    return 0


def cmd_interview(args: argparse.Namespace) -> int:
    from .interview import run_interview

    given = run_interview(
        args.case,
        new=args.command == "new",
        section=getattr(args, "section", None),
        answers=args.answers,
        review=getattr(args, "review", False),
        questionnaires=args.questionnaires,
        say=_say if args.answers else print,
    )
    if args.answers:
        print(f"Saved {given} answers from {args.answers} in {args.case / 'case.yaml'}.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    serve(
        args.cases,
        port=args.port,
        open_browser=not args.no_browser,
        questionnaires=args.questionnaires,
    )
    return 0


def _ask_import(preview: ImportPreview) -> list[str] | None:
    """Show what the export holds and ask to go on (and whose messages, when --from is missing)."""
    for line in preview.lines():
        print(line)
    try:
        if preview.chosen:
            who = ", ".join(preview.chosen)
            answer = input(f"Import the messages from {who} as incidents? [y/N] ")
            return preview.chosen if answer.strip().lower() in ("y", "yes") else None
        answer = input(
            "Whose messages should become incidents? Type their numbers, for example 1 3 "
            "(or press Enter to stop): "
        )
    except EOFError:
        return None
    names = list(preview.senders)
    picked = []
    for part in answer.replace(",", " ").split():
        if not part.isdigit() or not 1 <= int(part) <= len(names):
            raise UserError(f'"{part}" is not one of the numbers shown (run the command again)')
        picked.append(names[int(part) - 1])
    return picked


def cmd_import(args: argparse.Namespace) -> int:
    from .importers import import_export

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    summary = import_export(
        args.case,
        args.format,
        args.file,
        senders=args.senders or (),
        person=args.person,
        since=args.since,
        until=args.until,
        tz=args.tz,
        dayfirst=args.dayfirst,
        assume_yes=args.yes,
        confirm=_ask_import if interactive else None,
    )
    for line in summary.lines():
        print(line)
    return 0


def _allow_disclosure(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-disclosure",
        action="append",
        metavar="ITEM",
        help="after a solicitor's decision, let this private detail appear in served documents "
        "(address, postcode, phone, email, workplace, school, exclusion_address, private:N, "
        "witness:N); repeat for more",
    )


def _interview_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("case", type=Path, help="the case folder")
    command.add_argument(
        "--answers",
        type=Path,
        metavar="FILE",
        help="take the answers from this YAML file (question id: answer) instead of asking",
    )
    command.add_argument(
        "--questionnaires", type=Path, metavar="DIR", help="folder of your own questionnaires"
    )
    command.set_defaults(handler=cmd_interview)


def _seconds(text: str) -> float:
    from .convert import parse_timeout

    try:
        return parse_timeout(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix(f"--timeout {text}: ")) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harassment-pack",
        description=(
            "Turn the facts of an online-harassment case (England & Wales) into draft documents "
            "and one court-ready PDF pack. The documents are drafts for a solicitor to check: "
            "information, not legal advice."
        ),
        epilog="Example: harassment-pack build samples/jane-smith -o jane-pack",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the full Python traceback of an error (for reporting a problem)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser(
        "build",
        help="write the documents (.docx and .pdf) and the pack (pack.pdf) for a case",
        description=(
            "Write every document that applies to the case as .docx (editable) and .pdf, and "
            "one pack.pdf with a cover, a linked index, bookmarks, page numbers and exhibits."
            "\n\nLibreOffice is left running for 10 minutes after a build (no network; it quits "
            "by itself),\nso that the next build of the case is quicker. To keep it for SECONDS "
            "instead, or\nnot at all (0, e.g. on a shared computer), set "
            "HARASSMENT_PACK_KEEP_LIBREOFFICE=SECONDS."
        ),
        epilog="Example: harassment-pack build samples/jane-smith -o jane-pack --only chronology",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("case", type=Path, help="case folder holding case.yaml and evidence/")
    build.add_argument("-o", "--out", type=Path, help="output folder (default: CASE/out)")
    build.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="build only these documents, e.g. chronology witness_statement (a name that does "
        "not exist lists them all)",
    )
    build.add_argument(
        "--templates",
        type=Path,
        metavar="DIR",
        help="folder of your own .docx templates, named like the defaults (chronology.docx …); "
        "any document it does not hold uses the default template",
    )
    build.add_argument(
        "--include-sensitive",
        action="store_true",
        help="show files marked sensitive (intimate images) in the pack; off by default",
    )
    build.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="stop LibreOffice if converting takes longer than this (default 300, or the "
        "HARASSMENT_PACK_TIMEOUT environment variable)",
    )
    _allow_disclosure(build)
    build.add_argument(
        "--accept-changed",
        action="store_true",
        help="if an evidence file no longer matches its registered fingerprint, ask whether to "
        "register it as it is now (otherwise the build stops)",
    )
    build.add_argument(
        "--for-filing",
        action="store_true",
        help="court documents without the DRAFT banner and footer, once a solicitor or you "
        "have checked them (you are asked to confirm)",
    )
    build.add_argument(
        "--checked",
        action="store_true",
        help="with --for-filing: confirm the check without being asked (for scripts)",
    )
    build.set_defaults(handler=cmd_build)

    served = sub.add_parser(
        "check-served",
        help="check that nothing served on the other side discloses your private details",
        description=(
            "Make the court bundle in a private temporary folder and search everything in it "
            "(each served document, every page's text including text read from screenshots, "
            "the PDF's metadata and attached files) for your address and postcode when kept "
            "confidential, phone, email, workplace, children's school, an exclusion-zone address "
            "he does not know, and your private_details. Spaces, capitals and punctuation are "
            "ignored, and phone numbers match in any form. Exits with 2 and one line per hit."
        ),
        epilog="Example: harassment-pack check-served samples/jane-smith",
    )
    served.add_argument("case", type=Path, help="case folder holding case.yaml")
    _allow_disclosure(served)
    served.set_defaults(handler=cmd_check_served)

    check = sub.add_parser(
        "check",
        help="check a case: urgent risks, deadlines, what may apply, and gaps to fill",
        description=(
            "Read the case file and report, most urgent first: risks that need action now, "
            "deadlines with their dates, whether there is a course of conduct, offences that "
            "may apply (information, not advice), and gaps such as incidents without evidence."
        ),
        epilog="Example: harassment-pack check samples/jane-smith",
    )
    check.add_argument("case", type=Path, help="case folder holding case.yaml")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(handler=cmd_check)

    evidence = sub.add_parser(
        "evidence",
        help="add, list, link and remove the case's exhibits (screenshots and other files)",
        description=(
            "Manage a case's evidence files (exhibits JS/1, JS/2 …) without editing case.yaml. "
            "Incidents are numbered C1, C2 … in date order, as in the chronology."
        ),
        epilog="Example: harassment-pack evidence add my-case Screenshot.png --incident C3",
    )
    evidence_sub = evidence.add_subparsers(dest="evidence_command", required=True, metavar="ACTION")
    add = evidence_sub.add_parser(
        "add",
        help="copy files into CASE/evidence/ and register them as exhibits",
        description=(
            "Copy each file into CASE/evidence/ exactly as it is, record its SHA-256 fingerprint, "
            "size and type, and give it the next exhibit label (JS/1, JS/2 …), which never "
            "changes afterwards. Pictures (PNG, JPEG, HEIC, WebP, GIF) and PDFs go into the pack; "
            "video, audio and other files are listed as produced separately. A file already in "
            "the case is not added twice."
        ),
        epilog="Example: harassment-pack evidence add my-case Screenshot.png --incident C3",
    )
    add.add_argument("case", type=Path, help="case folder holding case.yaml")
    add.add_argument("files", type=Path, nargs="+", metavar="FILE", help="files to add")
    add.add_argument(
        "--incident",
        metavar="C3",
        help="the incident these files show, numbered as in the chronology",
    )
    add.add_argument("--description", metavar="TEXT", help="what the file shows")
    add.add_argument("--captured", metavar="DATE", help="when you saved it (DD/MM/YYYY HH:MM)")
    add.add_argument(
        "--sensitive",
        action="store_true",
        help="an intimate image: described in the pack, never shown unless you choose to",
    )
    add.add_argument(
        "--csam",
        action="store_true",
        help="the file shows a child being sexually abused: it is NOT added; you are told how "
        "to report it",
    )
    add.set_defaults(handler=cmd_evidence_add)

    listing = evidence_sub.add_parser(
        "list",
        help="show every exhibit: label, file, description and the incidents it shows",
        description="Show every exhibit with its label, file, description and incidents (C1 …).",
        epilog="Example: harassment-pack evidence list my-case",
    )
    listing.add_argument("case", type=Path, help="case folder holding case.yaml")
    listing.set_defaults(handler=cmd_evidence_list)

    for action, verb in (("link", "shows"), ("unlink", "does not show")):
        linking = evidence_sub.add_parser(
            action,
            help=f"record that an exhibit {verb} an incident",
            description=(
                f"Record that the exhibit {verb} the incident(s) named, numbered C1, C2 … as in "
                "the chronology ('harassment-pack evidence list' shows both)."
            ),
            epilog=f"Example: harassment-pack evidence {action} my-case JS/2 --incident C3",
        )
        linking.add_argument("case", type=Path, help="case folder holding case.yaml")
        linking.add_argument("label", metavar="LABEL", help="the exhibit's label, e.g. JS/2")
        linking.add_argument(
            "--incident", nargs="+", required=True, metavar="C3", help="the incident number(s)"
        )
        linking.set_defaults(handler=cmd_evidence_link)

    remove = evidence_sub.add_parser(
        "remove",
        help="take an exhibit out of the case (its label is never used again)",
        description=(
            "Take an exhibit out of the case and out of every incident that refers to it. Its "
            "label is retired: the next exhibit gets a new number, so earlier drafts stay "
            "right. The file stays in CASE/evidence/ unless you add --delete-file."
        ),
        epilog="Example: harassment-pack evidence remove my-case JS/4",
    )
    remove.add_argument("case", type=Path, help="case folder holding case.yaml")
    remove.add_argument("label", metavar="LABEL", help="the exhibit's label, e.g. JS/4")
    remove.add_argument(
        "--delete-file", action="store_true", help="delete the file from CASE/evidence/ as well"
    )
    remove.set_defaults(handler=cmd_evidence_remove)

    redact = evidence_sub.add_parser(
        "redact",
        help="black out a box of a screenshot in the court bundle (the original is kept)",
        description=(
            "Register a box, in the picture's own pixels (left, top, width, height, counted "
            "from the top left corner of the picture as shown), to be drawn solid black on the "
            "copy of the exhibit served in court-bundle.pdf and removed from its text layer. The "
            "file in evidence/ and your own pack.pdf are not changed. check-served prints the "
            "box of any text it finds in a screenshot."
        ),
        epilog="Example: harassment-pack evidence redact my-case JS/5 --box 120,340,260,40",
    )
    redact.add_argument("case", type=Path, help="case folder holding case.yaml")
    redact.add_argument("exhibit", metavar="LABEL", help="the exhibit's label, e.g. JS/5")
    redact.add_argument(
        "--box",
        dest="boxes",
        action="append",
        required=True,
        metavar="LEFT,TOP,WIDTH,HEIGHT",
        help="a box in pixels; give --box again for more boxes",
    )
    redact.add_argument("--reason", metavar="TEXT", help="what is hidden, for your own notes")
    redact.set_defaults(handler=cmd_evidence_redact)

    verify = sub.add_parser(
        "verify",
        help="prove the evidence files are unchanged (re-checks every SHA-256)",
        description=(
            "Re-compute the SHA-256 fingerprint of every evidence file and compare it with the "
            "one recorded when it was added. Reports changed, missing and unregistered files; "
            "exits with 1 if any file is changed or missing."
        ),
        epilog="Example: harassment-pack verify samples/jane-smith",
    )
    verify.add_argument("case", type=Path, help="case folder holding case.yaml")
    verify.set_defaults(handler=cmd_verify)

    new = sub.add_parser(
        "new",
        help="start a new case: create its folder and begin the interview",
        description=(
            "Create a private case folder and ask about what happened, one question at a time. "
            "Every answer is saved as soon as you give it; you can stop at any time and carry "
            "on later with 'harassment-pack interview CASE'."
        ),
        epilog="Example: harassment-pack new my-case",
    )
    _interview_options(new)

    interview = sub.add_parser(
        "interview",
        help="carry on answering the questions for a case, or change a section",
        description=(
            "Ask the questions not answered yet, then show a summary from which you can change "
            "any section or make the pack."
        ),
        epilog="Example: harassment-pack interview my-case --section incidents",
    )
    _interview_options(interview)
    interview.add_argument("--section", metavar="NAME", help="go through this section again")
    interview.add_argument(
        "--review", action="store_true", help="go straight to the summary of the case"
    )

    importing = sub.add_parser(
        "import",
        help="turn a platform's own export (WhatsApp, Instagram, X …) into incidents",
        description=(
            "Read a chat or account export, show how many messages each person sent, and add "
            "the messages of the person or people harassing you as incidents, with their exact "
            "words, times and a pointer back to the export (kept as an exhibit). Importing the "
            "same export again adds nothing twice."
        ),
        epilog='Example: harassment-pack import whatsapp chat.txt --case my-case --from "Sam Doe"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importing.add_argument(
        "format",
        choices=[*IMPORT_FORMATS, "auto"],
        metavar="FORMAT",
        help=f"one of: {', '.join(IMPORT_FORMATS)}, or auto (tell from the file)",
    )
    importing.add_argument("file", type=Path, help="the export: a file, zip or folder")
    importing.add_argument("--case", type=Path, required=True, help="the case folder")
    importing.add_argument(
        "--from",
        dest="senders",
        nargs="+",
        metavar="NAME",
        help="whose messages become incidents, as the export spells the name (any case)",
    )
    importing.add_argument(
        "--person",
        metavar="NAME",
        help="someone already in the case (their name, or id such as r1) who sent them; without "
        "it each sender is added as a new person",
    )
    importing.add_argument("--since", metavar="DATE", help="only messages on or after this day")
    importing.add_argument("--until", metavar="DATE", help="only messages on or before this day")
    importing.add_argument(
        "--tz",
        metavar="ZONE",
        help="time zone the phone was set to, for exports without one (default Europe/London)",
    )
    order = importing.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="dayfirst",
        action="store_true",
        default=None,
        help="dates like 03/04 mean 3 April",
    )
    order.add_argument(
        "--monthfirst", dest="dayfirst", action="store_false", help="dates like 03/04 mean 4 March"
    )
    importing.add_argument("--yes", action="store_true", help="import without asking first")
    importing.set_defaults(handler=cmd_import)

    doctor = sub.add_parser(
        "doctor",
        help="check that LibreOffice, fonts and the Python libraries are installed",
        description="Check everything a build needs, and say how to fix what is missing.",
        epilog="Example: harassment-pack doctor",
    )
    doctor.set_defaults(handler=cmd_doctor)

    serving = sub.add_parser(
        "serve",
        help="answer the questions and make the pack in your web browser (on this computer only)",
        description=(
            "Open the interview, evidence, checks and the pack as pages in your web browser. "
            "Nothing leaves this computer: the pages are served only to it (127.0.0.1), only to "
            "the browser that opens the secret address printed here. Press Ctrl-C to stop."
        ),
        epilog="Example: harassment-pack serve ~/harassment-pack-cases",
    )
    serving.add_argument(
        "cases",
        type=Path,
        nargs="?",
        default=Path.home() / "harassment-pack-cases",
        help="folder holding your case folders (default: harassment-pack-cases in your home)",
    )
    serving.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    serving.add_argument(
        "--no-browser", action="store_true", help="print the address instead of opening it"
    )
    serving.add_argument(
        "--questionnaires", type=Path, help="use the questionnaires in this folder instead"
    )
    serving.set_defaults(handler=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in given[: given.index("--") if "--" in given else None]:
        given.remove("--debug")  # accepted after the command too, where people put it
        given.insert(0, "--debug")
    args = _parser().parse_args(given)
    handler: Handler = args.handler
    try:
        return handler(args)
    except UserError as exc:
        if args.debug:
            raise
        print(f"harassment-pack: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        if args.debug:
            raise
        from .oserrors import os_error_line

        print(f"harassment-pack: {os_error_line(exc)}", file=sys.stderr)
        return UserError.exit_code
    except ValueError as exc:
        from .oserrors import nul_path_line

        line = nul_path_line(exc)
        if args.debug or line is None:
            raise
        print(f"harassment-pack: {line}", file=sys.stderr)
        return UserError.exit_code
    except KeyboardInterrupt:
        if handler is cmd_interview:
            again = f"{_this_program()} interview {shlex.quote(str(args.case))}"
            if args.questionnaires:
                again += f" --questionnaires {shlex.quote(str(args.questionnaires))}"
            print(
                "\nStopped. Everything you answered is saved (and anything you were writing). "
                f"To carry on from where you stopped, run:\n  {again}",
                file=sys.stderr,
            )
        else:
            print(
                "\nStopped. Nothing you already saved has been lost: run the same command again "
                "to carry on from where you stopped.",
                file=sys.stderr,
            )
        return 130


def _this_program() -> str:
    """How this program was started, to give back as a command to type.

    'harassment-pack' when that name on the PATH is this program; otherwise the path it was
    run by ('.venv/bin/harassment-pack'), or 'python -m harassment_pack'.
    """
    started = Path(sys.argv[0])
    if started.name == "__main__.py":
        return f"{shlex.quote(sys.executable)} -m harassment_pack"
    on_path = shutil.which("harassment-pack")
    if on_path and Path(on_path).resolve() == started.resolve():
        return "harassment-pack"
    with contextlib.suppress(ValueError):
        inside = started.resolve().relative_to(Path.cwd().resolve())
        return shlex.quote(str(inside) if len(inside.parts) > 1 else f"./{inside}")
    return shlex.quote(str(started))


if __name__ == "__main__":
    raise SystemExit(main())
