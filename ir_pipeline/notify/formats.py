"""The request each endpoint format sends for a notice: body and headers, nothing sent here.

``standard`` is Standard Webhooks: the notice's JSON payload, signed with the endpoint's secret by
the ``standardwebhooks`` library (``webhook-id`` is the notice's stable id, the same on every
retry, so a receiver can drop a repeat). ``slack``, ``teams`` and ``jandi`` send each tool's own
incoming-webhook message with the notice's one-line summary, which carries the names and amounts
in Korean or English as they were written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ir_pipeline.models import EndpointFormat


@dataclass(frozen=True, slots=True)
class Request:
    body: bytes
    headers: dict[str, str]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def build(
    format: EndpointFormat, *, event_id: str, payload: str, secret: str | None, at: datetime
) -> Request:
    """The request for one notice (``payload`` is the outbox's JSON text) to one endpoint."""
    headers = {"content-type": "application/json", "user-agent": "ir-pipeline"}
    if format is EndpointFormat.STANDARD:
        from standardwebhooks.webhooks import Webhook

        if not secret:
            raise ValueError("a standard endpoint needs its signing secret")
        signature = Webhook(secret).sign(event_id, at, payload)
        headers |= {
            "webhook-id": event_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature,
        }
        return Request(payload.encode(), headers)
    summary = str(json.loads(payload).get("summary", ""))
    if format is EndpointFormat.SLACK:
        return Request(_json({"text": summary}), headers)
    if format is EndpointFormat.TEAMS:
        card = {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.4",
            "body": [{"type": "TextBlock", "text": summary, "wrap": True}],
        }
        message = {
            "type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        }
        return Request(_json(message), headers)
    # JANDI's incoming webhook
    headers["accept"] = "application/vnd.tosslab.jandi-v2+json"
    return Request(_json({"body": summary, "connectColor": "#FAC11B"}), headers)
