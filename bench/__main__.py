"""``python -m bench``: every figure of issue 11 against its baseline, on data sets of each size.

    python -m bench [--sizes 10k,100k,1M] [--db sqlite|postgresql|both] [--save]

Each data set is built once (SQLite under ``~/.cache/irp-bench``, PostgreSQL as database
``irp_bench_<size>`` on 127.0.0.1) and reused by later runs (``--rebuild`` makes them again).
Times are medians of 5 with product and baseline alternating in the same run; a baseline slower
than 2 s is run once. ``--save`` writes the table into ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench import seed
from bench.bench_share import share_figures
from bench.figures import Goal, Result, markdown, medians, run_irp, run_python
from ir_pipeline.actors import Actor
from ir_pipeline.database import at_head
from ir_pipeline.db import make_engine, read_only
from ir_pipeline.enums import Role
from ir_pipeline.queries.deals import DealFilter, list_deals
from ir_pipeline.queries.funnel import FunnelFilter, funnel, funnel_from_rows
from ir_pipeline.queries.records import list_events, list_investors, list_startups
from ir_pipeline.stages import Stage

MANAGER = Actor(name="bench", role=Role.MANAGER)
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
CACHE = Path(os.environ.get("IRP_BENCH_DIR", Path.home() / ".cache" / "irp-bench"))
README = Path(__file__).with_name("README.md")
MS = Goal("max", 0.020)  # any pipeline page
FUNNEL_GOAL = Goal("max", 0.100)
SEARCH_GOAL = Goal("max", 0.050)


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def dataset(db: str, deals: int, rebuild: bool) -> str:
    """The data set's URL, built unless an up-to-date one is there."""
    if db == "sqlite":
        path = CACHE / f"bench-{deals}.sqlite3"
        url = f"sqlite:///{path}"
        if path.exists() and not rebuild and _ready(url, deals):
            return url
        CACHE.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        seed.build(path, deals=deals)
    else:
        name = f"irp_bench_{deals}"
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        if not rebuild and _ready(url, deals):
            return url
        start = time.perf_counter()
        seed.build_postgresql(PG_ADMIN, name, deals=deals)
    print(f"  built {db} data set with {deals:,} deals in {time.perf_counter() - start:.0f} s", flush=True)
    return url


def _ready(url: str, deals: int) -> bool:
    try:
        engine = make_engine(url)
        try:
            if not at_head(engine):
                return False
            with engine.connect() as c:
                return c.execute(sa.text("SELECT count(*) FROM deal")).scalar_one() == deals
        finally:
            engine.dispose()
    except Exception:
        return False


