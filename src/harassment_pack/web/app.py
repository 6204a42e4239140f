"""The web interview: pages over the same library calls as the command line.

Why a thin layer: the questions, their checks, the evidence and import calls, the checks and the
build are the library's; a page only shows one step and sends one answer back. So the terminal and
the browser can be used on one case in turn, and a fix in one is a fix in both.
"""

from __future__ import annotations

import functools
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, redirect, render_template, request, send_from_directory
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from ..case import CASE_FILENAME, load_case, path_text
from ..errors import UserError
from ..files import make_private_dir
from ..interview.engine import shown
from ..interview.questions import (
    HINTS,
    AnswerError,
    Question,
    Section,
    holds,
    load_questionnaires,
    parse_answer,
    render,
)
from ..interview.session import PROGRESS_FILENAME, Session, get_path
from ..interview.steps import (
    Step,
    applicable_sections,
    next_step,
    parse_path,
    step_at,
)
from ..law import force_names, load_law
from ..lock import case_lock
from .security import Gate

CASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,59}$")
CASE_NAME_HINT = "letters, numbers, spaces, - and _ only, for example my-case"
UPLOAD_LIMIT = 500 * 1024 * 1024
"""Bytes one request may carry: the evidence limit (200 MB a file) with room for an export."""

OUTPUT_SUFFIXES = (".pdf", ".docx")
CHECKS_FIRST = ("urgent", "deadlines")
"""A frightened person sees what cannot wait before anything else the check says."""


@dataclass
class BuildState:
    """What a build running in the background has said so far."""

    running: bool = False
    lines: list[str] = field(default_factory=list)
    error: str | None = None
    finished: bool = False


@dataclass
class PendingImport:
    """An uploaded export waiting for the person to choose whose messages to import."""

    case: str
    folder: Path
    path: Path
    fmt: str


