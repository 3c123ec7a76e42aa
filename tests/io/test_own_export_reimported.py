"""irp's own LOI export, imported again: no warning about the columns irp itself wrote (the
rate snapshot), while a column nobody knows is still named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import irp


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_snapshot_columns_of_our_own_export_pass_without_a_word(
    demo_db_url: str, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"lois.{fmt}"
    assert irp("export", "lois", "-f", fmt, "-o", str(out), db=demo_db_url)[0] == 0
    code, stdout, err = irp("import", "lois", str(out), "--dry-run", db=demo_db_url)
    assert code == 0 and err == "", err
    assert "26 rows" in stdout and "skipped 26" in stdout
    text = tmp_path / "extra.csv"
    text.write_text("startup,investor,amount,received_on,fx_rate,colour\n", encoding="utf-8")
    code, _, err = irp("import", "lois", str(text), "--dry-run", db=demo_db_url)
    assert code == 0 and "'colour'" in err and "fx_rate" not in err
