"""``python -m bench``: every figure of issue 11 against its baseline, on data sets of each size.

    python -m bench [--sizes 10k,100k,1M] [--db sqlite|postgresql|both] [--save]

Each data set is built once (SQLite under ``~/.cache/irp-bench``, PostgreSQL as database
``irp_bench_<size>`` on 127.0.0.1) and reused by later runs (``--rebuild`` makes them again).
Times are medians of 5 with product and baseline alternating in the same run; a baseline slower
than 2 s is run once. ``--save`` writes the table into ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench import figures, seed
from bench.bench_share import share_figures
from bench.figures import REPEAT, Goal, Result, markdown, medians, run_irp, run_python, timed
from bench.pty_launch import launch
from ir_pipeline.actors import Actor
from ir_pipeline.database import at_head
from ir_pipeline.db import make_engine, read_only
from ir_pipeline.enums import Role
from ir_pipeline.queries.deals import DealFilter, list_deals
from ir_pipeline.queries.funnel import FunnelFilter, funnel, funnel_from_rows
from ir_pipeline.queries.records import list_events, list_investors, list_startups
from ir_pipeline.stages import Stage

MANAGER = Actor(name="bench", role=Role.MANAGER)
STAFF = Actor(name="bench", role=Role.STAFF)
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
CACHE = Path(os.environ.get("IRP_BENCH_DIR", Path.home() / ".cache" / "irp-bench"))
README = Path(__file__).with_name("README.md")
PAGE_GOAL = Goal("max", 0.020, ratio=3)  # any pipeline page
FUNNEL_GOAL = Goal("max", 0.100)
SEARCH_GOAL = Goal("max", 0.050, ratio=3)


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def dataset(db: str, deals: int, rebuild: bool) -> str:
    """The data set's URL (as the superuser or the file), built unless an up-to-date one is there."""

    def progress(step: str) -> None:
        print(f"    {step} loaded at {time.perf_counter() - start:.0f} s", flush=True)

    start = time.perf_counter()
    if db == "sqlite":
        path = CACHE / f"bench-v2-{deals}.sqlite3"
        url = f"sqlite:///{path}"
        if path.exists() and not rebuild and _ready(url, deals):
            return url
        CACHE.mkdir(parents=True, exist_ok=True)
        seed.build(path, deals=deals, progress=progress)
    else:
        name = f"irp_bench2_{deals}"
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        if not rebuild and _ready(url, deals):
            return url
        seed.build_postgresql(PG_ADMIN, name, deals=deals, progress=progress)
        _logins(url)
    built = time.perf_counter() - start
    print(f"  built {db} data set with {deals:,} deals in {built:.0f} s", flush=True)
    BUILT[(db, deals)] = built
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


#: How long each data set built in this run took (for the build figure).
BUILT: dict[tuple[str, int], float] = {}
#: The logins the PostgreSQL figures run as: RLS and the grants are part of what a person waits for.
LOGINS = {Role.STAFF: "irp_benchq_staff", Role.MANAGER: "irp_benchq_manager"}


def _logins(url: str) -> None:
    """A staff and a manager login on the PostgreSQL data set, made by the product's own service."""
    from ir_pipeline.db import unit_of_work
    from ir_pipeline.services.users import create_user

    engine = make_engine(url)
    admin = Actor(name="postgres", role=Role.STAFF, admin=True)
    with unit_of_work(engine) as session:
        for role, login in LOGINS.items():
            create_user(session, actor=admin, name=login, role=role, password="bench")
    engine.dispose()


def as_login(url: str, role: Role) -> str:
    """``url`` as the login of ``role`` on PostgreSQL (the file itself on SQLite)."""
    if not url.startswith("postgresql"):
        return url
    return url.replace("//postgres@", f"//{LOGINS[role]}@")


def _keyset(where: str, keys: list[tuple[str, str]], first: bool) -> str:
    """A plain keyset page on ``keys`` (SQL expressions, ``asc``/``desc``): the straightforward
    alternative to the product's page code, on the same columns, from a cursor ``:k0, :k1, …``."""
    order = ", ".join(f"{e} {d}" for e, d in keys)
    terms = []
    for i, (e, d) in enumerate(keys):
        same = [f"{keys[j][0]} = :k{j}" for j in range(i)]
        terms.append("(" + " AND ".join([*same, f"{e} {'>' if d == 'asc' else '<'} :k{i}"]) + ")")
    cursor = "TRUE" if first else "(" + " OR ".join(terms) + ")"
    return (
        "SELECT d.id, s.name, i.name, d.stage, d.last_loi_minor, d.last_loi_currency, d.next_follow_up_on"
        " FROM deal d JOIN startup s ON s.id = d.startup_id JOIN investor i ON i.id = d.investor_id"
        f" WHERE {where}{cursor} ORDER BY {order} LIMIT 100"
    )


