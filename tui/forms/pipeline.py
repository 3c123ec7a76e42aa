"""Forms for the pipeline: LOIs, follow-ups, fundings, stage moves, notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Checkbox, Static

from ir_pipeline.clock import local_today
from ir_pipeline.drafts import FollowUpDraft, FundingDraft, LoiDraft, NoteDraft
from ir_pipeline.enums import Channel, Instrument, LoiStatus, label
from ir_pipeline.errors import Invalid, IrpError, NotFound
from ir_pipeline.money import Money, format_both
from ir_pipeline.stages import FUNNEL, Stage, allowed_moves
from ir_pipeline.views import FollowUpView, FundingView, LoiView, StageChangeView
from tui.forms.base import FormScreen
from tui.widgets.fields import ChoiceField, DateField, MoneyField, TextField

INSTRUMENTS = [
    ("Common shares (보통주)", Instrument.COMMON),
    ("Preferred (우선주)", Instrument.PREFERRED),
    ("RCPS (상환전환우선주)", Instrument.RCPS),
    ("Convertible note / CB (전환사채)", Instrument.CONVERTIBLE_NOTE),
    ("Bond with warrants (BW)", Instrument.BOND_WITH_WARRANTS),
    ("SAFE", Instrument.SAFE),
    ("Loan (융자)", Instrument.LOAN),
    ("Grant (보조금)", Instrument.GRANT),
    ("Other", Instrument.OTHER),
]


def _required_money(value: Money | None, label: str) -> Money:
    if value is None:
        raise Invalid(f"{label} is required", field=label)
    return value


def loi_fields(initial: LoiView | None) -> ComposeResult:
    """The LOI fields, shared by the form on a deal and the form that names the pair."""
    i = initial
    yield MoneyField(
        "Amount", value="" if i is None else f"{i.amount.amount} {i.amount.currency}", id="amount"
    )
    yield MoneyField(
        "Upper (for a range)",
        value="" if i is None or i.amount_max is None else f"{i.amount_max.amount} {i.amount_max.currency}",
        required=False,
        id="upper",
    )
    yield ChoiceField(
        "Instrument", INSTRUMENTS, value=Instrument.COMMON if i is None else i.instrument, id="instrument"
    )
    yield DateField("Received", value="today" if i is None else i.received_on.isoformat(), id="received")
    yield DateField(
        "Valid until",
        value="" if i is None or i.valid_until is None else i.valid_until.isoformat(),
        required=False,
        id="valid",
    )
    yield TextField("Conditions", value="" if i is None else i.conditions, required=False, id="conditions")


def read_loi(form: Screen[Any]) -> LoiDraft:
    amount = _required_money(form.query_one("#amount", MoneyField).read(), "Amount")
    received = form.query_one("#received", DateField).read()
    assert received is not None
    return LoiDraft(
        amount=amount,
        amount_max=form.query_one("#upper", MoneyField).read(),
        instrument=form.query_one("#instrument", ChoiceField).value,
        received_on=received,
        valid_until=form.query_one("#valid", DateField).read(),
        conditions=form.query_one("#conditions", TextField).text,
    )


class LoiForm(FormScreen[LoiDraft, LoiView]):
    """Record or edit an LOI on a known deal.

    An edit remembers the version it started from; if someone saves the LOI first, the save is
    refused with who changed what, everything typed stays, and ``ctrl+r`` takes the newest
    version as the new base (showing its values) so that ``ctrl+s`` re-applies what was typed.
    """

    TITLE = "LOI"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload", "Reload, keep my values", show=False),
    ]

    def __init__(
        self,
        save: Callable[[LoiDraft], LoiView],
        *,
        title: str,
        initial: LoiView | None = None,
        reload: Callable[[], LoiView] | None = None,
    ) -> None:
        super().__init__(save, title=title)
        self.initial = initial
        self.version = initial.version if initial is not None else None
        self._reload = reload

    def fields(self) -> ComposeResult:
        yield from loi_fields(self.initial)

    def build(self) -> LoiDraft:
        return read_loi(self)

    def conflict_hint(self) -> str:
        return " — ctrl+r: reload their version and keep what you typed" if self._reload else ""

    def action_reload(self) -> None:
        if self._reload is not None and not self.saving:
            self._run_reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="reload")
    def _run_reload(self) -> None:
        assert self._reload is not None
        try:
            newest = self._reload()
        except IrpError as error:
            self.app.call_from_thread(self.show_error, str(error))
            return
        self.app.call_from_thread(self._reloaded, newest)

    def _reloaded(self, newest: LoiView) -> None:
        self.version = newest.version
        theirs = format_both(newest.amount)
        if newest.conditions:
            theirs += f", conditions {newest.conditions!r}"
        self.show_error(
            f"Now based on version {newest.version} (saved: {theirs}). "
            "Your values are kept: ctrl+s applies them, esc leaves theirs."
        )


@dataclass(frozen=True, slots=True)
class PairedLoiDraft:
    """An LOI for a startup and an investor named in the form (the deal is found or opened)."""

    startup: str
    investor: str
    loi: LoiDraft
    #: Record a startup or investor that no name matches as a new one.
    create: bool = False


class NewLoiForm(FormScreen[PairedLoiDraft, LoiView]):
    """Record an LOI from anywhere: name the startup and the investor."""

    TITLE = "New LOI"

    def __init__(
        self, save: Callable[[PairedLoiDraft], LoiView], *, startup: str = "", investor: str = ""
    ) -> None:
        super().__init__(save, title="New LOI")
        self.startup = startup
        self.investor = investor

    def focus_first(self) -> None:
        empty = [f for f in self.query(TextField) if not f.text]
        (empty[0].input if empty else self.query_one("#amount", MoneyField).input).focus()

    def fields(self) -> ComposeResult:
        yield TextField("Startup", value=self.startup, placeholder="name or 사업자등록번호", id="startup")
        yield TextField("Investor", value=self.investor, placeholder="name", id="investor")
        yield Checkbox(CREATE_LABEL, value=False, id="create")
        yield from loi_fields(None)

    def build(self) -> PairedLoiDraft:
        return PairedLoiDraft(
            startup=self.query_one("#startup", TextField).read(),
            investor=self.query_one("#investor", TextField).read(),
            loi=read_loi(self),
            create=self.query_one("#create", Checkbox).value,
        )

    def refused(self, error: IrpError) -> None:
        """A name that matches nothing: the box that records it as new is where to go next."""
        if isinstance(error, NotFound) and error.field in ("startup", "investor"):
            self.query_one("#create", Checkbox).focus()


#: The New LOI form's offer for a name it does not know.
CREATE_LABEL = "New names: create the startup or investor"


CHANNELS = [(label(c), c) for c in Channel]


#: Notes are staff's own unless shared: the box says who will read it.
SHARE_LABEL = "Shared: the startup can read this note"


class FollowUpForm(FormScreen[FollowUpDraft, FollowUpView]):
    TITLE = "New follow-up"

    def __init__(self, save: Callable[[FollowUpDraft], FollowUpView], *, owner: str = "") -> None:
        super().__init__(save)
        self.owner = owner

    def fields(self) -> ComposeResult:
        yield DateField("Due", value=(local_today() + timedelta(days=7)).isoformat(), id="due")
        yield ChoiceField("Channel", CHANNELS, value=Channel.EMAIL, id="channel")
        yield TextField("Owner", value=self.owner, required=False, id="owner")
        yield TextField("Note", required=False, placeholder="what to chase", id="note")
        yield Checkbox(SHARE_LABEL, value=False, id="share-note")

    def build(self) -> FollowUpDraft:
        due = self.query_one("#due", DateField).read()
        assert due is not None
        return FollowUpDraft(
            due_on=due,
            channel=self.query_one("#channel", ChoiceField).value,
            owner=self.query_one("#owner", TextField).text,
            note=self.query_one("#note", TextField).text,
            shared=self.query_one("#share-note", Checkbox).value,
        )


class FundingForm(FormScreen[FundingDraft, FundingView]):
    """Money received; it starts from the deal's standing LOI (its amount and instrument), which
    is what usually arrives, and which the funding converts."""

    TITLE = "Record funding"

    def __init__(
        self, save: Callable[[FundingDraft], FundingView], *, proposed: LoiView | None = None
    ) -> None:
        super().__init__(save)
        self.proposed = proposed

    def fields(self) -> ComposeResult:
        p = self.proposed
        yield MoneyField(
            "Amount received",
            value="" if p is None else f"{p.amount.amount} {p.amount.currency}",
            id="amount",
        )
        yield DateField("Closed on", value="today", id="closed")
        instrument = Instrument.RCPS if p is None else p.instrument
        yield ChoiceField("Instrument", INSTRUMENTS, value=instrument, id="instrument")

    def build(self) -> FundingDraft:
        closed = self.query_one("#closed", DateField).read()
        assert closed is not None
        return FundingDraft(
            amount=_required_money(self.query_one("#amount", MoneyField).read(), "Amount received"),
            closed_on=closed,
            instrument=self.query_one("#instrument", ChoiceField).value,
        )


@dataclass(frozen=True, slots=True)
class StageMove:
    to: Stage
    reason: str
    cancel_follow_ups: bool = True


class MoveStageForm(FormScreen[StageMove, StageChangeView]):
    """Every stage is offered; the ones the rules forbid are marked, and choosing one explains why."""

    TITLE = "Move stage"

    def __init__(self, save: Callable[[StageMove], StageChangeView], *, current: Stage) -> None:
        super().__init__(save, title=f"Move from {current.label}")
        self.current = current

    def fields(self) -> ComposeResult:
        legal = allowed_moves(self.current)
        options = [
            (s.label if s in legal else f"{s.label} (not allowed)", s) for s in Stage if s != self.current
        ]
        forward = (
            [s for s in FUNNEL if s in legal and FUNNEL.index(s) > FUNNEL.index(self.current)]
            if self.current in FUNNEL
            else []
        )
        first = forward[0] if forward else (legal[0] if legal else options[0][1])
        allowed = ", ".join(s.label for s in legal) or "nothing: this stage is final"
        yield Static(f"From {self.current.label} a deal can move to: {allowed}.", classes="form-help")
        yield ChoiceField("To", options, value=first, id="to")
        yield TextField("Reason", required=False, placeholder="required when the deal is lost", id="reason")
        yield Checkbox(
            "If lost or funded, cancel its open follow-ups",
            value=True,
            id="cancel-follow-ups",
        )

    def build(self) -> StageMove:
        to = self.query_one("#to", ChoiceField).value
        reason = self.query_one("#reason", TextField).text
        if to is Stage.LOST and not reason:
            raise Invalid("say why the deal was lost: a reason is required", field="reason")
        return StageMove(
            to=to, reason=reason, cancel_follow_ups=self.query_one("#cancel-follow-ups", Checkbox).value
        )


class LoiStatusForm(FormScreen[LoiStatus, LoiView]):
    """Withdrawn, expired, converted, or received again: the LOI stays, its status changes."""

    TITLE = "LOI status"

    def __init__(self, save: Callable[[LoiStatus], LoiView], *, current: LoiStatus) -> None:
        super().__init__(save, title=f"LOI status (now {label(current)})")
        self.current = current

    def fields(self) -> ComposeResult:
        options = [(label(s), s) for s in LoiStatus if s is not self.current]
        yield ChoiceField("Status", options, value=options[0][1], id="status")

    def build(self) -> LoiStatus:
        return self.query_one("#status", ChoiceField).value  # type: ignore[no-any-return]


class ReasonForm(FormScreen[str, StageChangeView]):
    """Why a lost deal is reopened (the history keeps the answer)."""

    TITLE = "Reopen the deal"

    def fields(self) -> ComposeResult:
        yield Static("The deal goes back to the stage it was lost from.", classes="form-help")
        yield TextField("Reason", id="reason", placeholder="why it is alive again")

    def build(self) -> str:
        return self.query_one("#reason", TextField).read()


class NoteForm(FormScreen[NoteDraft, FollowUpView]):
    TITLE = "Add a note"

    def __init__(self, save: Callable[[NoteDraft], FollowUpView], *, shared: bool) -> None:
        super().__init__(save)
        self.shared = shared

    def fields(self) -> ComposeResult:
        yield TextField("Note", id="note")
        yield Checkbox(SHARE_LABEL, value=self.shared, id="share-note")

    def build(self) -> NoteDraft:
        return NoteDraft(
            self.query_one("#note", TextField).read(), self.query_one("#share-note", Checkbox).value
        )