def query_figures(url: str, db: str, deals: int) -> list[Result]:
    engine = make_engine(url)
    size = label(deals)
    out: list[Result] = []

    def read(fn, **kw):  # type: ignore[no-untyped-def]
        def run() -> object:
            with read_only(engine) as s:
                return fn(s, actor=MANAGER, **kw)

        return run

    def raw(sql: str):  # type: ignore[no-untyped-def]
        if engine.dialect.name == "postgresql":
            sql = sql.replace("%", "%%")  # psycopg reads % as a placeholder

        def run() -> object:
            with engine.connect() as c:
                return c.exec_driver_sql(sql).fetchall()

        return run

    def add(figure: str, product, baseline, base_name: str, goal: Goal) -> None:  # type: ignore[no-untyped-def]
        mine, theirs = medians(product, baseline)
        out.append(Result(figure, db, size, mine, theirs, base_name, goal))
        print(f"  {figure}: {mine * 1000:.1f} ms", flush=True)

    def dashboard(fn):  # type: ignore[no-untyped-def]
        def run() -> object:
            with read_only(engine) as s:
                return (
                    fn(s, actor=MANAGER),
                    list_events(s, actor=MANAGER, limit=500),
                    list_startups(s, actor=MANAGER, limit=500),
                    list_investors(s, actor=MANAGER, limit=500),
                )

        return run

    add("funnel, everything", read(funnel), read(funnel_from_rows), "from base rows", FUNNEL_GOAL)
    add("dashboard data", dashboard(funnel), dashboard(funnel_from_rows), "from base rows", FUNNEL_GOAL)
    add(
        "funnel, one investor",
        read(funnel, flt=FunnelFilter(investor_id=2)),
        read(funnel_from_rows, flt=FunnelFilter(investor_id=2)),
        "from base rows",
        FUNNEL_GOAL,
    )
    old_page = (
        "SELECT * FROM (SELECT d.id, s.name AS startup, i.name AS investor, d.stage, d.stage_changed_at,"
        " (SELECT l.amount_minor FROM letter_of_intent l WHERE l.deal_id = d.id"
        "  ORDER BY l.received_on DESC, l.id DESC LIMIT 1) AS last_loi,"
        " (SELECT min(f.due_on) FROM follow_up f WHERE f.deal_id = d.id AND f.status = 'open') AS next_due"
        " FROM deal d JOIN startup s ON s.id = d.startup_id JOIN investor i ON i.id = d.investor_id"
        " {where}) AS page ORDER BY {order} LIMIT 100 OFFSET {offset}"
    )
    far = deals - deals // 100 - 100
    last_desc, next_due = "last_loi IS NULL, last_loi DESC, id", "next_due IS NULL, next_due, id"
    cases = [
        ("page 1, by id", "id", False, DealFilter(), "", "id", 0),
        ("far page, by id", "id", False, DealFilter(), "", "id", far),
        ("page 1, by last LOI ↓", "last_loi", True, DealFilter(), "", last_desc, 0),
        ("far page, by last LOI ↓", "last_loi", True, DealFilter(), "", last_desc, far),
        ("far page, by startup", "startup", False, DealFilter(), "", "startup, id", far),
        ("far page, by stage", "stage", False, DealFilter(), "", "stage, id", far),
        ("far page, by next follow-up", "next_follow_up", False, DealFilter(), "", next_due, far),
        (
            "page 1, diligence, by last LOI ↓",
            "last_loi",
            True,
            DealFilter(stage=Stage.DILIGENCE),
            "WHERE d.stage = 'diligence'",
            last_desc,
            0,
        ),
    ]  # fmt: skip
    for figure, sort, desc, flt, where, order, offset in cases:
        after = None
        if offset:  # the cursor a reader paging down would hold there (found once, by offset)
            with read_only(engine) as s:
                after = list_deals(
                    s, actor=MANAGER, flt=flt, sort=sort, descending=desc, offset=offset - 100
                ).next_after
        add(
            f"pipeline {figure}",
            read(list_deals, flt=flt, sort=sort, descending=desc, after=after, limit=100),
            raw(old_page.format(where=where, order=order, offset=offset)),
            "OFFSET + subqueries",
            MS,
        )
    # one company's name, and a broad key that matches 1 startup in 45 (5% of the deals)
    for figure, key in (
        ("name search, one company", f"startup{deals // 80}"),
        ("name search, broad", "startup12"),
    ):
        add(
            figure,
            read(list_deals, flt=DealFilter(search=key), limit=100),
            raw(
                "SELECT d.id, s.name, i.name FROM deal d JOIN startup s ON s.id = d.startup_id"
                f" JOIN investor i ON i.id = d.investor_id WHERE s.name_key LIKE '%{key}%'"
                f" OR i.name_key LIKE '%{key}%' ORDER BY d.id LIMIT 100"
            ),
            "LIKE across the join",
            SEARCH_GOAL,
        )
    engine.dispose()
    return out


def cli_figures(url: str, db: str, deals: int) -> list[Result]:
    env = {**os.environ, "IRP_DATABASE_URL": url}
    figure = run_irp("funnel", "--json", env=env)
    mine, base = medians(figure, run_python("-c", "import sqlmodel"))
    print(f"  irp funnel --json: {mine:.2f} s", flush=True)
    return [Result("`irp funnel --json`", db, label(deals), mine, base, "import sqlmodel", Goal("over", 0.4))]


def floor_figure() -> Result:
    """What the TUI cannot go below before it shows any data: loading Textual and SQLModel (with
    SQLAlchemy and pydantic), measured here so the TUI rows can be read against it."""
    (floor, _none) = medians(run_python("-c", "import textual.app, sqlmodel"), None)
    return Result("imports alone: `textual.app` + `sqlmodel`", "-", "-", floor, None, "", Goal("info", 0))


def help_figure() -> Result:
    mine, base = medians(run_irp("--help"), run_python("-c", "import typer"))
    return Result("`irp --help`", "-", "-", mine, base, "import typer", Goal("over", 0.15))


