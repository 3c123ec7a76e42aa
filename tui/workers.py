"""Running ``ir_pipeline`` calls off the UI thread and reporting their errors as notifications.

Every database call runs in a thread worker, so the UI never freezes; a domain error (invalid
input, a locked or missing database) becomes a notification, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.screen import Screen

from ir_pipeline.errors import IrpError

if TYPE_CHECKING:
    from tui.app import IrpApp

T = TypeVar("T")


def unexpected(error: BaseException) -> str:
    """One line for an error the core did not foresee (a driver's, a bug): shown where the work
    was asked for, so nothing waits forever for a worker that died. Its text is the driver's
    first line, never a traceback."""
    first = (str(error).strip().splitlines() or [""])[0]
    return f"Something went wrong: {type(error).__name__}: {first}"[:300]


class BackendScreen(Screen[None]):
    """A screen that loads its data in a worker: subclasses define ``fetch`` and ``show``."""

    @property
    def irp(self) -> IrpApp:
        from tui.app import IrpApp

        app = self.app
        assert isinstance(app, IrpApp)
        return app

    def on_screen_resume(self) -> None:
        self.irp.refresh_breadcrumb()
        self.reload()

    def fetch(self) -> object:  # pragma: no cover - abstract
        raise NotImplementedError

    def show(self, data: object) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def reload(self) -> None:
        try:
            data = self.fetch()
        except IrpError as error:
            self.app.call_from_thread(self.notify, str(error), title="Could not load", severity="error")
            return
        except Exception as error:  # a worker must always end, and say why
            self.app.call_from_thread(
                self.notify, unexpected(error), title="Could not load", severity="error"
            )
            return
        self.app.call_from_thread(self.show, data)

    def act(
        self,
        action: Callable[[], T],
        done: Callable[[T], None] | None = None,
        *,
        success: str = "",
        undo: Callable[[T], Callable[[], object]] | None = None,
    ) -> None:
        """Run a change in a worker; on success notify (offering ``undo``, built from the result, as
        the inverse change) and reload; on failure explain."""
        self._act(action, done, success, undo)

    @work(thread=True, exit_on_error=False, group="act")
    def _act(
        self,
        action: Callable[[], T],
        done: Callable[[T], None] | None,
        success: str,
        undo: Callable[[T], Callable[[], object]] | None,
    ) -> None:
        try:
            result = action()
        except IrpError as error:
            self.app.call_from_thread(self.notify, str(error), title="Not saved", severity="error")
            return
        except Exception as error:  # a worker must always end, and say why
            self.app.call_from_thread(self.notify, unexpected(error), title="Not saved", severity="error")
            return
        if undo is not None:
            self.app.call_from_thread(self.irp.offer_undo, success or "Saved", undo(result))
        elif success:
            self.app.call_from_thread(self.notify, success)
        if done is not None:
            self.app.call_from_thread(done, result)
        self.app.call_from_thread(self.reload)
