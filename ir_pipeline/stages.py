"""The pipeline stages and the one table of moves between them.

Keeping the rules in a single mapping means the CLI, the TUI and the services can never disagree
about what is allowed, and the error for an illegal move can list what *is* allowed.
"""

from __future__ import annotations

from enum import StrEnum

from ir_pipeline.errors import IllegalStageMove


class Stage(StrEnum):
    SOURCED = "sourced"
    PITCHED = "pitched"
    LOI = "loi"
    DILIGENCE = "diligence"
    TERM_SHEET = "term_sheet"
    FUNDED = "funded"
    LOST = "lost"
    ON_HOLD = "on_hold"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_terminal(self) -> bool:
        return self in (Stage.FUNDED, Stage.LOST)


#: The forward path, in order: the funnel is drawn and converted along it.
FUNNEL: tuple[Stage, ...] = (
    Stage.SOURCED,
    Stage.PITCHED,
    Stage.LOI,
    Stage.DILIGENCE,
    Stage.TERM_SHEET,
    Stage.FUNDED,
)
#: Each funnel stage's place along :data:`FUNNEL` (a stage's value finds it too: a ``StrEnum``).
FUNNEL_RANK: dict[Stage, int] = {stage: i for i, stage in enumerate(FUNNEL)}

_LABELS = {
    Stage.SOURCED: "Sourced",
    Stage.PITCHED: "Pitched",
    Stage.LOI: "LOI",
    Stage.DILIGENCE: "Diligence",
    Stage.TERM_SHEET: "Term sheet",
    Stage.FUNDED: "Funded",
    Stage.LOST: "Lost",
    Stage.ON_HOLD: "On hold",
}

_ACTIVE = {Stage.SOURCED, Stage.PITCHED, Stage.LOI, Stage.DILIGENCE, Stage.TERM_SHEET}

#: Allowed moves. Forward moves may skip the pitch (an LOI can arrive unprompted), a deal may
#: step back one stage when diligence or terms fall through, anything active can be lost or put
#: on hold, and a deal on hold resumes at any active stage. Funded and lost are terminal.
ALLOWED_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.SOURCED: frozenset({Stage.PITCHED, Stage.LOI, Stage.LOST, Stage.ON_HOLD}),
    Stage.PITCHED: frozenset({Stage.LOI, Stage.LOST, Stage.ON_HOLD}),
    Stage.LOI: frozenset({Stage.DILIGENCE, Stage.LOST, Stage.ON_HOLD}),
    Stage.DILIGENCE: frozenset({Stage.TERM_SHEET, Stage.LOI, Stage.LOST, Stage.ON_HOLD}),
    Stage.TERM_SHEET: frozenset({Stage.FUNDED, Stage.DILIGENCE, Stage.LOST, Stage.ON_HOLD}),
    Stage.FUNDED: frozenset(),
    Stage.LOST: frozenset(),
    Stage.ON_HOLD: frozenset(_ACTIVE | {Stage.LOST}),
}


def parse_stage(text: str) -> Stage:
    """Accept ``term_sheet``, ``term-sheet``, ``Term sheet`` and the Korean words staff use."""
    from ir_pipeline.enums import parse_choice

    return parse_choice(Stage, text, what="stage", aliases=_ALIASES)


_ALIASES = {
    "ts": "term_sheet",
    "dd": "diligence",
    "due diligence": "diligence",
    "hold": "on_hold",
    "발굴": "sourced",
    "소싱": "sourced",
    "피칭": "pitched",
    "ir 완료": "pitched",
    "발표": "pitched",
    "의향서": "loi",
    "투자의향서": "loi",
    "투자검토 의향서": "loi",
    "실사": "diligence",
    "텀싯": "term_sheet",
    "투자조건 합의서": "term_sheet",
    "투자유치완료": "funded",
    "투자 유치 완료": "funded",
    "투자완료": "funded",
    "드롭": "lost",
    "무산": "lost",
    "실패": "lost",
    "보류": "on_hold",
}


def allowed_moves(current: Stage) -> list[Stage]:
    """The stages a deal at ``current`` may move to, in pipeline order."""
    order = list(Stage)
    return sorted(ALLOWED_MOVES[current], key=order.index)


def check_move(current: Stage, target: Stage) -> None:
    """Raise :class:`IllegalStageMove` with the legal alternatives when the move is not allowed."""
    if target == current:
        raise IllegalStageMove(f"the deal is already at {current.label}")
    if target not in ALLOWED_MOVES[current]:
        options = ", ".join(_named(s) for s in allowed_moves(current)) or "none: it is final"
        raise IllegalStageMove(
            f"cannot move a deal from {current.label} to {target.label}; "
            f"allowed from {current.label}: {options}"
        )


def _named(stage: Stage) -> str:
    """``On hold (on_hold)``: the label, and the word to type where it differs."""
    return stage.label if stage.label.lower() == stage.value else f"{stage.label} ({stage.value})"
