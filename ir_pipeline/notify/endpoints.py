"""Where notices go: adding, listing, disabling and removing endpoints (staff only).

An endpoint is a URL (http or https), the format it speaks, which notices it wants (types such as
``loi.received`` or families such as ``loi.*``; all by default) and, for a startup's own channel,
whose. A Standard Webhooks endpoint gets a signing secret (``whsec_…``) when it is added; it is
returned once, to be given to the receiver, and never shown again. Secrets and extra headers are
stored sealed (:mod:`~ir_pipeline.notify.sealed`); the host must resolve to public addresses only
(:mod:`~ir_pipeline.notify.addresses`), checked here and again before every send.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
from dataclasses import dataclass

import httpx
import sqlalchemy as sa
from sqlmodel import Session, col, select

from ir_pipeline.actors import Actor
from ir_pipeline.clock import utcnow
from ir_pipeline.errors import Invalid, NotFound
from ir_pipeline.models import EndpointFormat, NotifyEndpoint, OutboxEvent, Startup
from ir_pipeline.models.base import SHORT_LENGTH
from ir_pipeline.notify import addresses, sealed
from ir_pipeline.notify.events import ADDRESSED, TYPES
from ir_pipeline.services.common import get_or_raise, start_write
from ir_pipeline.text import one_line


@dataclass(frozen=True, slots=True)
class EndpointView:
    id: int
    name: str
    url: str
    format: EndpointFormat
    events: str
    startup_id: int | None
    active: bool
    disabled_reason: str
    #: The names of the extra headers it is sent (their values are secrets, never shown).
    header_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AddedEndpoint:
    endpoint: EndpointView
    #: The signing secret of a Standard Webhooks endpoint: shown now, never again.
    secret: str | None


def shown_url(url: str) -> str:
    """The URL as people see it: scheme, host and port, the path cut short. A chat tool's
    incoming-webhook URL carries its key in the path, so it is never printed whole."""
    parsed = httpx.URL(url)
    path = parsed.raw_path.decode("ascii", "replace")
    short = path if len(path) <= 12 else path[:8] + "…"
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii', 'replace')}{short}"


def view(row: NotifyEndpoint) -> EndpointView:
    return EndpointView(
        id=row.id or 0,
        name=row.name,
        url=shown_url(row.url),
        format=row.format,
        events=row.events,
        startup_id=row.startup_id,
        active=row.active,
        disabled_reason=row.disabled_reason,
        header_names=tuple(row.header_names.split(",")) if row.header_names else (),
    )


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host, or :class:`Invalid` saying what is wrong."""
    text = url.strip()
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError) as error:
        raise Invalid(f"not a URL: {error}", field="url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise Invalid("the URL must start with http:// or https:// and name a host", field="url")
    if parsed.userinfo:
        raise Invalid(
            "the URL holds a user name or password: give credentials as a header instead"
            " (--header 'Authorization: Basic …'), which is stored sealed and never shown",
            field="url",
        )
    return text


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}")
#: Headers irp writes itself (the signature, the body's type) or that name the connection.
_RESERVED = frozenset(
    {"host", "content-type", "content-length", "transfer-encoding", "connection", "user-agent"}
)


def parse_headers(lines: list[str]) -> dict[str, str]:
    """``["Authorization: Bearer x"]`` → ``{"Authorization": "Bearer x"}``, checked."""
    out: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not _HEADER_NAME.fullmatch(name):
            raise Invalid(f"a header is 'Name: value', not {line[:40]!r}", field="header")
        lowered = name.lower()
        if lowered in _RESERVED or lowered.startswith("webhook-"):
            raise Invalid(f"irp sets the {name} header itself", field="header")
        if not value or any(ord(c) < 32 or ord(c) == 127 for c in value) or len(value) > 2000:
            raise Invalid(
                f"the {name} header needs a value on one line (at most 2,000 characters)", field="header"
            )
        if lowered in {n.lower() for n in out}:
            raise Invalid(f"the {name} header is given twice", field="header")
        out[name] = value
    return out


def sealed_headers(stored: str | None) -> dict[str, str]:
    """An endpoint's extra headers, opened."""
    if not stored:
        return {}
    opened: dict[str, str] = json.loads(sealed.unseal(stored))
    return opened