def query_figures(url: str, db: str, deals: int) -> list[Result]:
    manager, staff = make_engine(as_login(url, Role.MANAGER)), make_engine(as_login(url, Role.STAFF))
    owner = make_engine(url)
    boss = Actor(name=LOGINS[Role.MANAGER], role=Role.MANAGER) if db == "postgresql" else MANAGER
    clerk = Actor(name=LOGINS[Role.STAFF], role=Role.STAFF) if db == "postgresql" else STAFF
    size = label(deals)
    out: list[Result] = []

    def read(fn, engine=manager, actor=boss, **kw):  # type: ignore[no-untyped-def]
        def run() -> object:
            with read_only(engine) as s:
                return fn(s, actor=actor, **kw)

        return run

    def raw(sql: str, params: dict[str, object] | None = None, engine=staff):  # type: ignore[no-untyped-def]
        def run() -> object:
            with engine.connect() as c:
                return c.execute(sa.text(sql), params or {}).fetchall()

        return run

    def add(figure: str, product, baseline, base_name: str, goal: Goal) -> None:  # type: ignore[no-untyped-def]
        mine, theirs = medians(product, baseline)
        out.append(Result(figure, db, size, mine, theirs, base_name, goal, spread=figures.last_spread))
        print(f"  {figure}: {mine * 1000:.1f} ms", flush=True)

    def dashboard(fn):  # type: ignore[no-untyped-def]
        def run() -> object:
            with read_only(manager) as s:
                return (
                    fn(s, actor=boss),
                    list_events(s, actor=boss, limit=500),
                    list_startups(s, actor=boss, limit=500),
                    list_investors(s, actor=boss, limit=500),
                )

        return run

    with read_only(manager) as s:  # the product's figures are the hand-written funnel's, exactly
        mine, theirs = funnel(s, actor=boss), funnel_from_rows(s, actor=boss)
        assert (mine.lois.count, mine.lois.total) == (theirs.lois.count, theirs.lois.total)
        assert [dataclasses.replace(st, converted=None) for st in mine.stages] == theirs.stages
        assert [r.id for r in mine.by_startup] == [r.id for r in theirs.by_startup], "rankings differ"
        assert mine.lois.startups == theirs.lois.startups and mine.lois.investors == theirs.lois.investors
    add("funnel, everything", read(funnel), read(funnel_from_rows), "from base rows", FUNNEL_GOAL)
    add("dashboard data", dashboard(funnel), dashboard(funnel_from_rows), "from base rows", FUNNEL_GOAL)
    add(
        "funnel, one investor",
        read(funnel, flt=FunnelFilter(investor_id=2)),
        read(funnel_from_rows, flt=FunnelFilter(investor_id=2)),
        "from base rows",
        FUNNEL_GOAL,
    )
    far = deals - deals // 100 - 100
    last = [("d.last_loi_minor", "desc"), ("d.id", "asc")]
    due = [("(d.next_follow_up_on IS NULL)", "asc"), ("d.next_follow_up_on", "asc"), ("d.id", "asc")]
    cases = [
        ("page 1, by id", "id", False, DealFilter(), "", [("d.id", "asc")], 0),
        ("far page, by id", "id", False, DealFilter(), "", [("d.id", "asc")], far),
        ("page 1, by last LOI ↓", "last_loi", True, DealFilter(), "", last, 0),
        ("far page, by last LOI ↓", "last_loi", True, DealFilter(), "", last, far),
        ("far page, by startup", "startup", False, DealFilter(), "", [("s.name", "asc"), ("d.id", "asc")],
         far),
        ("far page, by stage", "stage", False, DealFilter(), "", [("d.stage", "asc"), ("d.id", "asc")], far),
        ("far page, by next follow-up", "next_follow_up", False, DealFilter(), "", due, far),
        (
            "page 1, diligence, by last LOI ↓", "last_loi", True, DealFilter(stage=Stage.DILIGENCE),
            "d.stage = 'diligence' AND ", last, 0,
        ),
    ]  # fmt: skip
    for figure, sort, desc, flt, where, keys, offset in cases:
        after = None
        if offset:  # the cursor a reader paging down would hold there (found once, by offset)
            with read_only(staff) as s:
                after = list_deals(
                    s, actor=clerk, flt=flt, sort=sort, descending=desc, offset=offset - 100
                ).next_after
        order = ", ".join(f"{e} {d}" for e, d in keys)
        with owner.connect() as c:  # the same place for the baseline: the row before the page
            lead = c.execute(
                sa.text(
                    f"SELECT {', '.join(e for e, _ in keys)} FROM deal d"
                    " JOIN startup s ON s.id = d.startup_id"
                    f" WHERE {where or 'TRUE AND '}TRUE ORDER BY {order} LIMIT 1 OFFSET {max(offset - 1, 0)}"
                )
            ).one()
        params = {f"k{i}": v for i, v in enumerate(lead)} if offset else {}
        add(
            f"pipeline {figure}",
            read(
                list_deals,
                engine=staff,
                actor=clerk,
                flt=flt,
                sort=sort,
                descending=desc,
                after=after,
                limit=100,
            ),
            raw(_keyset(where, keys, first=not offset), params),
            "plain keyset",
            PAGE_GOAL,
        )
    # one company's name, and a broad key that matches 1 startup in 45
    for figure, key in (
        ("name search, one company", f"startup{deals // 80}"),
        ("name search, broad", "startup12"),
    ):
        add(
            figure,
            read(list_deals, engine=staff, actor=clerk, flt=DealFilter(search=key), limit=100),
            _names_first(staff, key),
            "names first, then deals",
            SEARCH_GOAL,
        )
    for engine in (manager, staff, owner):
        engine.dispose()
    return out


