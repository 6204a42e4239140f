"""The ``harassment-pack`` command: a thin layer over the library, one call per command.

User mistakes arrive as ``UserError`` and are printed as one line with exit code 2; anything else
is a bug and keeps its traceback so it can be reported.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import UserError

Handler = Callable[[argparse.Namespace], int]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _progress(done: int, total: int, name: str) -> None:
    _say(f"  converted {done} of {total}: {name}")


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build_case

    result = build_case(
        args.case,
        args.out,
        only=args.only,
        templates_dir=args.templates,
        include_sensitive=args.include_sensitive,
        notify=_say,
        progress=_progress,
    )
    assert result.pack is not None
    for document in result.documents:
        print(f"  {document.title}: {result.out_dir / document.template}")
    print(f"Pack ({result.pack.page_count} pages): {result.pack.path}")
    print("These are drafts: have them checked by a solicitor before you use them.")
    return 0


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
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser(
        "build",
        help="write the documents (.docx and .pdf) and the pack (pack.pdf) for a case",
        description=(
            "Write every document that applies to the case as .docx (editable) and .pdf, and "
            "one pack.pdf with a cover, a linked index, bookmarks, page numbers and exhibits."
        ),
        epilog="Example: harassment-pack build samples/jane-smith -o jane-pack --only chronology",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("case", type=Path, help="case folder holding case.yaml and evidence/")
    build.add_argument("-o", "--out", type=Path, help="output folder (default: CASE/out)")
    build.add_argument(
        "--only", nargs="+", metavar="NAME", help="build only these documents (names as in --list)"
    )
    build.add_argument("--templates", type=Path, help="folder of your own .docx templates")
    build.add_argument(
        "--include-sensitive",
        action="store_true",
        help="show files marked sensitive (intimate images) in the pack; off by default",
    )
    build.set_defaults(handler=cmd_build)

    doctor = sub.add_parser(
        "doctor",
        help="check that LibreOffice, fonts and the Python libraries are installed",
        description="Check everything a build needs, and say how to fix what is missing.",
        epilog="Example: harassment-pack doctor",
    )
    doctor.set_defaults(handler=cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except UserError as exc:
        print(f"harassment-pack: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\nStopped. Nothing you already saved has been lost.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