def create_app(
    cases_dir: Path,
    gate: Gate,
    *,
    questionnaires: Path | None = None,
    today: Callable[[], date] = date.today,
) -> Flask:
    """The Flask app for the cases in ``cases_dir``, guarded by ``gate``."""
    cases_dir = Path(cases_dir).resolve()
    sections = load_questionnaires(questionnaires)
    # What the check page and the pack built here tell the person to answer: a part of these
    # pages by its title, never a terminal command (``routes.answer_where``).
    parts = {s.section: s.title for s in sections}
    law = load_law()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = UPLOAD_LIMIT
    app.jinja_env.filters["paras"] = _paragraphs
    app.jinja_env.filters["lines"] = lambda text: _paragraphs(text, keep_lines=True)
    gate.install(app)
    builds: dict[str, BuildState] = {}
    imports: dict[str, PendingImport] = {}
    lock = threading.Lock()

    # ------------------------------------------------------------------ helpers

    def folder(name: str) -> Path:
        if not CASE_NAME.match(name):
            abort(404)
        path = cases_dir / name
        if not (path / CASE_FILENAME).is_file() and not (path / PROGRESS_FILENAME).is_file():
            abort(404, f"There is no case called {name} here.")
        return path

    def writes(view: Callable[..., Any]) -> Callable[..., Any]:
        """Run a page that may change the case under the case's lock, as every command does."""

        @functools.wraps(view)
        def locked(name: str, *args: Any, **kwargs: Any) -> Any:
            with case_lock(folder(name), "serve (the web interview)"):
                return view(name, *args, **kwargs)

        return locked

    def session_for(name: str) -> Session:
        return Session(folder(name), sections, today=today())

    def page(template: str, **values: Any) -> str:
        return render_template(template, csrf=gate.csrf_token(request), **values)

    def intro_of(section: Section, case_dir: Path | None) -> str:
        context = {"law": law, "interface": "web", "case_dir": str(case_dir or "")}
        return render(section.intro or "", context)

    @app.errorhandler(UserError)
    def _user_error(exc: UserError):  # type: ignore[no-untyped-def]
        return page("problem.html", message=str(exc)), 400

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(413)
    def _http_error(exc: Any):  # type: ignore[no-untyped-def]
        message = getattr(exc, "description", None) or "Something went wrong."
        if exc.code == 413:
            message = "That file is too big to add here (the limit is 500 MB)."
        return render_template("problem.html", message=message, csrf=""), exc.code

    # ------------------------------------------------------------------ start

    @app.get("/")
    def home():  # type: ignore[no-untyped-def]
        cases = sorted(
            path.name
            for path in cases_dir.iterdir()
            if path.is_dir()
            and CASE_NAME.match(path.name)
            and ((path / CASE_FILENAME).is_file() or (path / PROGRESS_FILENAME).is_file())
        ) if cases_dir.is_dir() else []  # fmt: skip
        return page(
            "home.html", cases=cases, safety=intro_of(sections[0], None), hint=CASE_NAME_HINT
        )

    @app.post("/new")
    def new_case():  # type: ignore[no-untyped-def]
        name = request.form.get("name", "").strip()
        if not CASE_NAME.match(name):
            return page(
                "home.html",
                cases=[],
                safety=intro_of(sections[0], None),
                hint=CASE_NAME_HINT,
                error=f"Give the case a short name: {CASE_NAME_HINT}.",
                name=name,
            ), 400
        path = cases_dir / name
        if path.exists():
            return redirect(f"/case/{name}/", code=303)
        make_private_dir(path)
        with case_lock(path, "serve (the web interview)"):
            Session(path, sections, today=today()).progress.save()
        return redirect(f"/case/{name}/next", code=303)

    @app.get("/away")
    def away():  # type: ignore[no-untyped-def]
        return render_template("away.html")

    @app.post("/leave")
    def leave():  # type: ignore[no-untyped-def]
        gate.leave(request)
        response = redirect("/away", code=303)
        response.delete_cookie("hp_session", path="/")
        return response

    # ------------------------------------------------------------------ one case

    @app.get("/case/<name>/")
    def overview(name: str):  # type: ignore[no-untyped-def]
        session = session_for(name)
        parts = applicable_sections(session)
        step = next_step(session)
        case = _valid_case(session)
        return page(
            "case.html",
            name=name,
            parts=[(s, _section_state(session, s, step)) for s in parts],
            step=step,
            case=case,
            incidents=_incident_rows(case, law, today()) if case else [],
            intro=intro_of(sections[0], session.case_dir),
        )

    @app.route("/case/<name>/next", methods=["GET", "POST"])
    @writes
    def ask_next(name: str):  # type: ignore[no-untyped-def]
        session = session_for(name)
        if request.method == "POST":
            return answer(name, session, back=f"/case/{name}/next")
        step = next_step(session)
        if step is None:
            return redirect(f"/case/{name}/?done=1", code=303)
        if (
            step.kind == "add"
            and not (get_path(session.data, step.path) or [])
            and not (step.question.add_first)
        ):
            session.new_item(step.question, step.path)  # a first record is always wanted
            return redirect(f"/case/{name}/next", code=303)
        return show_step(name, session, step, back=f"/case/{name}/next")

    @app.route("/case/<name>/question", methods=["GET", "POST"])
    @writes
    def change(name: str):  # type: ignore[no-untyped-def]
        session = session_for(name)
        back = _local(request.values.get("back")) or f"/case/{name}/"
        if request.method == "POST":
            return answer(name, session, back=back)
        step = _step_or_404(session, request.args.get("path", ""))
        return show_step(name, session, step, back=back, changing=True)

    def show_step(
        name: str,
        session: Session,
        step: Step,
        *,
        back: str,
        changing: bool = False,
        error: str | None = None,
        raw: Any = None,
        status: int = 200,
    ):  # type: ignore[no-untyped-def]
        question = step.question
        context = _context(session, step.item)
        parts = session.sections  # all of them, so the count never jumps as parts switch on
        number = next((i for i, s in enumerate(parts, 1) if s is step.section), 0)
        choices = session.choices(question, context) if question.type != "group" else []
        current = get_path(session.data, step.path)
        if raw is None:
            default = current if current is not None else session.default(question, context)
            raw = _form_value(question, default)
        if step.kind == "add":
            source = (question.add_first if not current else None) or question.add_another
        else:
            source = question.prompt
        prompt = render(source or "", context)
        label = None
        if step.item is not None:
            group_path, index = _record_of(step.path)
            group = step_at(session, group_path)
            if group is not None:
                label = session.item_label(group.question, step.item, index)
        warning = None
        if question.warning and holds(question.warning_when or "true", context):
            warning = render(question.warning, context)
        return page(
            "question.html",
            name=name,
            step=step,
            question=question,
            path=path_text(step.path),
            prompt=prompt,
            help=render(question.help, context) if question.help else None,
            hint=HINTS.get(question.type),
            choices=choices,
            raw=raw,
            part=number,
            parts=len(parts),
            section=step.section,
            intro=(
                intro_of(step.section, session.case_dir)
                if not changing and _first_in_section(session, step)
                else None
            ),
            label=label,
            warning=warning,
            error=error,
            back=back,
            changing=changing,
            forces=force_names(law) if question.type == "police_force" else [],
            describe=render(question.describe, context) if question.describe else None,
            count=len(current or []) if step.kind == "add" else 0,
        ), status

    def answer(name: str, session: Session, *, back: str):  # type: ignore[no-untyped-def]
        step = _step_or_404(session, request.form.get("path", ""))
        action = request.form.get("action", "save")
        question = step.question
        changing = back != f"/case/{name}/next"
        if action == "stop":
            return redirect(f"/case/{name}/?saved=1", code=303)
        if step.kind == "add":
            wanted = request.form.get("answer")
            if wanted not in ("yes", "no"):
                return show_step(name, session, step, back=back, error="Choose Yes or No.",
                                 status=400)  # fmt: skip
            if wanted == "yes":
                session.new_item(question, step.path)
            else:
                session.mark(step.path)
            return redirect(back, code=303)
        if step.kind == "notice" or action == "skip":
            if action == "skip" and question.required:
                return show_step(name, session, step, back=back, status=400,
                                 error="This one is needed for your documents.")  # fmt: skip
            session.mark(step.path)
            return redirect(back, code=303)
        if question.type == "file":
            return _answer_files(session, step, back)
        raw: Any = (
            request.form.getlist("answer")
            if question.type == "multi_choice"
            else request.form.get("answer", "")
        )
        choices = session.choices(question, session.context(step.item))
        try:
            value = parse_answer(question, raw, today=session.today, choices=choices)
        except AnswerError as exc:
            return show_step(name, session, step, back=back, error=str(exc), raw=raw,
                             changing=changing, status=400)  # fmt: skip
        session.answer(step.path, value)
        return redirect(back, code=303)

    def _answer_files(session: Session, step: Step, back: str):  # type: ignore[no-untyped-def]
        uploads = [f for f in request.files.getlist("files") if f.filename]
        if uploads:
            description = request.form.get("description", "").strip()
            with tempfile.TemporaryDirectory(prefix="harassment-pack-upload-") as staging:
                files = [_store(upload, Path(staging)) for upload in uploads]
                session.register_files(
                    files, step.path, [description or file.name for file in files]
                )
        session.mark(step.path)
        return redirect(back, code=303)

    # ------------------------------------------------------------------ sections and records

    @app.get("/case/<name>/part/<section_name>")
    def part(name: str, section_name: str):  # type: ignore[no-untyped-def]
        session = session_for(name)
        section = next((s for s in sections if s.section == section_name), None)
        if section is None:
            abort(404)
        rows = _answer_rows(session, section.questions, (), None)
        return page("part.html", name=name, section=section, rows=rows)

    @app.post("/case/<name>/records")
    @writes
    def records(name: str):  # type: ignore[no-untyped-def]
        """Add a record to a group, or remove one ("Remove this incident")."""
        session = session_for(name)
        path = _parse_or_404(request.form.get("path", ""))
        back = _local(request.form.get("back")) or f"/case/{name}/"
        if request.form.get("action") in ("remove", "confirm-remove"):
            group_path, index = _record_of(path)
            record = get_path(session.data, path)
            group = step_at(session, group_path)
            if record is None or group is None:
                abort(404)
            if request.form.get("action") == "remove":  # ask first: her words would be gone
                label = session.item_label(group.question, record, index)
                return page("remove.html", name=name, path=path_text(path), label=label,
                            back=back)  # fmt: skip
            session.remove_item(group_path, index)
            return redirect(back, code=303)
        step = _step_or_404(session, path_text(path))
        if step.kind != "add":
            abort(404)
        session.new_item(step.question, step.path)
        return redirect(f"/case/{name}/next", code=303)

    # ------------------------------------------------------------------ evidence and imports

    @app.route("/case/<name>/evidence", methods=["GET", "POST"])
    @writes
    def evidence(name: str):  # type: ignore[no-untyped-def]
        from ..evidence import add_evidence

        case_dir = folder(name)
        message = None
        if request.method == "POST":
            uploads = [f for f in request.files.getlist("files") if f.filename]
            if not uploads:
                raise UserError("Choose at least one file to add.")
            incident = request.form.get("incident") or None
            with tempfile.TemporaryDirectory(prefix="harassment-pack-upload-") as staging:
                added = add_evidence(
                    case_dir,
                    [_store(upload, Path(staging)) for upload in uploads],
                    incident=incident,
                    description=request.form.get("description", "").strip() or None,
                    sensitive=request.form.get("sensitive") == "yes",
                )
            message = "Added: " + ", ".join(f"{item.label} ({item.file})" for item in added)
        return evidence_page(name, message)

    def evidence_page(name: str, message: str | None):  # type: ignore[no-untyped-def]
        from ..evidence import csam_reporting

        case = load_case(folder(name))
        return page(
            "evidence.html",
            name=name,
            case=case,
            incidents=_incident_rows(case, law, today()),
            exhibits=_exhibit_rows(case, law, today()),
            csam=csam_reporting(),
            message=message,
        )

    @app.post("/case/<name>/evidence/link")
    @writes
    def evidence_link(name: str):  # type: ignore[no-untyped-def]
        from ..evidence import link_evidence

        unlink = request.form.get("action") == "unlink"
        _, numbers = link_evidence(
            folder(name), request.form.get("label", ""), [request.form.get("incident", "")],
            unlink=unlink,
        )  # fmt: skip
        done = "no longer linked to" if unlink else "linked to"
        return evidence_page(name, f"{request.form.get('label')} is {done} {numbers[0]}.")

    @app.post("/case/<name>/evidence/remove")
    @writes
    def evidence_remove(name: str):  # type: ignore[no-untyped-def]
        from ..evidence import remove_evidence

        item, _ = remove_evidence(folder(name), request.form.get("label", ""))
        return evidence_page(
            name, f"{request.form.get('label')} is out of your documents; {item.file} is kept."
        )

    @app.route("/case/<name>/import", methods=["GET", "POST"])
    def import_page(name: str):  # type: ignore[no-untyped-def]
        from ..importers import IMPORTERS, import_export

        case_dir = folder(name)
        formats = ["auto", *IMPORTERS]
        if request.method == "GET":
            return page("import.html", name=name, formats=formats)
        upload = request.files.get("export")
        if upload is None or not upload.filename:
            raise UserError("Choose the export file (a .zip, .txt, .json, .xml, .eml or .mbox).")
        fmt = request.form.get("format", "auto")
        if fmt not in formats:
            abort(400)
        staging = Path(tempfile.mkdtemp(prefix="harassment-pack-import-"))
        try:
            stored = _store(upload, staging)
            seen: list[Any] = []
            import_export(case_dir, fmt, stored, confirm=seen.append)  # preview only
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        token = staging.name
        with lock:
            imports[token] = PendingImport(name, staging, stored, fmt)
        return import_preview(name, seen[0], token)

    def import_preview(name: str, preview: Any, token: str, error: str | None = None):  # type: ignore[no-untyped-def]
        case = load_case(folder(name))
        return page(
            "import_preview.html",
            name=name,
            preview=preview,
            token=token,
            error=error,
            people=case.respondents,
        ), 400 if error else 200

    @app.post("/case/<name>/import/confirm")
    @writes
    def import_confirm(name: str):  # type: ignore[no-untyped-def]
        from ..importers import import_export

        case_dir = folder(name)
        token = request.form.get("token", "")
        with lock:
            pending = imports.get(token)
        if pending is None or pending.case != name:
            raise UserError("That upload has expired: choose the export file again.")
        chosen = request.form.getlist("sender")
        if not chosen:
            seen: list[Any] = []
            import_export(case_dir, pending.fmt, pending.path, confirm=seen.append)
            return import_preview(name, seen[0], token, "Tick whose messages to import.")
        try:
            summary = import_export(
                case_dir, pending.fmt, pending.path, senders=chosen, assume_yes=True,
                person=request.form.get("person") or None,
            )  # fmt: skip
        finally:
            with lock:
                imports.pop(token, None)
            shutil.rmtree(pending.folder, ignore_errors=True)
        return page("import_done.html", name=name, lines=summary.lines())

    # ------------------------------------------------------------------ check and build

    @app.get("/case/<name>/check")
    def check(name: str):  # type: ignore[no-untyped-def]
        from ..law.checks import check_case

        report = check_case(load_case(folder(name)), law, today(), parts=parts).to_dict()
        first = {section: order for order, section in enumerate(CHECKS_FIRST)}
        report["sections"].sort(key=lambda section: first.get(section["id"], len(first)))
        return page("check.html", name=name, report=report)

    @app.route("/case/<name>/build", methods=["GET", "POST"])
    def build(name: str):  # type: ignore[no-untyped-def]
        case_dir = folder(name)
        with lock:
            state = builds.setdefault(name, BuildState())
            if request.method == "POST" and not state.running:
                state = builds[name] = BuildState(running=True)
                threading.Thread(
                    target=_run_build, args=(case_dir, state, parts), daemon=True
                ).start()
        if request.method == "POST":
            return redirect(f"/case/{name}/build", code=303)
        return page("build.html", name=name, state=state, files=_outputs(case_dir))

    @app.get("/case/<name>/build/status")
    def build_status(name: str):  # type: ignore[no-untyped-def]
        folder(name)
        state = builds.get(name, BuildState())
        return jsonify(
            running=state.running, finished=state.finished, error=state.error, lines=state.lines
        )

    @app.get("/case/<name>/out/<path:filename>")
    def output(name: str, filename: str):  # type: ignore[no-untyped-def]
        case_dir = folder(name)
        if filename not in {path.name for path in _outputs(case_dir)}:
            abort(404)
        return send_from_directory(
            case_dir / "out", filename, as_attachment=request.args.get("download") == "1"
        )

    return app


