"""What every page the server sends carries, and how it answers people who guess tokens.

A token page is private to whoever holds the link: no cache keeps it, no referrer carries its
address elsewhere, no other site frames it, and its Content-Security-Policy admits only its own
inline style (by hash) and its embedded chart, so nothing on it can run or load anything. An
address that keeps trying tokens that open nothing is answered "too many attempts" for a while.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from collections import deque
from collections.abc import Callable

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)

#: The headers of every answer; the CSP is made per page (:func:`policy`).
HEADERS = {
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def policy(html: str) -> str:
    """The page's Content-Security-Policy: nothing but its own inline styles (each by hash) and
    ``data:`` images (the embedded chart); no script, no form, no frame, no base."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in _STYLE.findall(html)
    )
    return (
        f"default-src 'none'; style-src {hashes or chr(39) + 'none' + chr(39)}; img-src data:;"
        " base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


class Attempts:
    """Tokens that opened nothing, per address, over a sliding window: past ``most`` of them in
    ``window`` seconds, that address is refused until its oldest attempt leaves the window."""

    def __init__(
        self, most: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.most, self.window, self.clock = most, window, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        seen = self._seen.setdefault(address, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        return seen

    def blocked_for(self, address: str) -> float:
        """Seconds this address must wait (0: it may try)."""
        with self._lock:
            now = self.clock()
            seen = self._recent(address, now)
            if len(seen) < self.most:
                return 0.0
            return max(seen[0] + self.window - now, 1.0)

    def failed(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(address, now).append(now)
            if len(self._seen) > 100_000:  # a flood of addresses never grows it without end
                self._seen = {a: d for a, d in self._seen.items() if d and d[-1] > now - self.window}
