"""The request each endpoint format sends for a notice: body and headers, nothing sent here.

``standard`` is Standard Webhooks: ``{"type", "timestamp", "data"}`` as the specification shows
it, signed with the endpoint's secret by the ``standardwebhooks`` library (``webhook-id`` is the
notice's stable id, the same on every retry, so a receiver can drop a repeat).

``slack``, ``teams`` and ``jandi`` send each tool's own incoming-webhook message with the
notice's one-line summary, which carries names and amounts as they were written: by people
outside the team, so no name may mention, link or format anything. Each format escapes by
construction, in the way its tool reads text:

- Slack: the message is a ``plain_text`` section block (never parsed for mentions, links or
  formatting); the ``text`` fallback, which notifications show, has ``&``, ``<`` and ``>``
  escaped as Slack's formatting reference asks, with ``mrkdwn`` off.
- Teams: an Adaptive Card whose text is a ``RichTextBlock`` of one ``TextRun``, which the card
  schema renders as written (a ``TextBlock`` would read Markdown).
- JANDI: its body is Markdown, so every character that makes markup within a line (links,
  emphasis, code, autolinks, HTML) is backslash-escaped, as CommonMark defines escapes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ir_pipeline.models import EndpointFormat

#: Slack's reserved characters in text, and what they are written as.
_SLACK = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
#: Characters CommonMark lets a backslash escape that make markup anywhere in a line (links and
#: images, emphasis, code, strikethrough, tables, autolinks, HTML and entities), and those a linkifier
#: looks for in a bare address (``.``, ``:``, ``@``); the summary is one line that starts with
#: ``[``, so a heading, quote or list marker cannot begin it.
_MARKDOWN = re.compile(r"([\\`*_\[\]|~<>&.:@])")
#: Slack's limit for a section's text.
_SLACK_SECTION = 3000


@dataclass(frozen=True, slots=True)
class Request:
    body: bytes
    headers: dict[str, str]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def slack_text(text: str) -> str:
    """``text`` as Slack reads it literally in a ``text`` field: ``&``, ``<``, ``>`` escaped."""
    return text.translate(_SLACK)


def markdown_text(text: str) -> str:
    """``text`` as a Markdown reader shows it literally: markup characters backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", text)


def standard_payload(payload: str) -> str:
    """The outbox's notice as the Standard Webhooks specification shapes a payload: ``type``,
    ``timestamp`` (when it happened) and ``data`` (everything else: the notice's id, who, the
    deal, the record as ``record``, the summary, and ``created_at`` as before)."""
    notice = json.loads(payload)
    data = {key: value for key, value in notice.items() if key not in ("type", "data")}
    data["record"] = notice.get("data", {})
    wire = {"type": notice.get("type"), "timestamp": notice.get("created_at"), "data": data}
    return json.dumps(wire, ensure_ascii=False, sort_keys=True)


def build(
    format: EndpointFormat, *, event_id: str, payload: str, secret: str | None, at: datetime
) -> Request:
    """The request for one notice (``payload`` is the outbox's JSON text) to one endpoint."""
    headers = {"content-type": "application/json", "user-agent": "ir-pipeline"}
    if format is EndpointFormat.STANDARD:
        from standardwebhooks.webhooks import Webhook

        if not secret:
            raise ValueError("a standard endpoint needs its signing secret")
        wire = standard_payload(payload)
        signature = Webhook(secret).sign(event_id, at, wire)
        headers |= {
            "webhook-id": event_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature,
        }
        return Request(wire.encode(), headers)
    summary = str(json.loads(payload).get("summary", ""))
    if format is EndpointFormat.SLACK:
        section = {"type": "plain_text", "text": summary[:_SLACK_SECTION], "emoji": False}
        message = {
            "text": slack_text(summary),
            "mrkdwn": False,
            "blocks": [{"type": "section", "text": section}],
        }
        return Request(_json(message), headers)
    if format is EndpointFormat.TEAMS:
        card = {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.4",
            "body": [{"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": summary}]}],
        }
        message = {
            "type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        }
        return Request(_json(message), headers)
    # JANDI's incoming webhook
    headers["accept"] = "application/vnd.tosslab.jandi-v2+json"
    return Request(_json({"body": markdown_text(summary), "connectColor": "#FAC11B"}), headers)