# ---------------------------------------------------------------------- helpers


def _run_build(case_dir: Path, state: BuildState, parts: Mapping[str, str]) -> None:
    """Build in the background; the page polls what it says. The build is told it was started
    here (``parts``), so the pack names the parts of these pages to answer, not commands."""
    from ..build import build_case

    def say(message: str) -> None:
        state.lines.append(message)

    def progress(done: int, total: int, document: str) -> None:
        state.lines.append(f"Made {done} of {total} documents ({document})")

    try:
        result = build_case(case_dir, notify=say, progress=progress, parts=parts)
        assert result.pack is not None
        say(f"Your pack is ready: {result.pack.page_count} pages.")
        state.finished = True
    except UserError as exc:
        state.error = str(exc)
    except Exception as exc:  # a bug: say so plainly, keep the details for the terminal
        state.error = f"The build stopped because of a problem in harassment-pack ({exc!r})."
        raise
    finally:
        state.running = False


def _outputs(case_dir: Path) -> list[Path]:
    out = case_dir / "out"
    if not out.is_dir():
        return []
    files = [p for p in out.iterdir() if p.is_file() and p.suffix in OUTPUT_SUFFIXES]
    first = {"pack.pdf": 0, "court-bundle.pdf": 1}
    return sorted(files, key=lambda p: (first.get(p.name, 2), p.suffix != ".pdf", p.name))


