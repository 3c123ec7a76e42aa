"""Opening the pipeline's forms with the service call that saves them, for any screen.

One place per action, so the pipeline, the deal screen, the startup view and the command palette
all record an LOI or move a stage the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App

from ir_pipeline.drafts import FollowUpDraft, LoiDraft
from ir_pipeline.gateway import Backend
from ir_pipeline.queries.lois import get_loi
from ir_pipeline.services import deals, followups, lois
from ir_pipeline.stages import Stage
from ir_pipeline.text import plural
from ir_pipeline.views import FollowUpView, LoiView, StageChangeView
from tui.forms.pipeline import (
    FollowUpForm,
    LoiForm,
    MoveStageForm,
    NewLoiForm,
    PairedLoiDraft,
    ReasonForm,
    StageMove,
)
from tui.workers import BackendScreen

if TYPE_CHECKING:
    from ir_pipeline.io.importer import ImportReport
    from tui.app import IrpApp
    from tui.forms.transfer import ImportForm, ImportRequest


def after_save(
    screen: BackendScreen, message: str, undo: Callable[[Any], Callable[[], object]] | None = None
) -> Callable[[Any], None]:
    """What a form's save leads to: say so (offering ``undo``, built from the result), reload."""

    def done(result: object) -> None:
        if result is not None:
            if undo is not None:
                screen.irp.offer_undo(message, undo(result))
            else:
                screen.notify(message)
            screen.reload()

    return done


def reopen_undo(b: Backend, before: FollowUpView | None) -> Callable[[FollowUpView], Callable[[], object]]:
    """The undo of completing or cancelling a follow-up: the same follow-up open again, its note
    exactly as it was ``before`` (the reopening is in the trail, not in the note)."""
    note = before.note if before is not None else None
    return lambda view: (
        lambda: b.write(
            followups.reopen_follow_up,
            actor=b.actor,
            follow_up_id=view.id,
            restore_note=note,
            expected_version=view.version,
        )
    )


def open_loi_form(screen: BackendScreen, deal_id: int, title: str, initial: LoiView | None = None) -> None:
    """New LOI, or an edit that names the version it was opened at (a stale save is refused)."""
    b = screen.irp.backend

    def save(draft: LoiDraft) -> LoiView:
        if initial is None:
            return b.write(lois.add_loi, actor=b.actor, deal_id=deal_id, draft=draft)
        return b.write(
            lois.update_loi, actor=b.actor, loi_id=initial.id, draft=draft, expected_version=form.version
        )

    def reload() -> LoiView:
        assert initial is not None
        return b.read(get_loi, actor=b.actor, loi_id=initial.id)

    form = LoiForm(save, title=title, initial=initial, reload=reload if initial is not None else None)
    screen.app.push_screen(form, after_save(screen, "LOI saved"))


def open_move_form(
    screen: BackendScreen, deal_id: int, current: Stage, *, version: int | None = None
) -> None:
    """Move a deal; with ``version`` (the deal as shown) a move someone else beat is refused."""
    b = screen.irp.backend

    def save(move: StageMove) -> StageChangeView:
        return b.write(
            deals.move_stage,
            actor=b.actor,
            deal_id=deal_id,
            to=move.to,
            reason=move.reason,
            expected_version=version,
            cancel_follow_ups=move.cancel_follow_ups,
        )

    def undo(change: StageChangeView) -> Callable[[], object]:
        # the service also reopens the follow-ups a move to lost cancelled
        reason = f"undo of the move to {change.to_stage.label}"
        return lambda: b.write(deals.revert_stage, actor=b.actor, deal_id=deal_id, reason=reason)

    screen.app.push_screen(MoveStageForm(save, current=current), after_save(screen, "Stage moved", undo=undo))


def open_reopen_form(screen: BackendScreen, deal_id: int) -> None:
    """A lost deal back to the stage it was lost from, with a reason."""
    b = screen.irp.backend

    def save(reason: str) -> StageChangeView:
        return b.write(deals.revert_stage, actor=b.actor, deal_id=deal_id, reason=reason)

    screen.app.push_screen(ReasonForm(save), after_save(screen, "Deal reopened"))


def open_follow_up_form(screen: BackendScreen, deal_id: int) -> None:
    b = screen.irp.backend

    def save(draft: FollowUpDraft) -> FollowUpView:
        return b.write(followups.add_follow_up, actor=b.actor, deal_id=deal_id, draft=draft)

    screen.app.push_screen(
        FollowUpForm(save, owner=b.actor.name),
        after_save(screen, "Follow-up added"),
    )


def open_new_loi_form(app: App[Any], backend: Backend, *, startup: str = "") -> None:
    """An LOI for a startup and an investor named in the form; the deal is found or opened."""

    def save(draft: PairedLoiDraft) -> LoiView:
        return backend.write(
            lois.add_loi_by_names,
            actor=backend.actor,
            startup=draft.startup,
            investor=draft.investor,
            draft=draft.loi,
            create=draft.create,
        )

    def done(result: LoiView | None) -> None:
        if result is None:
            return
        app.notify(f"LOI saved: {result.startup} × {result.investor}")
        reload = getattr(app.screen, "reload", None)
        if callable(reload):
            reload()

    app.push_screen(NewLoiForm(save, startup=startup), done)


def open_import_form(app: IrpApp) -> None:
    """Import a spreadsheet (the palette, the first-run panel): all or nothing, dry run first."""
    from tui.forms.transfer import ImportForm

    def save(request: ImportRequest) -> ImportReport:
        return _run_import(app, form, request)

    form = ImportForm(save)

    def done(report: ImportReport | None) -> None:
        if report is None:
            return
        what = "would create" if report.dry_run else "created"
        app.notify(
            f"{report.file}: {plural(report.rows, 'row')}; {what} {report.created}, "
            f"updated {report.updated}, "
            f"skipped {report.skipped}" + (" (dry run: nothing written)" if report.dry_run else ""),
            timeout=8,
        )
        reload = getattr(app.screen, "reload", None)
        if callable(reload):
            reload()

    app.push_screen(form, done)


def _run_import(app: IrpApp, form: ImportForm, request: ImportRequest) -> ImportReport:
    """Runs in the form's worker thread; reports progress back to the UI thread."""
    from ir_pipeline.errors import Invalid
    from ir_pipeline.io.importer import ImportRejected, import_file
    from tui.forms.transfer import describe_rejection

    b = app.backend
    app.call_from_thread(form.started)
    try:
        return b.write(
            import_file,
            actor=b.actor,
            kind=request.kind,
            path=request.path,
            dry_run=request.dry_run,
            progress=lambda rows, _size: app.call_from_thread(form.progressed, rows),
        )
    except ImportRejected as rejected:
        raise Invalid(describe_rejection(rejected)) from None


def open_startup_form(app: App[Any], backend: Backend) -> None:
    """A new startup (the first-run panel; the Records screen edits them)."""
    from ir_pipeline.drafts import StartupDraft
    from ir_pipeline.services import records
    from ir_pipeline.views import StartupView
    from tui.forms.records import StartupForm

    def save(draft: StartupDraft) -> StartupView:
        return backend.write(records.create_startup, actor=backend.actor, draft=draft)

    def done(result: StartupView | None) -> None:
        if result is not None:
            app.notify(f"Startup added: {result.name} · l records an LOI for it")
            reload = getattr(app.screen, "reload", None)
            if callable(reload):
                reload()

    app.push_screen(StartupForm(save), done)
