"""Standard Webhooks requests as a JavaScript receiver checks them: the npm ``standardwebhooks``
library (installed by ``.ci/run`` into ``tests/node``) verifies every request irp signs, reads
the ``{type, timestamp, data}`` payload, and refuses a tampered body or a moved timestamp."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ir_pipeline.models import EndpointFormat
from ir_pipeline.notify import formats
from tests.real_programs import REQUIRED, find

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
pytestmark = pytest.mark.skipif(
    (find("node") is None or not (NODE_DIR / "node_modules" / "standardwebhooks").is_dir()) and not REQUIRED,
    reason="Node.js and tests/node's packages are not installed (npm ci --prefix tests/node; .ci/run does)",
)
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def verify_in_node(requests: list[dict[str, object]]) -> list[dict[str, object]]:
    node = find("node")
    assert node is not None, "IRP_REQUIRE_PROGRAMS is set but node is not on PATH"
    result = subprocess.run(
        [node, str(NODE_DIR / "verify.js")],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert isinstance(answers, list)
    return answers


def test_the_npm_verifier_accepts_what_irp_signs_and_refuses_tampering() -> None:
    at = datetime.now(UTC).replace(microsecond=0)
    notice = {
        "type": "loi.received",
        "id": "evt_1",
        "created_at": "2018-09-19T09:00:00+00:00",
        "actor": "staff",
        "data": {"amount": "150000000", "currency": "KRW"},
        "summary": "[LOI] A&B <!channel> ← 한빛벤처스 1억 5천만 원",
    }
    request = formats.build(
        EndpointFormat.STANDARD,
        event_id="evt_1",
        payload=json.dumps(notice, ensure_ascii=False),
        secret=SECRET,
        at=at,
    )
    body = request.body.decode()
    moved = {**request.headers, "webhook-timestamp": str(int(at.timestamp()) + 3600)}
    good, tampered, late = verify_in_node(
        [
            {"secret": SECRET, "body": body, "headers": request.headers},
            {"secret": SECRET, "body": body.replace("150000000", "950000000"), "headers": request.headers},
            {"secret": SECRET, "body": body, "headers": moved},
        ]
    )
    assert good == {
        "ok": {
            "type": "loi.received",
            "timestamp": "2018-09-19T09:00:00+00:00",
            "data": {
                "id": "evt_1",
                "created_at": "2018-09-19T09:00:00+00:00",
                "actor": "staff",
                "record": {"amount": "150000000", "currency": "KRW"},
                "summary": "[LOI] A&B <!channel> ← 한빛벤처스 1억 5천만 원",
            },
        }
    }
    assert "error" in tampered and "error" in late