def _names_first(engine, key: str):  # type: ignore[no-untyped-def]
    """The straightforward search: the matching names (small tables), then their deals."""
    like = {"k": f"%{key}%"}

    def run() -> object:
        with engine.connect() as c:
            s = [r[0] for r in c.execute(sa.text("SELECT id FROM startup WHERE name_key LIKE :k"), like)]
            i = [r[0] for r in c.execute(sa.text("SELECT id FROM investor WHERE name_key LIKE :k"), like)]
            if not s and not i:
                return []
            return c.execute(
                sa.text(
                    "SELECT d.id, st.name, iv.name FROM deal d JOIN startup st ON st.id = d.startup_id"
                    " JOIN investor iv ON iv.id = d.investor_id"
                    " WHERE d.startup_id IN :s OR d.investor_id IN :i"
                    " ORDER BY d.id LIMIT 100"
                ).bindparams(sa.bindparam("s", expanding=True), sa.bindparam("i", expanding=True)),
                {"s": s or [-1], "i": i or [-1]},
            ).fetchall()

    return run


def cli_figures(url: str, db: str, deals: int) -> list[Result]:
    env = {**os.environ, "IRP_DATABASE_URL": as_login(url, Role.MANAGER)}
    figure = run_irp("funnel", "--json", env=env)
    mine, base = medians(figure, run_python("-c", "import sqlmodel"))
    spread = figures.last_spread
    print(f"  irp funnel --json: {mine:.2f} s", flush=True)
    return [
        Result(
            "`irp funnel --json`",
            db,
            label(deals),
            mine,
            base,
            "import sqlmodel",
            Goal("over", 0.3),
            spread=spread,
        )
    ]


def floor_figure() -> Result:
    """What the TUI cannot go below before it shows any data: loading Textual and SQLModel (with
    SQLAlchemy and pydantic), measured here so the TUI rows can be read against it."""
    (floor, _none) = medians(run_python("-c", "import textual.app, sqlmodel"), None)
    return Result(
        "imports alone: `textual.app` + `sqlmodel`", "-", "-", floor, None, "", Goal("info", 0),
        spread=figures.last_spread,
    )  # fmt: skip


def help_figure() -> Result:
    mine, base = medians(run_irp("--help"), run_python("-c", "import typer"))
    return Result(
        "`irp --help`", "-", "-", mine, base, "import typer", Goal("over", 0.15), spread=figures.last_spread
    )


ROWS_SHOWN = re.compile(rb"Startup \d+")


