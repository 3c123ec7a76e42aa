"""What a command loads before it works: ``irp tui`` paints its first frame before any database
code is imported, and a read such as ``irp funnel --json`` never loads the write machinery
(trail, notices, running-totals writer) or the tables it does not read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ir_pipeline.db import make_engine
from ir_pipeline.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]


def _loaded(code: str, env: dict[str, str] | None = None) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_tui_command_and_its_first_frame_load_no_database_code() -> None:
    loaded = _loaded(
        "import ir_pipeline.cli.main, ir_pipeline.cli.tui_cmd, tui.app\n"
        "from ir_pipeline.config import Settings; Settings.load()"
    )
    assert "textual.app" in loaded
    database = {m for m in loaded if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "psycopg", "babel")}
    assert database == set()
    assert not {m for m in loaded if m.startswith("ir_pipeline.models")}


def test_a_funnel_read_loads_only_what_it_reads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lean.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    env = {**os.environ, "IRP_DATABASE_URL": url}
    loaded = _loaded(
        "import sys\nfrom ir_pipeline.cli.main import app\n"
        "sys.argv = ['irp', 'funnel', '--json']\n"
        "try:\n    app()\nexcept SystemExit as done:\n    assert not done.code, done.code",
        env,
    )
    assert "ir_pipeline.queries.funnel_cells" in loaded  # it did read the funnel
    unused = {
        "ir_pipeline.audit",
        "ir_pipeline.notify.outbox",
        "ir_pipeline.summaries.tracking",
        "ir_pipeline.models.outbox",
        "ir_pipeline.models.audit",
        "ir_pipeline.models.share",
        "httpx",
        "jinja2",
        "openpyxl",
    }
    assert unused & loaded == set()


def test_writes_still_keep_the_trail_and_the_totals_through_the_wired_hooks(tmp_path: Path) -> None:
    """The hooks load their modules on the first flush: a fresh process that only writes gets
    its audit row and running totals (nothing imported them for it beforehand)."""
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    env = {**os.environ, "IRP_DATABASE_URL": url}
    for args in (
        ["startup", "add", "Windcell"],
        ["investor", "add", "Hanbit"],
        ["deal", "open", "--startup", "Windcell", "--investor", "Hanbit"],
    ):
        subprocess.run(
            [str(Path(sys.executable).parent / "irp"), *args],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
        )
    engine = make_engine(url)
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM audit_log").scalar_one() >= 3
        assert (
            c.exec_driver_sql("SELECT n FROM funnel_sum WHERE scope = 'a' AND measure = 'deal'").scalar_one()
            == 1
        )
    engine.dispose()
