"""Staff's notes are internal unless shared: how a shared one is marked where staff read it.

Notes on a deal or a follow-up are written about a company, not to it ("valuation gap",
"founder unsure"), so a startup reads only those staff shared; what it may read is decided in
:mod:`ir_pipeline.queries.hidden` and :mod:`ir_pipeline.present`, and on PostgreSQL by the
database's column grants (:data:`ir_pipeline.rights.STARTUP_HIDDEN`).
"""

from __future__ import annotations

from ir_pipeline.actors import Actor

#: The marker of a note the startup can read (internal is the default, and unmarked).
SHARED_MARK = "[shared]"


def marked(note: str, shared: bool, reader: Actor) -> str:
    """A note with its marker for staff and managers; a startup reads only shared notes, so
    nothing is marked for it."""
    return f"{SHARED_MARK} {note}" if shared and note and reader.reads_internal else note
