"""Import and export from the TUI: the same ``ir_pipeline.io`` code as ``irp import/export``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Checkbox, ProgressBar, Select, Static

from ir_pipeline.errors import Invalid
from ir_pipeline.io.columns import KINDS
from ir_pipeline.io.export import EXPORT_KINDS, FORMATS
from ir_pipeline.io.importer import ImportRejected, ImportReport
from ir_pipeline.text import plural
from tui.format import plain
from tui.forms.base import FormScreen
from tui.widgets.fields import ChoiceField, TextField


@dataclass(frozen=True, slots=True)
class ImportRequest:
    kind: str
    path: Path
    dry_run: bool


class ImportForm(FormScreen[ImportRequest, ImportReport]):
    """Pick a kind and a file; a dry run shows what would change without writing."""

    TITLE = "Import a spreadsheet"
    SAVE_LABEL = "Check (dry run)"

    def fields(self) -> ComposeResult:
        yield ChoiceField("Import", [(k, k) for k in KINDS], value="lois", id="kind")
        yield TextField("File (.csv or .xlsx)", placeholder="~/Downloads/lois.csv", id="path")
        yield Checkbox("Dry run: check only, write nothing", value=True, id="dry-run")
        yield ProgressBar(total=None, show_eta=False, id="import-progress")
        yield Static("", id="import-rows", classes="form-help")

    def on_mount(self) -> None:
        self.query_one("#import-progress", ProgressBar).display = False

    def build(self) -> ImportRequest:
        path = Path(self.query_one("#path", TextField).read()).expanduser()
        if not path.is_file():
            raise Invalid(f"no such file: {path}", field="path")
        return ImportRequest(
            kind=self.query_one("#kind", ChoiceField).value,
            path=path,
            dry_run=self.query_one("#dry-run", Checkbox).value,
        )

    def started(self) -> None:
        self.query_one("#import-progress", ProgressBar).display = True

    def progressed(self, rows: int) -> None:
        """Called from the import's thread through ``call_from_thread``."""
        self.query_one("#import-rows", Static).update(f"{plural(rows, 'row')} read")

    def _failed(self, message: str) -> None:
        super()._failed(message)
        self.query_one("#import-progress", ProgressBar).display = False

    @on(Checkbox.Changed, "#dry-run")
    def _relabel(self, event: Checkbox.Changed) -> None:
        self.query_one(
            "#save", Button
        ).label = f"{'Check (dry run)' if event.value else 'Import now'}  ctrl+s"

    def saved(self, result: ImportReport) -> None:
        """A dry run keeps the form, with the file and what it would do, and offers the import."""
        if not result.dry_run:
            self.dismiss(result)
            return
        self.saving = False
        self.query_one("#import-progress", ProgressBar).display = False
        self.query_one("#import-rows", Static).update(
            plain(
                f"Checked {result.file}: {plural(result.rows, 'row')}; would create {result.created}, "
                f"update {result.updated}, skip {result.skipped}. Nothing was written: "
                "press Import now to write it."
            )
        )
        self.query_one("#dry-run", Checkbox).value = False  # relabels the button "Import now"
        self.query_one("#save", Button).focus()


def describe_rejection(error: ImportRejected, limit: int = 8) -> str:
    lines = [str(error)] + [f"  {p}" for p in error.report.problems[:limit]]
    if error.report.problem_count > limit:
        lines.append(f"  … {error.report.problem_count - limit} more (irp import shows them all)")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ExportRequest:
    kind: str
    fmt: str
    path: Path


@dataclass(frozen=True, slots=True)
class ExportDone:
    rows: int
    path: Path


class ExportForm(FormScreen[ExportRequest, ExportDone]):
    TITLE = "Export"
    SAVE_LABEL = "Export"

    def __init__(self, save: Callable[[ExportRequest], ExportDone]) -> None:
        super().__init__(save)
        self._suggested = "~/lois.xlsx"

    def fields(self) -> ComposeResult:
        yield ChoiceField("Export", [(k, k) for k in EXPORT_KINDS], value="lois", id="kind")
        yield ChoiceField("Format", [(f, f) for f in FORMATS], value="xlsx", id="format")
        yield TextField("Save as", value=self._suggested, id="path")

    def on_select_changed(self, event: Select.Changed) -> None:
        """The file name follows the kind and the format: a name still as suggested becomes the
        new suggestion; one the user typed keeps its name and takes the format's ending, in view."""
        kind = self.query_one("#kind", ChoiceField).value
        fmt = self.query_one("#format", ChoiceField).value
        field = self.query_one("#path", TextField)
        typed = field.text
        suggestion = f"~/{kind}.{fmt}"
        if not typed or typed == self._suggested:
            field.input.value = suggestion
        elif Path(typed).suffix.lower() != f".{fmt}":
            field.input.value = str(Path(typed).with_suffix(f".{fmt}"))
        self._suggested = suggestion

    def build(self) -> ExportRequest:
        fmt = self.query_one("#format", ChoiceField).value
        path = Path(self.query_one("#path", TextField).read()).expanduser()
        if path.suffix.lower() != f".{fmt}":
            raise Invalid(
                f"the file name ends in {path.suffix or 'nothing'}, not .{fmt}: change one", field="path"
            )
        if not path.parent.is_dir():
            raise Invalid(f"no such folder: {path.parent}", field="path")
        return ExportRequest(kind=self.query_one("#kind", ChoiceField).value, fmt=fmt, path=path)