def parse_events(text: str) -> str:
    """``loi.received, deal.*`` → the same, checked against the known types; empty for all."""
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    families = {t.split(".")[0] for t in TYPES}
    for part in wanted:
        family = part.removesuffix(".*")
        if part not in TYPES and not (part.endswith(".*") and family in families):
            known = ", ".join([*TYPES, *(f"{f}.*" for f in sorted(families))])
            raise Invalid(f"unknown notice type {part!r}; one of: {known}", field="events")
    return ",".join(wanted)


def wants(events: str, startup_id: int | None, notice_type: str, notice_startup: int | None) -> bool:
    """Whether an endpoint with these settings is sent a notice of this type and startup."""
    if notice_type in ADDRESSED:
        return False
    if startup_id is not None and notice_startup != startup_id:
        return False
    if not events:
        return True
    family = notice_type.split(".")[0] + ".*"
    return any(part in (notice_type, family) for part in events.split(","))


def add_endpoint(
    session: Session,
    *,
    actor: Actor,
    name: str,
    url: str,
    format: EndpointFormat,
    events: str = "",
    startup_id: int | None = None,
    headers: dict[str, str] | None = None,
) -> AddedEndpoint:
    start_write(session, actor, "add notification endpoints")
    url = check_url(url)
    # and again before every send; a name with no address yet (offline, say) is judged then
    with contextlib.suppress(addresses.Unresolved):
        addresses.check(url)
    name = one_line(name, field="name", what="the endpoint's name", max_length=SHORT_LENGTH)
    if not name:
        raise Invalid("the endpoint needs a name", field="name")
    if session.exec(select(NotifyEndpoint).where(NotifyEndpoint.name == name)).first() is not None:
        raise Invalid(f"there is already an endpoint named {name!r}", field="name")
    if startup_id is not None:
        get_or_raise(session, Startup, startup_id, "startup")
    secret = None
    if format is EndpointFormat.STANDARD:
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    newest = session.execute(sa.select(sa.func.max(col(OutboxEvent.id)))).scalar_one()
    row = NotifyEndpoint(
        name=name,
        url=url,
        format=format,
        events=parse_events(events),
        startup_id=startup_id,
        secret=sealed.seal(secret) if secret else None,
        headers=sealed.seal(json.dumps(headers)) if headers else None,
        header_names=",".join(headers or {}),
        after_event=int(newest or 0),
    )
    session.add(row)
    session.flush()
    return AddedEndpoint(view(row), secret)


def named(session: Session, name: str) -> NotifyEndpoint:
    row = session.exec(
        select(NotifyEndpoint).where(NotifyEndpoint.name == name, col(NotifyEndpoint.removed_at).is_(None))
    ).first()
    if row is None:
        raise NotFound(f"no notification endpoint named {name!r}")
    return row


def list_endpoints(session: Session, *, actor: Actor) -> list[EndpointView]:
    """Endpoints not removed, by name (staff: a chat tool's webhook URL is its key)."""
    actor.require_staff("see notification endpoints")
    rows = session.exec(
        select(NotifyEndpoint).where(col(NotifyEndpoint.removed_at).is_(None)).order_by(NotifyEndpoint.name)
    ).all()
    return [view(r) for r in rows]


def set_active(session: Session, *, actor: Actor, name: str, active: bool, reason: str = "") -> EndpointView:
    start_write(session, actor, "enable or disable notification endpoints")
    row = named(session, name)
    row.active = active
    row.disabled_reason = "" if active else (reason or f"disabled by {actor.name}")
    row.updated_at = utcnow()
    session.flush()
    return view(row)


def remove_endpoint(session: Session, *, actor: Actor, name: str) -> EndpointView:
    """Stop using an endpoint for good. Its row and deliveries stay as the record of what was
    sent; its name is freed for a new endpoint."""
    start_write(session, actor, "remove notification endpoints")
    row = named(session, name)
    row.active = False
    row.removed_at = utcnow()
    row.disabled_reason = f"removed by {actor.name}"
    row.name = f"{row.name[: SHORT_LENGTH - 12]}~removed{row.id}"
    row.updated_at = row.removed_at
    session.flush()
    return view(row)
