"""Importing spreadsheets, all or nothing.

A file is read as a stream and written in batches inside one savepoint of the caller's
transaction. Every problem is collected with its line and column; if there is any, or on a dry
run, the savepoint is rolled back and nothing is written. Rows are matched on natural keys
(normalised names, 사업자등록번호, the LOI's deal + date + amount), so importing a file twice
creates nothing the second time.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlmodel import Session

from ir_pipeline import audit
from ir_pipeline.actors import Actor
from ir_pipeline.errors import Invalid
from ir_pipeline.io.columns import KINDS, has_required_columns, map_headers
from ir_pipeline.io.imports.deals import Deals
from ir_pipeline.io.imports.followups import FollowUps
from ir_pipeline.io.imports.fundings import Fundings
from ir_pipeline.io.imports.handler import Handler
from ir_pipeline.io.imports.lois import Lois
from ir_pipeline.io.imports.records import Contacts, Events, Investors, Startups
from ir_pipeline.io.imports.rows import ImportRejected, ImportReport, Problem, Progress, Row
from ir_pipeline.io.readers import open_table
from ir_pipeline.notify import outbox
from ir_pipeline.services.common import start_write

__all__ = ["ImportRejected", "ImportReport", "Problem", "import_file"]

BATCH = 2_000


def import_file(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    path: Path,
    dry_run: bool = False,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Import ``path`` as ``kind`` into the caller's transaction, all or nothing.

    Raises :class:`ImportRejected` (with every problem) when any row is bad; on a dry run
    returns what would happen and writes nothing. ``encoding`` overrides the detected one.
    """
    start_write(session, actor, "import files")
    audit.bind(session, actor, batch_id=uuid.uuid4().hex)
    table = open_table(path, encoding=encoding, is_header=lambda cells: has_required_columns(kind, cells))
    try:
        header_map = map_headers(kind, table.headers)
    except Invalid as error:
        raise Invalid(f"{path.name}, line {table.header_line} (the header row): {error}") from None
    columns = header_map.columns
    report = ImportReport(
        kind=kind,
        file=path.name,
        dry_run=dry_run,
        encoding=table.encoding,
        ignored_columns=header_map.ignored,
    )
    handler = _HANDLERS[kind](session, actor, report)
    handler.default_currency = header_map.currency or handler.default_currency
    savepoint = session.begin_nested()
    try:
        batch: list[Row] = []
        for line, cells in table.rows:
            batch.append(Row(line, cells, columns, table.headers, kind))
            if len(batch) >= BATCH:
                handler.run(batch)
                batch = []
                if progress is not None:
                    progress(report.rows, table.size_bytes)
        if batch:
            handler.run(batch)
        handler.finish()
        if progress is not None:
            progress(report.rows, table.size_bytes)
    except BaseException:
        savepoint.rollback()
        raise
    if report.problems or dry_run:
        savepoint.rollback()
        if report.problems:
            raise ImportRejected(report)
        return report
    handler.before_commit()
    outbox.import_completed(
        session,
        actor=actor.name,
        kind=kind,
        file=path.name,
        counts={"created": report.created, "updated": report.updated, "skipped": report.skipped},
    )
    savepoint.commit()
    report.committed = True
    return report


_HANDLERS: dict[str, type[Handler]] = {
    "events": Events,
    "startups": Startups,
    "investors": Investors,
    "contacts": Contacts,
    "deals": Deals,
    "lois": Lois,
    "fundings": Fundings,
    "followups": FollowUps,
}
assert set(_HANDLERS) == set(KINDS)
