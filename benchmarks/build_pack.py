"""Time a whole build (render, one LibreOffice conversion, pack) on generated cases of growing size.

A real case can hold thousands of imported messages, and LibreOffice lays out one long table in
superlinear time; this shows whether the chronology's one-table-per-month layout keeps a large
build practical. It is a benchmark, not a test: run it by hand and compare the numbers.

    .venv/bin/python benchmarks/build_pack.py            # 100 and 1,000 incidents
    .venv/bin/python benchmarks/build_pack.py 100 5000   # sizes of your choice
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from harassment_pack.build import build_case
from harassment_pack.case import Account, Applicant, Case, Incident, Respondent, save_case

PLATFORMS = ["WhatsApp", "Instagram", "X", "Facebook", "Email"]


def make_case(folder: Path, incidents: int) -> Path:
    """A fictional case with ``incidents`` messages spread over about a year."""
    start = datetime(2025, 11, 1, 8, 0, tzinfo=UTC)
    step = timedelta(minutes=max(1, 365 * 24 * 60 // max(incidents, 1)))
    case = Case(
        applicant=Applicant(full_name="Alex Example", initials="AE"),
        respondents=[
            Respondent(
                id="r1",
                name="Sam Sample",
                accounts=[Account(platform="WhatsApp", handle="+44 7700 900999")],
            )
        ],
        incidents=[
            Incident(
                id=f"i{n}",
                when=start + n * step,
                platform=PLATFORMS[n % len(PLATFORMS)],
                respondent="r1",
                kinds=["abuse"],
                summary=f"Sam sent me message number {n}.",
                exact_words=f"This is generated message {n}, long enough to wrap onto a second "
                "line in the chronology's table cell.",
            )
            for n in range(1, incidents + 1)
        ],
    )
    folder.mkdir(parents=True)
    save_case(case, folder)
    (folder / "evidence").mkdir()
    return folder


def main(argv: list[str]) -> int:
    sizes = [int(arg) for arg in argv[1:]] or [100, 1000]
    print(f"{'incidents':>10} {'seconds':>8} {'pages':>6}")
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix="hp-bench-"))
        try:
            case_dir = make_case(work / "case", size)
            began = time.perf_counter()
            result = build_case(
                case_dir, work / "out", only=["chronology", "witness_statement"],
                today=date(2026, 11, 24),
            )  # fmt: skip
            elapsed = time.perf_counter() - began
            pages = result.pack.page_count if result.pack else 0
            print(f"{size:>10} {elapsed:>8.1f} {pages:>6}")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
