"""A deal's state read from its stage history, corrections included: the one rule behind its
stage, days in stage, furthest stage reached and the stage it was lost from.

A move is a plain step: the deal is at the new stage since the move, it has reached that stage
if it is on the funnel's path, and a move to *lost* says where it was lost from. An undo or a
revert (a move with ``undoes_id``) takes one move back: the deal returns to exactly the state it
had before that move, its date in stage included, as if the move had never been made. Undoing an
undo makes the undone move count again. So a correction never skews a figure: a deal moved to
lost by mistake and brought back is not lost from anywhere, has not reached anything new, and
has been in its stage since it first got there.

The services keep the result on the deal (``stage``, ``stage_changed_at``, ``reached``,
``lost_from``) as they move it, computed here; the tests hold those columns to a replay of the
history written out on its own (``tests/summaries/test_corrections.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ir_pipeline.stages import FUNNEL_RANK as _RANK
from ir_pipeline.stages import Stage


@dataclass(frozen=True, slots=True)
class Move:
    """One row of the stage history, as the replay needs it."""

    id: int
    from_stage: Stage | None
    to_stage: Stage
    changed_at: datetime
    undoes_id: int | None = None
    #: What an imported deal's opening says it had done before (see ``StageChange``).
    opened_reached: Stage | None = None
    opened_lost_from: Stage | None = None


@dataclass(frozen=True, slots=True)
class DealState:
    stage: Stage
    #: Since when the deal is at ``stage``.
    since: datetime
    #: The furthest funnel stage reached (``None``: none, e.g. opened on hold).
    reached: Stage | None
    #: The stage the deal was lost from, when it is lost now.
    lost_from: Stage | None = None


def step(state: DealState | None, move: Move) -> DealState:
    """The state after a plain move (not an undo) from ``state`` (``None``: the deal opening; an
    imported one starts from what it had reached, and where it was lost from, elsewhere)."""
    reached = state.reached if state is not None else move.opened_reached
    if move.to_stage in _RANK and (reached is None or _RANK[move.to_stage] > _RANK[reached]):
        reached = move.to_stage
    lost_from = move.from_stage if move.to_stage is Stage.LOST else None
    if state is None and move.to_stage is Stage.LOST:
        lost_from = move.opened_lost_from
    return DealState(stage=move.to_stage, since=move.changed_at, reached=reached, lost_from=lost_from)


def replay(moves: Iterable[Move]) -> list[DealState]:
    """The state after each move, in the order given (the history's: ``changed_at``, then id).

    An undo whose move is not in the history before it (a history cut short, or rows from
    before undos were marked) counts as a plain move."""
    states: list[DealState] = []
    index: dict[int, int] = {}
    for move in moves:
        undone = index.get(move.undoes_id) if move.undoes_id is not None else None
        if undone is not None and undone > 0:
            state = states[undone - 1]
            if state.stage is not move.to_stage:  # not the history this rule writes: a plain move
                state = step(states[-1], move)
        elif undone == 0:  # the opening itself is never undone; read as a plain move
            state = step(states[-1], move)
        else:
            state = step(states[-1] if states else None, move)
        index[move.id] = len(states)
        states.append(state)
    return states


def before(moves: Sequence[Move], undone_id: int) -> DealState:
    """The state just before the move ``undone_id``: what undoing it returns the deal to
    (``KeyError``: not in ``moves``, or the opening, which is never undone)."""
    states = replay(moves)
    for i, move in enumerate(moves):
        if move.id == undone_id:
            if i == 0:
                raise KeyError(undone_id)
            return states[i - 1]
    raise KeyError(undone_id)
