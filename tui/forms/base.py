"""Modal forms: validate as you type, save in a worker, stay open with the error if saving fails.

A form is ``FormScreen[Draft, Result]``: it builds a typed draft from its fields, hands it to the
``save`` function it was given (a service call through the backend), and dismisses with the
service's result. On any error the form stays open with everything typed still there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ir_pipeline.errors import EditConflict, Invalid, IrpError
from tui.format import plain
from tui.workers import unexpected

D = TypeVar("D")
R = TypeVar("R")


class FormScreen(ModalScreen[R | None], Generic[D, R]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]
    TITLE = "Form"
    #: What the primary button does, in words ("Save", "Import", "Export").
    SAVE_LABEL = "Save"

    def __init__(self, save: Callable[[D], R], *, title: str | None = None) -> None:
        super().__init__()
        self._save = save
        self._title = title or self.TITLE
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label(self._title, classes="form-title")
            with VerticalScroll(classes="form-body"):
                yield from self.fields()
            yield Static("", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(f"{self.SAVE_LABEL}  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.focus_first()

    def focus_first(self) -> None:
        """Where typing starts: the first field, unless a form knows better."""
        self.query("Input, Select").first().focus()

    def fields(self) -> ComposeResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def build(self) -> D:  # pragma: no cover - abstract
        """Read the fields into a draft, or raise :class:`Invalid`."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(plain(message))
        error.set_class(bool(message), "-visible")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.saving:
            return
        try:
            draft = self.build()
        except Invalid as error:
            self.show_error(str(error))
            return
        self.show_error("")
        self.saving = True
        self._run_save(draft)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def _run_save(self, draft: D) -> None:
        try:
            result = self._save(draft)
        except EditConflict as error:
            self.app.call_from_thread(self._failed, f"{error}{self.conflict_hint()}")
            return
        except IrpError as error:
            self.app.call_from_thread(self._refused, error)
            return
        except Exception as error:  # the form must never wait forever for a worker that died
            self.app.call_from_thread(self._failed, unexpected(error))
            return
        self.app.call_from_thread(self.saved, result)

    def saved(self, result: R) -> None:
        """After a successful save: close with the result (a form may stay open instead)."""
        self.dismiss(result)

    def conflict_hint(self) -> str:
        """What the form offers when someone else saved first (forms that can reload say so)."""
        return ""

    def _refused(self, error: IrpError) -> None:
        self._failed(str(error))
        self.refused(error)

    def refused(self, error: IrpError) -> None:
        """After the core refused the save (the message is shown): a form may point somewhere."""

    def _failed(self, message: str) -> None:
        self.saving = False
        self.show_error(message)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
