"""Letters of intent (투자검토 의향서)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.dates import check_day
from ir_pipeline.drafts import LoiDraft
from ir_pipeline.enums import LoiStatus
from ir_pipeline.errors import Invalid, NotFound
from ir_pipeline.fx.service import apply_snapshot
from ir_pipeline.lookup import require_named, resolve_event, resolve_investor, resolve_startup
from ir_pipeline.models import Deal, Investor, LetterOfIntent, Startup
from ir_pipeline.present import loi_view
from ir_pipeline.services.common import free_text, get_or_raise, lock, positive, start_write
from ir_pipeline.services.deals import find_or_open_deal, move_stage
from ir_pipeline.stages import Stage
from ir_pipeline.views import LoiView


def validate_loi(draft: LoiDraft) -> None:
    """The rules of an LOI's figures and dates, shared by the form, the CLI and the importer."""
    positive(draft.amount)
    check_day(draft.received_on, field="received_on")
    if draft.valid_until is not None:
        check_day(draft.valid_until, field="valid_until")
    if draft.amount_max is not None:
        positive(draft.amount_max, field="amount_max")
    if draft.amount_max is not None:
        if draft.amount_max.currency != draft.amount.currency:
            raise Invalid(
                f"the upper amount is in {draft.amount_max.currency} but the amount is in "
                f"{draft.amount.currency}: a range uses one currency",
                field="amount_max",
            )
        if draft.amount_max.amount < draft.amount.amount:
            raise Invalid(
                f"the upper amount {draft.amount_max} is below the amount {draft.amount}", field="amount_max"
            )
    if draft.valid_until is not None and draft.valid_until < draft.received_on:
        raise Invalid(
            f"the LOI is valid until {draft.valid_until}, before it was received ({draft.received_on})",
            field="valid_until",
        )


def _write(loi: LetterOfIntent, draft: LoiDraft) -> None:
    loi.amount_minor = draft.amount.minor
    loi.amount_max_minor = None if draft.amount_max is None else draft.amount_max.minor
    loi.currency = draft.amount.currency
    loi.instrument = draft.instrument
    loi.received_on = draft.received_on
    loi.valid_until = draft.valid_until
    loi.conditions = free_text(draft.conditions, field="conditions", what="the conditions")


def _names(session: Session, deal: Deal) -> tuple[str, str]:
    startup = get_or_raise(session, Startup, deal.startup_id, "startup")
    investor = get_or_raise(session, Investor, deal.investor_id, "investor")
    return startup.name, investor.name


def check_takes_loi(deal_id: int, stage: Stage, status: LoiStatus = LoiStatus.RECEIVED) -> None:
    """A funded or lost deal takes no new standing LOI; one recorded as converted, withdrawn or
    expired is part of its history (an import of the deal's LOIs, as another database had them)."""
    if stage.is_terminal and status is LoiStatus.RECEIVED:
        raise Invalid(f"deal #{deal_id} is {stage.label}: it takes no new LOIs")


def add_loi(
    session: Session, *, actor: Actor, deal_id: int, draft: LoiDraft, at: datetime | None = None
) -> LoiView:
    """Record an LOI; a deal still at sourced or pitched moves to ``loi`` with it."""
    start_write(session, actor, "record LOIs")
    deal = lock(session, Deal, deal_id, "deal")
    check_takes_loi(deal_id, deal.stage)
    validate_loi(draft)
    moment = at or utcnow()
    loi = LetterOfIntent(
        deal_id=deal_id,
        amount_minor=0,
        currency=draft.amount.currency,
        instrument=draft.instrument,
        received_on=draft.received_on,
        created_at=moment,
        updated_at=moment,
    )
    _write(loi, draft)
    apply_snapshot(session, loi, retake=True)
    session.add(loi)
    session.flush()
    if deal.stage in (Stage.SOURCED, Stage.PITCHED):
        move_stage(session, actor=actor, deal_id=deal_id, to=Stage.LOI, reason="LOI received", at=moment)
    return loi_view(loi, *_names(session, deal))


def add_loi_by_names(
    session: Session,
    *,
    actor: Actor,
    startup: str,
    investor: str,
    draft: LoiDraft,
    event: str | None = None,
    create: bool = False,
) -> LoiView:
    """Record an LOI for a startup and an investor named as people type them, opening their deal
    when there is none yet: the quick path from an e-mailed LOI to the pipeline.

    A name that matches nothing is refused (with the closest names), unless ``create`` says to
    record it as a new startup or investor, in the same transaction; a name that matches several
    is refused either way, since a new record beside them would only add to the confusion."""
    start_write(session, actor, "record LOIs")
    require_named(startup=startup, investor=investor)
    event_row = resolve_event(session, event, actor=actor) if event else None
    startup_id = _named(session, actor, startup, "startup", create)
    investor_id = _named(session, actor, investor, "investor", create)
    deal = find_or_open_deal(
        session,
        actor=actor,
        startup_id=startup_id,
        investor_id=investor_id,
        event_id=event_row.id if event_row else None,
    )
    assert deal.id is not None
    return add_loi(session, actor=actor, deal_id=deal.id, draft=draft)


def _named(session: Session, actor: Actor, text: str, what: str, create: bool) -> int:
    """The startup or investor ``text`` names (``lookup``'s rule), or a new one when ``create``."""
    from ir_pipeline.drafts import InvestorDraft, StartupDraft
    from ir_pipeline.services import records

    resolve = resolve_startup if what == "startup" else resolve_investor
    try:
        found = resolve(session, text, actor=actor)
    except NotFound as error:
        if not create:
            raise NotFound(f"{error} (or record it as a new {what})", field=what) from None
        if what == "startup":
            return records.create_startup(session, actor=actor, draft=StartupDraft(name=text)).id
        return records.create_investor(session, actor=actor, draft=InvestorDraft(name=text)).id
    assert found.id is not None
    return found.id


def update_loi(
    session: Session, *, actor: Actor, loi_id: int, draft: LoiDraft, expected_version: int | None = None
) -> LoiView:
    """Correct an LOI's terms (the amount a person typed wrong, a new validity date, ...).

    ``expected_version`` is the version the form or command started from: if someone saved the
    LOI since, this edit is refused rather than silently overwriting theirs.
    """
    start_write(session, actor, "edit LOIs")
    loi = lock(session, LetterOfIntent, loi_id, "LOI", expected_version=expected_version)
    validate_loi(draft)
    was = (loi.currency, loi.received_on)
    _write(loi, draft)
    apply_snapshot(session, loi, retake=(loi.currency, loi.received_on) != was)
    loi.updated_at = utcnow()
    session.flush()
    deal = get_or_raise(session, Deal, loi.deal_id, "deal")
    return loi_view(loi, *_names(session, deal))


def set_loi_status(
    session: Session, *, actor: Actor, loi_id: int, status: LoiStatus, expected_version: int | None = None
) -> LoiView:
    """Mark an LOI withdrawn, expired or converted (or received again)."""
    start_write(session, actor, "change LOI status")
    loi = lock(session, LetterOfIntent, loi_id, "LOI", expected_version=expected_version)
    loi.status = status
    loi.updated_at = utcnow()
    session.flush()
    deal = get_or_raise(session, Deal, loi.deal_id, "deal")
    return loi_view(loi, *_names(session, deal))
