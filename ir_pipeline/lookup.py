"""Finding records by what people type: an id, a 사업자등록번호, or a name in any spelling.

An exact normalised name wins; otherwise a unique partial match is accepted; several matches are
an :class:`Ambiguous` error listing them, and none is :class:`NotFound` with the closest names.
Every search, candidate list and "did you mean" covers only what the actor may see, so a startup
user can never learn another company's name by typing one letter.
"""

from __future__ import annotations

import difflib
import re
from typing import TypeVar, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ir_pipeline.actors import Actor
from ir_pipeline.errors import Ambiguous, Invalid, NotFound
from ir_pipeline.models import Event, Investor, Startup
from ir_pipeline.naming import name_key
from ir_pipeline.queries.scope import visible_events, visible_investors, visible_startups
from ir_pipeline.text import like_pattern

Named = TypeVar("Named", Startup, Investor)
_CANDIDATES = 8


_DEAL_NUMBER = re.compile(r"^\s*(?:deal\s*)?#?\s*(\d{1,18})\s*$", re.IGNORECASE)


def deal_number(text: str) -> int | None:
    """The deal a typed reference names, as the CLI and README write them: ``17``, ``#17``,
    ``deal 17``, ``Deal #17`` (``None``: not a deal number)."""
    found = _DEAL_NUMBER.match(text)
    return int(found.group(1)) if found else None


def _by_id(text: str) -> int | None:
    m = re.fullmatch(r"#?(\d{1,9})", text.strip())
    return int(m.group(1)) if m else None


def _visible(model: type[Named], actor: Actor) -> SelectOfScalar[Named]:
    query = select(model)
    scoped = visible_startups(query, actor) if model is Startup else visible_investors(query, actor)
    return cast("SelectOfScalar[Named]", scoped)


def _resolve(session: Session, model: type[Named], text: str, what: str, actor: Actor) -> Named:
    key = name_key(text)
    exact = session.exec(_visible(model, actor).where(model.name_key == key)).first()
    if exact is not None:
        return exact
    ident = _by_id(text)
    if ident is not None:
        found = session.exec(_visible(model, actor).where(model.id == ident)).first()
        if found is not None:
            return found
    partial = session.exec(
        _visible(model, actor)
        .where(col(model.name_key).like(like_pattern(key), escape="\\"))
        .order_by(col(model.name))
        .limit(_CANDIDATES + 1)
    ).all()
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = ", ".join(p.name for p in partial[:_CANDIDATES])
        more = " …" if len(partial) > _CANDIDATES else ""
        raise Ambiguous(f"{what} {text!r} matches several: {names}{more}")
    raise NotFound(f"no {what} named {text!r}{_suggest(session, model, key, actor)}")


def _suggest(session: Session, model: type[Named], key: str, actor: Actor) -> str:
    # Narrow in SQL on the first characters, then rank the few candidates in Python.
    prefix = key[:2]
    if not prefix:
        return ""
    rows = session.exec(
        _visible(model, actor).where(col(model.name_key).like(like_pattern(prefix), escape="\\")).limit(200)
    ).all()
    keys = {r.name_key: r.name for r in rows}
    close = difflib.get_close_matches(key, list(keys), n=3, cutoff=0.5)
    return f"; did you mean {', '.join(keys[c] for c in close)}?" if close else ""


def require_named(**names: str | None) -> None:
    """Both records must be named (an empty name is none): ``require_named(startup=…, investor=…)``."""
    missing = [what for what, text in names.items() if not (text or "").strip()]
    if missing:
        raise Invalid("name both the " + " and the ".join(names), field=missing[0])


def resolve_startup(session: Session, text: str, *, actor: Actor) -> Startup:
    from ir_pipeline.naming import normalise_business_no

    if re.fullmatch(r"\d{3}-?\d{2}-?\d{5}", text.strip()):
        found = session.exec(
            _visible(Startup, actor).where(Startup.business_no == normalise_business_no(text))
        ).first()
        if found is not None:
            return found
    return _resolve(session, Startup, text, "startup", actor)


def resolve_investor(session: Session, text: str, *, actor: Actor) -> Investor:
    return _resolve(session, Investor, text, "investor", actor)


def resolve_event(session: Session, text: str, *, actor: Actor) -> Event:
    cleaned = text.strip()
    events = cast("SelectOfScalar[Event]", visible_events(select(Event), actor))
    exact = session.exec(events.where(sa.func.lower(Event.name) == cleaned.lower())).first()
    if exact is not None:
        return exact
    ident = _by_id(cleaned)
    if ident is not None and (found := session.exec(events.where(Event.id == ident)).first()) is not None:
        return found
    partial = session.exec(
        events.where(sa.func.lower(Event.name).like(like_pattern(cleaned.lower()), escape="\\")).limit(
            _CANDIDATES + 1
        )
    ).all()
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise Ambiguous(f"event {text!r} matches several: {', '.join(e.name for e in partial[:_CANDIDATES])}")
    raise NotFound(f"no event named {text!r}")
