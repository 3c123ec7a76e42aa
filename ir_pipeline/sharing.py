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
#: Per table, note column → the part of it a startup may read, which the database computes from
#: the note and its flag (``models.pipeline.shared_text``). A hidden column without one (a move's
#: reason, a pitch's notes) is never read by a startup at all.
SHARED_PART: dict[str, dict[str, str]] = {
    "deal": {"notes": "shared_notes"},
    "follow_up": {"note": "shared_note"},
}


def readable_column(reader: Actor, table: str, column: str) -> str | None:
    """Which column of ``table`` ``reader`` reads for the note column ``column``: the note
    itself for staff and managers, its shared part for a startup (``None``: nothing)."""
    return column if reader.reads_internal else SHARED_PART.get(table, {}).get(column)


def readable(reader: Actor, row: object, column: str) -> str:
    """A note of a loaded row as ``reader`` may read it (see :func:`readable_column`)."""
    name = readable_column(reader, str(getattr(row, "__tablename__", "")), column)
    return (getattr(row, name) or "") if name else ""


def marked(note: str, shared: bool, reader: Actor) -> str:
    """A note with its marker for staff and managers; a startup reads only shared notes, so
    nothing is marked for it."""
    return f"{SHARED_MARK} {note}" if shared and note and reader.reads_internal else note
