"""What a session does around its flushes and commits, wired once where the engine is built.

Three parts of the core watch every write: the audit trail (:mod:`ir_pipeline.audit`), the
notices (:mod:`ir_pipeline.notify.outbox`) and the funnel's running totals
(:mod:`ir_pipeline.summaries.tracking`). :func:`install` is called by
:func:`ir_pipeline.db.make_engine`, so no module registers a listener by being imported, and the
listeners run in one fixed order: the trail, then the notices, then the totals.

The hooks load those modules on the first flush, not before: a read (``irp funnel --json``, the
TUI's first page) never flushes, so it never loads the write machinery. The commit and
end-of-transaction hooks only have work when a flush has left some, which needs the totals'
module loaded; until it is, they return at once.
"""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

_TRACKING = "ir_pipeline.summaries.tracking"


def install() -> None:
    """Register the hooks on every ORM session (once per process; a second call does nothing)."""
    if event.contains(OrmSession, "after_flush", _after_flush):
        return
    event.listen(OrmSession, "before_flush", _before_flush)
    event.listen(OrmSession, "after_flush", _after_flush)
    event.listen(OrmSession, "before_commit", _before_commit)
    event.listen(OrmSession, "after_transaction_end", _transaction_end)


def _before_flush(session: OrmSession, flush: Any, instances: Any) -> None:
    from ir_pipeline.summaries import tracking

    tracking.before_flush(session)


def _after_flush(session: OrmSession, flush: Any) -> None:
    from ir_pipeline import audit
    from ir_pipeline.notify import outbox
    from ir_pipeline.summaries import tracking

    audit.write_trail(session)
    outbox.write_notices(session)
    tracking.after_flush(session)


def _before_commit(session: OrmSession) -> None:
    tracking = sys.modules.get(_TRACKING)
    if tracking is not None:  # nothing was ever flushed in this process otherwise
        tracking.before_commit(session)


def _transaction_end(session: OrmSession, transaction: Any) -> None:
    tracking = sys.modules.get(_TRACKING)
    if tracking is not None:
        tracking.forget(session, transaction)