def tui_figures(url: str, db: str, deals: int) -> list[Result]:
    """``irp tui`` launched in a pseudo-terminal as the staff login: spawn → first frame, and
    → the pipeline's first rows on screen; the floor (``import textual.app, sqlmodel``) measured
    between launches, 7 of each."""
    irp = shutil.which("irp", path=str(Path(sys.executable).parent)) or "irp"
    env = {**os.environ, "IRP_DATABASE_URL": as_login(url, Role.STAFF)}
    floor = run_python("-c", "import textual.app, sqlmodel")
    frames, rows, floors = [], [], []
    launch([irp, "tui"], env, ROWS_SHOWN)  # warm the file cache
    for _ in range(REPEAT):
        shown = launch([irp, "tui"], env, ROWS_SHOWN)
        frames.append(shown.first_frame)
        rows.append(shown.first_rows)
        floors.append(timed(floor))
    size = label(deals)
    base = statistics.median(floors)
    print(f"  irp tui: frame {statistics.median(frames):.2f} s, rows {statistics.median(rows):.2f} s")
    return [
        Result(
            "`irp tui` in a pty: first frame", db, size, statistics.median(frames), None, "",
            Goal("max", 0.4), spread=(min(frames), max(frames)),
        ),
        Result(
            "`irp tui` in a pty: first rows", db, size, statistics.median(rows), base,
            "import textual.app, sqlmodel", Goal("over", 0.35), spread=(min(rows), max(rows)),
        ),
    ]  # fmt: skip


def flatness(results: list[Result]) -> list[Result]:
    """Each funnel figure at the largest size against the same figure at 100k: flat means the
    cost does not grow with the number of LOIs."""
    out = []
    for db in ("sqlite", "postgresql"):
        for figure in ("funnel, everything", "dashboard data", "funnel, one investor"):
            mine = [r for r in results if r.db == db and r.figure == figure]
            small = next((r for r in mine if r.size == "100k"), None)
            large = max(mine, key=lambda r: parse_size(r.size), default=None)
            if small is None or large is None or large is small:
                continue
            out.append(
                Result(
                    f"{figure}: {large.size} against 100k", db, large.size, large.value, small.value,
                    "the same at 100k", Goal("ratio", 1.3),
                )
            )  # fmt: skip
    return out


def import_figure(db: str) -> Result:
    from bench.bench_import import measure

    product, baseline = measure(db, 100_000)
    if db == "sqlite":
        return Result(
            "import of 100k LOI rows", db, "100k rows", product, baseline,
            "executemany of the same rows, trail and totals", Goal("ratio", 1.8),
        )  # fmt: skip
    return Result(
        "import of 100k LOI rows", db, "100k rows", product, baseline,
        "COPY of the same rows and totals, as the superuser", Goal("info", 0),
    )  # fmt: skip


def compile_product() -> None:
    """Byte-compile ``ir_pipeline`` and ``tui`` first, as installing a wheel does: with
    ``PYTHONDONTWRITEBYTECODE`` set (as on this machine's shells) an editable checkout would
    otherwise be compiled from source in every timed process, while the baselines' libraries
    (Typer, SQLModel) come precompiled from site-packages; about 0.2 s of each start."""
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("ir_pipeline", "tui"):
        compileall.compile_dir(root / package, quiet=1)


def merged(text: str, command: str, results: list[Result]) -> str:
    """The README with this run's rows in its table: a row of the same figure, database and size
    is replaced, the others are kept (runs on one database or size leave the rest in place), and
    the command is added to the list of runs behind the table."""
    head, _, tail = text.partition("<!-- results -->")
    made = [line for line in tail.splitlines() if line.startswith("- `python -m bench")]
    rows = [line for line in tail.splitlines() if line.startswith("| ") and not line.startswith("| figure")]
    fresh = markdown(results).splitlines()[2:]

    def key(line: str) -> tuple[str, ...]:
        return tuple(cell.strip() for cell in line.strip("|").split("|")[:3])

    new = {key(line): line for line in fresh}
    kept = [new.pop(key(line), line) for line in rows]
    table = markdown([]).splitlines() + kept + [line for line in fresh if key(line) in new]
    made.append(f"- `{command}` on {time.strftime('%Y-%m-%d')}")
    runs = "\n".join(dict.fromkeys(made))
    return f"{head}<!-- results -->\nMade with:\n\n{runs}\n\n" + "\n".join(table) + "\n"


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
            README.write_text(merged(README.read_text(encoding="utf-8"), command, results), encoding="utf-8")

    for db in dbs:
        for deals in sizes:
            print(f"{db}, {deals:,} deals", flush=True)
            url = dataset(db, deals, args.rebuild)
            results += query_figures(url, db, deals)
            results += cli_figures(url, db, deals)
            if not args.no_share:
                results += share_figures(url, db, label(deals))
            if not args.no_tui:
                results += tui_figures(url, db, deals)
            save()
        if not args.no_import:
            results.append(import_figure(db))
            save()
    results += flatness(results)
    results += [
        Result(f"data set built ({label(n)} deals)", db, label(n), took, None, "", Goal("max", 900.0))
        for (db, n), took in BUILT.items()
        if db == "postgresql"
    ]
    save()
    print(markdown(results))


if __name__ == "__main__":
    main()
