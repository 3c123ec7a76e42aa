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
    #: also at most this many times the baseline (with ``max``)
    ratio: float | None = None

    def passes(self, figure: float, baseline: float | None) -> bool:
        if self.kind == "info":
            return True
        if self.kind == "max":
            within = self.ratio is None or (baseline is not None and figure <= self.ratio * baseline)
            return figure <= self.limit and within
        assert baseline is not None
        if self.kind == "over":
            return figure - baseline <= self.limit
        return figure / baseline <= self.limit

    def __str__(self) -> str:
        if self.kind == "info":
            return "(reference)"
        if self.kind == "max":
            both = f" and ≤ {self.ratio:g}× baseline" if self.ratio is not None else ""
            return (f"≤ {_fmt(self.limit)}" if self.limit < 50 else f"≤ {self.limit:.0f} MB") + both
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
    #: the lowest and highest of the samples the median was taken from
    spread: tuple[float, float] | None = None

    @property
    def ok(self) -> bool:
        return self.goal.passes(self.value, self.baseline)

    def cells(self) -> list[str]:
        show = (lambda v: f"{v:.0f} MB") if self.unit == "MB" else _fmt
        ratio = "" if not self.baseline else f"{self.value / self.baseline:.2f}×"
        base = "" if self.baseline is None else f"{show(self.baseline)} ({self.baseline_name})"
        shown = show(self.value)
        if self.spread is not None:
            shown += f" ({show(self.spread[0])}–{show(self.spread[1])})"
        return [
            self.figure,
            self.db,
            self.size,
            shown,
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


#: Samples per figure (product and baseline alternating).
REPEAT = 7
#: The spread of the product's samples behind the last :func:`medians` (lowest, highest).
last_spread: tuple[float, float] = (0.0, 0.0)


def medians(
    product: Callable[[], Any], baseline: Callable[[], Any] | None, repeat: int = REPEAT
) -> tuple[float, float | None]:
    """Medians of ``repeat`` runs, product and baseline alternating in one run (a warm-up first);
    the product's lowest and highest sample are left in :data:`last_spread`."""
    global last_spread
    product()
    if baseline is not None:
        baseline()
    mine: list[float] = []
    theirs: list[float] = []
    slow = False
    for _ in range(repeat):
        mine.append(timed(product))
        if baseline is not None and not slow:
            theirs.append(timed(baseline))
            slow = theirs[-1] > SLOW
    last_spread = (min(mine), max(mine))
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