def _store(upload: FileStorage, folder: Path) -> Path:
    """Save an upload under its own (made safe) name, as the person would see it on disk."""
    name = secure_filename(upload.filename or "") or "upload"
    target = folder / name
    upload.save(target)
    target.chmod(0o600)
    return target


def _local(url: str | None) -> str | None:
    """Only a path on this server may be a 'back' address (never another site)."""
    if url and url.startswith("/") and not url.startswith("//"):
        return url
    return None


def _parse_or_404(text: str) -> tuple:
    try:
        return parse_path(text)
    except ValueError:
        abort(404)


def _step_or_404(session: Session, text: str) -> Step:
    step = step_at(session, _parse_or_404(text))
    if step is None:
        abort(404)
    return step


def _record_of(path: tuple) -> tuple[tuple, int]:
    """The group path and index of the record that ``path`` is in (the last number in it)."""
    for position in range(len(path) - 1, -1, -1):
        if isinstance(path[position], int):
            return path[:position], path[position]
    raise ValueError(f"{path_text(path)} is not inside a record")


def _form_value(question: Question, value: Any) -> Any:
    """A saved answer as the form shows it."""
    if value is None:
        return [] if question.type == "multi_choice" else ""
    if question.type == "multi_choice":
        return [str(v) for v in value]
    if question.type in ("choice", "yes_no"):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if question.type == "list":
        return "\n".join(value)
    if question.type == "file":
        return ""
    return shown(question, value)


