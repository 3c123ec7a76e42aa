"""No name can mention, link or format in a chat channel: every hostile name of the corpus goes
through each chat format, and what the tool would show is read back by that tool's rules (Slack's
control sequences, the Adaptive Card schema, Markdown as markdown-it renders it, with links
found in bare addresses too). One notice also goes the whole way to a receiver on 127.0.0.1."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

import pytest
from markdown_it import MarkdownIt
from sqlalchemy.engine import Engine

from ir_pipeline.db import unit_of_work
from ir_pipeline.drafts import StartupDraft
from ir_pipeline.models import EndpointFormat
from ir_pipeline.notify import formats
from ir_pipeline.notify.delivery import deliver_pass, make_client
from ir_pipeline.notify.endpoints import add_endpoint
from ir_pipeline.services import deals, records
from tests.conftest import STAFF
from tests.helpers import add_loi, seed
from tests.io.corpus import HOSTILE_NAMES
from tests.notify.receiver import receiver

AT = datetime(2018, 9, 19, 9, 0, tzinfo=UTC)
#: Tags a Markdown renderer makes of markup; a name shown literally makes none of them.
MARKUP = re.compile(r"<(a|strong|em|code|img|del|s|pre|table|script|h\d|blockquote|ul|ol)\b")


def build(fmt: EndpointFormat, summary: str) -> dict[str, object]:
    payload = json.dumps({"type": "loi.received", "summary": summary, "data": {}}, ensure_ascii=False)
    request = formats.build(fmt, event_id="evt_1", payload=payload, secret=None, at=AT)
    body = json.loads(request.body)
    assert isinstance(body, dict)
    return body


def slack_shows(text: str) -> str:
    """Slack's reading of a ``text`` field: ``<…>`` is a control sequence (a mention, a link),
    ``&amp;`` ``&lt;`` ``&gt;`` are the characters. A literal ``<`` or ``>`` must not be there."""
    assert "<" not in text and ">" not in text, f"Slack would parse a control sequence in {text!r}"
    assert not re.search(r"&(?!amp;|lt;|gt;)", text), f"a bare & in {text!r}"
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def markdown_shows(text: str) -> str:
    rendered = MarkdownIt("gfm-like").render(text)
    assert not MARKUP.search(rendered), f"{text!r} renders as markup: {rendered}"
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n") and rendered.count("<p>") == 1
    return html.unescape(rendered[3:-5])


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_slack_shows_every_name_as_written(name: str) -> None:
    summary = f"[LOI] {name} ← Hanbit Ventures 1억 5천만 원 (RCPS)"
    body = build(EndpointFormat.SLACK, summary)
    assert body["mrkdwn"] is False
    assert slack_shows(str(body["text"])) == summary
    (block,) = body["blocks"]  # type: ignore[misc]
    assert block == {"type": "section", "text": {"type": "plain_text", "text": summary, "emoji": False}}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_teams_shows_every_name_as_written(name: str) -> None:
    summary = f"[LOI] {name} ← Hanbit Ventures 1억 5천만 원 (RCPS)"
    body = build(EndpointFormat.TEAMS, summary)
    card = body["attachments"][0]["content"]  # type: ignore[index]
    # a TextBlock reads Markdown; a TextRun is shown as written (Adaptive Cards schema)
    assert '"type": "TextBlock"' not in json.dumps(card)
    assert card["body"] == [{"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": summary}]}]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_jandi_shows_every_name_as_written(name: str) -> None:
    summary = f"[LOI] {name} ← Hanbit Ventures 1억 5천만 원 (RCPS)"
    body = build(EndpointFormat.JANDI, summary)
    assert markdown_shows(str(body["body"])) == summary


def test_the_issues_name_reaches_slack_without_pinging_the_channel(engine: Engine) -> None:
    name = HOSTILE_NAMES[0]
    s = seed(engine, STAFF)
    with unit_of_work(engine) as session:
        hostile = records.create_startup(session, actor=STAFF, draft=StartupDraft(name=name))
        deal = deals.open_deal(session, actor=STAFF, startup_id=hostile.id, investor_id=s.investor_id)
    with receiver() as rx:
        with unit_of_work(engine) as session:
            add_endpoint(
                session, actor=STAFF, name="team", url=rx.url, format=EndpointFormat.SLACK, events="loi.*"
            )
        add_loi(engine, STAFF, deal.id)
        with make_client() as client:
            deliver_pass(lambda: unit_of_work(engine), actor=STAFF, client=client)
    (request,) = rx.requests
    text = request["body"]["text"]
    assert "<!channel>" not in text and "<https://" not in text
    assert name in slack_shows(text)
    assert name in request["body"]["blocks"][0]["text"]["text"]
