"""The figures the bench measures, each beside its baseline and its goal."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A first baseline run slower than this is not repeated (the old funnel at 1M takes seconds).
SLOW = 2.0


@dataclass(frozen=True)
class Goal:
    """``max``: the figure itself at most ``limit`` (seconds or MB); ``over``: at most ``limit``
    seconds above the baseline; ``ratio``: at most ``limit`` times the baseline; ``info``: no goal,
    a reference to read other rows against."""

    kind: str
    limit: float

    def passes(self, figure: float, baseline: float | None) -> bool:
        if self.kind == "info":
            return True
        if self.kind == "max":
            return figure <= self.limit
        assert baseline is not None
        if self.kind == "over":
            return figure - baseline <= self.limit
        return figure / baseline <= self.limit

    def __str__(self) -> str:
        if self.kind == "info":
            return "(reference)"
        if self.kind == "max":
            return f"≤ {_fmt(self.limit)}" if self.limit < 50 else f"≤ {self.limit:.0f} MB"
        if self.kind == "over":
            return f"≤ baseline + {_fmt(self.limit)}"
        return f"≤ {self.limit:g}× baseline"


@dataclass(frozen=True)
class Result:
    figure: str
    db: str
    size: str
    value: float
    baseline: float | None
    baseline_name: str
    goal: Goal
    unit: str = "s"

    @property
    def ok(self) -> bool:
        return self.goal.passes(self.value, self.baseline)

    def cells(self) -> list[str]:
        show = (lambda v: f"{v:.0f} MB") if self.unit == "MB" else _fmt
        ratio = "" if not self.baseline else f"{self.value / self.baseline:.2f}×"
        base = "" if self.baseline is None else f"{show(self.baseline)} ({self.baseline_name})"
        return [
            self.figure,
            self.db,
            self.size,
            show(self.value),
            base,
            ratio,
            str(self.goal),
            "" if self.goal.kind == "info" else "pass" if self.ok else "**miss**",
        ]


HEADER = ["figure", "db", "size", "measured", "baseline", "ratio", "goal", "pass"]


def _fmt(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def medians(
    product: Callable[[], Any], baseline: Callable[[], Any] | None, repeat: int = 5
) -> tuple[float, float | None]:
    """Medians of ``repeat`` runs, product and baseline alternating in one run (a warm-up first)."""
    product()
    mine: list[float] = []
    theirs: list[float] = []
    slow = False
    for _ in range(repeat):
        mine.append(timed(product))
        if baseline is not None and not slow:
            theirs.append(timed(baseline))
            slow = theirs[-1] > SLOW
    return statistics.median(mine), (statistics.median(theirs) if theirs else None)


def run_python(*args: str, env: dict[str, str] | None = None) -> Callable[[], None]:
    def run() -> None:
        subprocess.run([sys.executable, *args], check=True, capture_output=True, env=env)

    return run


def run_irp(*args: str, env: dict[str, str] | None = None) -> Callable[[], None]:
    """The installed ``irp`` command, as people run it (its console script)."""
    irp = shutil.which("irp", path=str(Path(sys.executable).parent)) or "irp"

    def run() -> None:
        subprocess.run([irp, *args], check=True, capture_output=True, env=env)

    return run


def markdown(results: list[Result]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in results]
    return "\n".join(lines)