def _first_in_section(session: Session, step: Step) -> bool:
    """Whether nothing in the step's section has been asked yet (then its intro is shown)."""
    for question in step.section.questions:
        if question.type == "notice":
            continue
        if session.is_answered(question.path) or get_path(session.data, question.path):
            return False
    return True


def _section_state(session: Session, section: Section, step: Step | None) -> str:
    if step is not None and step.section is section:
        return "in progress" if not _first_in_section(session, step) else "not started"
    position = session.sections.index(section)
    if step is not None and session.sections.index(step.section) < position:
        return "not started"
    return "done"


def _valid_case(session: Session) -> Any:
    case, _ = session.progress.validate()
    return case


def _incident_rows(case: Any, law: dict, today: date) -> list[dict[str, str]]:
    from ..documents.common import CaseView

    view = CaseView(case, law, today)
    rows = []
    for index, incident in enumerate(case.incidents):
        rows.append(
            {
                "number": view.numbers[incident.id],
                "id": incident.id,
                "path": f"incidents[{index}]",
                "when": view.when_text(incident.when),
                "platform": incident.platform,
                "summary": incident.summary,
            }
        )
    return sorted(rows, key=lambda row: int(row["number"].lstrip("C") or 0))


def _exhibit_rows(case: Any, law: dict, today: date) -> list[dict[str, str]]:
    from ..documents.common import CaseView

    view = CaseView(case, law, today)
    return [
        {
            "label": view.labels[item.id],
            "file": item.file,
            "description": item.description or "",
            "incidents": ", ".join(view.numbers[i.id] for i in view.incidents_citing(item)),
            "sensitive": "yes" if item.sensitive else "",
        }
        for item in case.evidence
    ]


