"""Form fields that check what you type as you type it, and say what they understood."""

from __future__ import annotations

from datetime import date
from typing import Generic, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from ir_pipeline.clock import local_today
from ir_pipeline.dates import parse_date
from ir_pipeline.errors import Invalid
from ir_pipeline.money import Money, format_both, parse_money
from tui.format import choices, plain

T = TypeVar("T")


class Field(Vertical, Generic[T]):
    """A labelled input with a hint line underneath (what was understood, or why not)."""

    DEFAULT_CLASSES = "field"

    def __init__(
        self,
        label: str,
        *,
        value: str = "",
        placeholder: str = "",
        required: bool = True,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.label = label
        self.initial = value
        self.placeholder = placeholder
        self.required = required

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(self.label, classes="field-label")
            yield Input(value=self.initial, placeholder=self.placeholder, classes="field-input", compact=True)
        yield Static("", classes="field-hint")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def text(self) -> str:
        return self.input.value.strip()

    def on_mount(self) -> None:
        if self.initial:
            self._check()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._check()

    def _check(self) -> None:
        hint = self.query_one(".field-hint", Static)
        try:
            value = self.read()
        except Invalid as error:
            hint.update(plain(str(error)))
            hint.set_class(True, "-error")
            self.input.set_class(True, "-invalid")
            return
        hint.update(plain(self.describe(value)))
        hint.set_class(False, "-error")
        self.input.set_class(False, "-invalid")

    def read(self) -> T:
        """The parsed value, or :class:`Invalid` naming this field."""
        if self.required and not self.text:
            raise Invalid(f"{self.label} is required", field=self.label)
        return self.parse(self.text)

    def parse(self, text: str) -> T:
        return text  # type: ignore[return-value]

    def describe(self, value: T) -> str:
        return ""


class TextField(Field[str]):
    pass


class MoneyField(Field[Money | None]):
    """Takes everything the money parser does (171억 5천만, 1.5억, $45M, 4,500만 달러)."""

    def __init__(self, label: str, *, currency: str = "KRW", **kwargs: object) -> None:
        super().__init__(label, placeholder="e.g. 3억, 1.5억, 171억 5천만, $2M", **kwargs)  # type: ignore[arg-type]
        self.currency = currency

    def parse(self, text: str) -> Money | None:
        if not text:
            return None
        return parse_money(text, default_currency=self.currency)

    def describe(self, value: Money | None) -> str:
        return "" if value is None else f"= {format_both(value)}"


class DateField(Field[date | None]):
    """Takes 2018-09-19, 2018.09.19, 18.9.19, today, +3d, +2w."""

    def __init__(self, label: str, **kwargs: object) -> None:
        kwargs.setdefault("placeholder", "2018.09.19, today, +7d")
        super().__init__(label, **kwargs)  # type: ignore[arg-type]

    def parse(self, text: str) -> date | None:
        if not text:
            return None
        return parse_date(text, today=local_today(), field=self.label)

    def describe(self, value: date | None) -> str:
        return "" if value is None else f"= {value:%Y-%m-%d (%a)}"


class ChoiceField(Vertical, Generic[T]):
    """A labelled select."""

    DEFAULT_CLASSES = "field"

    def __init__(self, label: str, options: list[tuple[str, T]], *, value: T, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.options = options
        self.initial = value

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(self.label, classes="field-label")
            yield Select(choices(self.options), value=self.initial, allow_blank=False, compact=True)

    @property
    def value(self) -> T:
        selected = self.query_one(Select).value
        return selected  # type: ignore[return-value]
