"""A thousand tampering attempts on a share server, the same on SQLite and PostgreSQL: other ids
in the path and the query, altered, truncated, expired and made-up tokens, another startup's
token with this one's id, SQL and path payloads. What counts is how many answers hold a company
other than the one their token names (a token left unaltered by chance opens its own page)."""

from __future__ import annotations

import random
import secrets

import httpx

#: The demo's startups other than GreenGrid, whose link is the one tampered with.
OTHERS = ("Mobility Lab", "AirSense", "ParkMate", "WaterLoop", "CityTwin", "SafeWalk", "WindCell")
PAYLOADS = ["' OR '1'='1", "1;DROP TABLE deal", "../../etc/passwd", "%2e%2e%2f", "\\x00", "<script>", "*"]


def paths(mine: str, theirs: str, expired: str, n: int = 1000, seed: int = 25) -> list[str]:
    rng = random.Random(seed)
    made: list[str] = []
    for i in range(n):
        choice = i % 10
        if choice == 0:
            made.append(f"/share/{mine}?startup_id={rng.randint(1, 40)}&event_id={rng.randint(1, 5)}")
        elif choice == 1:
            made.append(f"/share/{mine[: rng.randint(0, len(mine) - 1)]}")
        elif choice == 2:
            at = rng.randrange(len(mine))
            made.append(f"/share/{mine[:at]}{rng.choice('AbZ09-_')}{mine[at + 1 :]}")
        elif choice == 3:
            made.append(f"/share/{expired}?startup_id={rng.randint(1, 40)}")
        elif choice == 4:
            made.append(f"/share/{theirs}?startup=GreenGrid&startup_id=1")
        elif choice == 5:
            made.append(f"/share/{secrets.token_urlsafe(rng.randint(8, 48))}")
        elif choice == 6:
            made.append(f"/share/{rng.choice(PAYLOADS)}{mine}")
        elif choice == 7:
            made.append(f"/{rng.choice(['startup', 'deal', 'event', 'share/1', 'api'])}/{rng.randint(1, 40)}")
        elif choice == 8:
            made.append(f"/share/{mine}/{rng.randint(1, 40)}")
        else:
            made.append(f"/share/{rng.choice(PAYLOADS)}")
    return made


def tamper(base: str, mine: str, theirs: str, expired: str) -> int:
    """How many names of other companies the answers to the attempts hold (0 is the only pass)."""
    leaks = 0
    owner = {mine: "GreenGrid", theirs: "WindCell"}
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in paths(mine, theirs, expired):
            answer = client.get(path)
            assert answer.status_code in (200, 404), (path, answer.status_code)
            token = path.split("/share/", 1)[-1].split("?", 1)[0] if path.startswith("/share/") else ""
            own = owner.get(token)
            leaks += sum(name in answer.text for name in (*OTHERS, "GreenGrid") if name != own)
    return leaks
