"""Placeholder until the TUI lands (issue 4): shows the funnel totals and quits on q."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from ir_pipeline.actors import Actor
from ir_pipeline.gateway import Backend


class IrpApp(App[None]):
    TITLE = "ir-pipeline"
    BINDINGS: ClassVar = [("q", "quit", "Quit")]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.backend.headline(), id="headline")
        yield Footer()


def make_app(*, engine: object, actor: Actor | None = None) -> IrpApp:
    return IrpApp(Backend(engine, actor))  # type: ignore[arg-type]
