"""Code that runs in separate processes for the concurrency tests (importable under spawn)."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from ir_pipeline.actors import Actor
from ir_pipeline.db import make_engine
from ir_pipeline.drafts import LoiDraft
from ir_pipeline.enums import Role
from ir_pipeline.errors import EditConflict, IrpError
from ir_pipeline.gateway import Backend
from ir_pipeline.money import Money
from ir_pipeline.queries.deals import get_deal_row
from ir_pipeline.queries.lois import get_loi
from ir_pipeline.services import deals, followups, lois
from ir_pipeline.stages import Stage


@dataclass
class Outcome:
    applied: list[str] = field(default_factory=list)
    conflicts: int = 0
    failures: list[str] = field(default_factory=list)


def _draft(view: object, amount: Money, conditions: str) -> LoiDraft:
    from ir_pipeline.views import LoiView

    assert isinstance(view, LoiView)
    return LoiDraft(
        amount=amount,
        amount_max=view.amount_max,
        instrument=view.instrument,
        received_on=view.received_on,
        valid_until=view.valid_until,
        conditions=conditions,
    )


def run(url: str, pattern: str, target: int, count: int, token: str) -> Outcome:
    """``count`` updates of one kind on one record; every outcome is counted, nothing swallowed."""
    engine = make_engine(url)
    # on PostgreSQL the actor is the login (the database names it in the trail and the outbox)
    name = engine.url.username if engine.dialect.name == "postgresql" else token
    backend = Backend(engine, Actor(name=str(name), role=Role.STAFF))
    out = Outcome()
    try:
        for i in range(count):
            mark = f"{token}-{i}"
            try:
                if pattern == "note":  # a service that reads then writes, in one transaction
                    backend.write(
                        followups.annotate_follow_up, actor=backend.actor, follow_up_id=target, note=mark
                    )
                elif pattern == "amount":  # read the LOI and add one, in one transaction

                    def bump(session: object) -> None:
                        view = get_loi(session, actor=backend.actor, loi_id=target)  # type: ignore[arg-type]
                        one = Money.from_minor(view.amount.minor + 1, view.amount.currency)
                        lois.update_loi(
                            session,  # type: ignore[arg-type]
                            actor=backend.actor,
                            loi_id=target,
                            draft=_draft(view, one, view.conditions),
                            expected_version=view.version,
                        )

                    backend.write(bump)
                elif pattern == "form":  # the TUI: read the view, later save the draft it became
                    view = backend.read(get_loi, actor=backend.actor, loi_id=target)
                    one = Money.from_minor(view.amount.minor + 1, view.amount.currency)
                    backend.write(
                        lois.update_loi,
                        actor=backend.actor,
                        loi_id=target,
                        draft=_draft(view, one, f"{view.conditions}|{mark}"),
                        expected_version=view.version,
                    )
                elif pattern == "stage":  # toggle loi ↔ diligence from the view
                    row = backend.read(get_deal_row, actor=backend.actor, deal_id=target)
                    to = Stage.DILIGENCE if row.stage is Stage.LOI else Stage.LOI
                    backend.write(
                        deals.move_stage,
                        actor=backend.actor,
                        deal_id=target,
                        to=to,
                        reason=mark,
                        expected_version=row.version,
                    )
                else:  # pragma: no cover
                    raise ValueError(pattern)
                out.applied.append(mark)
            except EditConflict:
                out.conflicts += 1
            except IrpError as error:
                out.failures.append(f"{type(error).__name__}: {error}")
            except Exception:
                out.failures.append(traceback.format_exc())
    finally:
        engine.dispose()
    return out
