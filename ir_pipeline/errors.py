"""Typed domain errors.

Every message is written for the person at the keyboard: it names the thing that was wrong and,
where there is one, the way out. The CLI prints ``str(error)`` on one line; the TUI shows it in a
notification or next to the field it concerns.
"""

from __future__ import annotations


class IrpError(Exception):
    """Base of every error a user can cause or fix; anything else is a bug."""

    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class Invalid(IrpError):
    """Input that cannot be accepted as it stands (bad amount, date, missing reason, ...)."""


class NotFound(IrpError):
    """A referenced record does not exist (unknown id or name)."""


class Ambiguous(Invalid):
    """A name matches more than one record; the message lists the candidates."""


class Conflict(IrpError):
    """The change would break a uniqueness rule or clash with existing data."""


class EditConflict(Conflict):
    """Someone else changed the record since this edit started from it (a stale version).

    Its own exit code (3) lets scripts tell "re-read and try again" from "your input is wrong".
    """

    exit_code = 3


class IllegalStageMove(IrpError):
    """A stage move that the pipeline rules do not allow."""


class Forbidden(IrpError):
    """The acting user's role does not allow this action or this data."""


class DatabaseUnavailable(IrpError):
    """The database is locked, unreachable or gone."""


class SchemaTooNew(IrpError):
    """The database was migrated by a newer ir-pipeline than this one."""


class RatesUnavailable(IrpError):
    """A rates service could not be reached or gave an answer that cannot be trusted; nothing
    from it was stored."""