def tui_figures(url: str, tiny: str, db: str, deals: int) -> list[Result]:
    """Process start → first frame, and → the screen's data painted; peak RSS (medians of 5)."""
    out = []
    for screen in ("pipeline", "dashboard"):
        seen: dict[str, list[float]] = {"frame": [], "painted": [], "rss": [], "base": []}
        for _ in range(5):
            for target in (url, tiny):
                start = time.perf_counter()
                child = subprocess.Popen(
                    [sys.executable, "-m", "bench.tui_probe", target, screen],
                    stdout=subprocess.PIPE,
                    text=True,
                )
                assert child.stdout is not None
                for line in child.stdout:
                    word = line.split()[0]
                    if target == tiny:
                        if word == "painted":
                            seen["base"].append(time.perf_counter() - start)
                    elif word == "rss":
                        seen["rss"].append(float(line.split()[1]))
                    else:
                        seen[word].append(time.perf_counter() - start)
                child.wait()
        med = {k: statistics.median(v) for k, v in seen.items()}
        size = label(deals)
        out += [
            Result(
                f"TUI process start → first frame ({screen})",
                db,
                size,
                med["frame"],
                None,
                "",
                Goal("max", 1.0),
            ),
            Result(
                f"TUI process start → {screen} painted",
                db,
                size,
                med["painted"],
                med["base"],
                "same on 10 deals",
                Goal("max", 1.0),
            ),
            Result(f"TUI peak RSS ({screen})", db, size, max(seen["rss"]), None, "", Goal("max", 200), "MB"),
        ]
        rss = max(seen["rss"])
        print(f"  TUI {screen}: frame {med['frame']:.2f} s, data {med['painted']:.2f} s, {rss:.0f} MB")
    return out


def import_figure(db: str) -> Result:
    from bench.bench_import import measure

    product, baseline = measure(db, 100_000)
    return Result(
        "import of 100k LOI rows",
        db,
        "100k rows",
        product,
        baseline,
        "executemany, 3 tables",
        Goal("ratio", 1.5),
    )


def compile_product() -> None:
    """Byte-compile ``ir_pipeline`` and ``tui`` first, as installing a wheel does: with
    ``PYTHONDONTWRITEBYTECODE`` set (as on this machine's shells) an editable checkout would
    otherwise be compiled from source in every timed process, while the baselines' libraries
    (Typer, SQLModel) come precompiled from site-packages; about 0.2 s of each start."""
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("ir_pipeline", "tui"):
        compileall.compile_dir(root / package, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", default="10k,100k,1M", help="data set sizes in deals (default 10k,100k,1M)"
    )
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--rebuild", action="store_true", help="build the data sets again")
    parser.add_argument("--no-import", action="store_true", help="skip the import figure")
    parser.add_argument("--no-tui", action="store_true", help="skip the TUI figures")
    parser.add_argument("--no-share", action="store_true", help="skip the share server figures")
    parser.add_argument("--save", action="store_true", help="write the table into bench/README.md")
    args = parser.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    compile_product()
    results = [help_figure()]
    if not args.no_tui:
        results.append(floor_figure())
    print(f"irp --help: {results[0].value:.2f} s", flush=True)

    def save() -> None:  # after every data set, so a long run keeps what it measured
        if args.save:
            command = "python -m bench " + " ".join(a for a in sys.argv[1:] if a != "--save")
            text = README.read_text(encoding="utf-8")
            head = text.split("<!-- results -->")[0]
            made = f"Made with `{command}` on {time.strftime('%Y-%m-%d')}:"
            README.write_text(f"{head}<!-- results -->\n{made}\n\n{markdown(results)}\n", encoding="utf-8")

    for db in dbs:
        tiny = dataset(db, 10, args.rebuild)
        for deals in sizes:
            print(f"{db}, {deals:,} deals", flush=True)
            url = dataset(db, deals, args.rebuild)
            results += query_figures(url, db, deals)
            results += cli_figures(url, db, deals)
            if not args.no_share:
                results += share_figures(url, db, label(deals))
            if not args.no_tui:
                results += tui_figures(url, tiny, db, deals)
            save()
        if not args.no_import:
            results.append(import_figure(db))
            save()
    print(markdown(results))


if __name__ == "__main__":
    main()