def _answer_rows(
    session: Session, questions: list[Question], base: tuple, item: dict | None
) -> list[dict[str, Any]]:
    """What a part of the interview holds, question by question, for its 'check and change' page."""
    rows: list[dict[str, Any]] = []
    for question in questions:
        if question.type == "notice" or not holds(question.when, session.context(item)):
            continue
        path = (*base, *question.path)
        if question.type == "group":
            records = []
            for index, record in enumerate(get_path(session.data, path) or []):
                records.append(
                    {
                        "label": session.item_label(question, record, index),
                        "path": path_text((*path, index)),
                        "rows": _answer_rows(session, question.questions, (*path, index), record),
                    }
                )
            rows.append({"group": question, "path": path_text(path), "records": records})
            continue
        value = get_path(session.data, path)
        rows.append(
            {
                "prompt": render(question.prompt, _context(session, item)),
                "answer": _answer_text(session, question, value, item),
                "path": path_text(path),
            }
        )
    return rows


def _context(session: Session, item: dict | None) -> dict[str, Any]:
    """What questionnaire text sees on a page: ``interface`` lets it leave out terminal keys."""
    return {**session.context(item), "interface": "web"}


def _answer_text(session: Session, question: Question, value: Any, item: dict | None) -> str:
    """A saved answer in words: a choice by its label (never "r1"), yes/no as Yes/No."""
    if value is None:
        return ""
    if question.type == "yes_no":
        return "Yes" if value else "No"
    if question.type in ("choice", "multi_choice"):
        labels = {c.value: c.label for c in session.choices(question, session.context(item))}
        chosen = value if isinstance(value, list) else [value]
        return "\n".join(str(labels.get(v, v)) for v in chosen)
    return shown(question, value)


def _paragraphs(text: str | None, keep_lines: bool = False) -> Markup:
    """Text as HTML paragraphs (escaped): blank lines part paragraphs.

    Questionnaire prose is wrapped at about 90 characters in its YAML file, so inside a paragraph
    its lines are joined, except a line that starts a list item ("- …") or is indented (a folder
    name). A person's own answers keep every line break they typed (``keep_lines``).
    """
    if not text:
        return Markup("")
    html = []
    for block in re.split(r"\n\s*\n", str(text)):
        rows: list[str] = []
        for line in block.splitlines():
            if not line.strip():
                continue
            starts_row = keep_lines or not rows or line[:1].isspace() or line.lstrip()[:1] in "-•"
            if starts_row:
                rows.append(str(escape(line.strip())))
            else:
                rows[-1] += " " + str(escape(line.strip()))
        if rows:
            html.append("<p>" + "<br>".join(rows) + "</p>")
    return Markup("".join(html))
