"""The figures the test command prints at its end (``scripts/test``): what the security and
reliability tests counted as they ran, added up over every pytest-xdist worker and profile.

A test calls ``record(name, n)`` with one of the ``FIGURES`` below; each process appends a JSON
line to a file of its own in ``$TONGXIN_TEST_FIGURES`` (set by ``scripts/test``; unset, as in a
plain ``pytest`` run, nothing is written). ``python -m tests.figures DIR`` prints the sums, and
exits 1 when a figure that must stay at zero is not (a leak, a lost or doubled record), so the
test command fails on it even if the test that counted it was skipped or deselected.

A figure is printed when some test recorded it; one nobody recorded this run (a profile left
out, ``-k``) is not printed rather than printed as 0, so a zero always means "counted, none".
"""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

FIGURES_VAR = "TONGXIN_TEST_FIGURES"

# name: (label, must stay zero)
FIGURES: dict[str, tuple[str, bool]] = {
    "routes_x_actors": ("routes × actors covered", False),
    "isolation_requests": ("requests of the isolation matrix", False),
    "leaks": ("leaks found", True),
    "fuzz_cases": ("fuzz cases run", False),
    "fuzz_findings": ("fuzz findings", True),
    "faults_injected": ("faults injected", False),
    "work_lost": ("work lost", True),
    "duplicates": ("duplicates", True),
    "backup_round_trips": ("backup round trips identical", False),
    "backup_round_trips_differing": ("backup round trips differing", True),
}


def record(name: str, value: int = 1) -> None:
    """Add ``value`` to the run's figure ``name`` (one of ``FIGURES``)."""
    if name not in FIGURES:
        raise KeyError(f"unknown figure {name!r}: declare it in tests/figures.py FIGURES")
    directory = os.environ.get(FIGURES_VAR)
    if not directory:
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    with open(Path(directory) / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps({"name": name, "value": int(value)}) + "\n")


def totals(directory: str | Path) -> Counter:
    found: Counter = Counter()
    for path in sorted(Path(directory).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                found[entry["name"]] += entry["value"]
    return found


def main(argv: list[str]) -> int:
    found = totals(argv[1]) if len(argv) > 1 and Path(argv[1]).is_dir() else Counter()
    bad = []
    for name, (label, zero) in FIGURES.items():
        if name in found:
            print(f"{label}: {found[name]}")
            if zero and found[name]:
                bad.append(label)
    if bad:
        print("FAILED: must be 0: " + ", ".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
