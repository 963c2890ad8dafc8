"""Opening a store: files that are not Dari stores fail with one line naming the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from corpus.store import MIGRATIONS, Store, StoreError


def _other_programs_database(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE documents (x)")
    return path


def _newer_store(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    return path


def test_another_programs_sqlite_file_is_a_store_error_naming_the_file(tmp_path):
    path = _other_programs_database(tmp_path / "other.sqlite")
    with pytest.raises(StoreError, match=r"other\.sqlite: .*documents already exists"):
        Store(path)


def test_a_newer_schema_is_refused_by_name(tmp_path):
    path = _newer_store(tmp_path / "newer.sqlite")
    with pytest.raises(StoreError, match=r"newer\.sqlite: store schema version \d+ is newer"):
        Store(path)


@pytest.mark.parametrize("make", [_other_programs_database, _newer_store])
def test_a_refused_store_leaves_no_connection_open(tmp_path, make, monkeypatch):
    path = make(tmp_path / "refused.sqlite")
    opened: list[sqlite3.Connection] = []

    def recording_connect(*args, **kwargs):
        opened.append(real_connect(*args, **kwargs))
        return opened[-1]

    real_connect = sqlite3.connect
    monkeypatch.setattr("corpus.store.sqlite3.connect", recording_connect)
    with pytest.raises(StoreError):
        Store(path)
    assert len(opened) == 1
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        opened[0].execute("SELECT 1")


def test_a_fresh_store_is_created_at_the_current_schema(tmp_path):
    with Store(tmp_path / "fresh.sqlite") as store:
        assert store.schema_version == len(MIGRATIONS)


def test_report_names_a_refused_store_once(tmp_path):
    from corpus.report import ReportError, write_report

    path = _newer_store(tmp_path / "newer.sqlite")
    with pytest.raises(ReportError) as caught:
        write_report(path, tmp_path / "report.html")
    assert str(caught.value).count("newer.sqlite") == 1


STORE_COMMANDS = [
    ["stats"],
    ["pair"],
    ["pairs"],
    ["score"],
    ["score", "--train", "-o", "model.json"],
    ["report", "-o", "report.html"],
    ["export", "--format", "tsv", "-o", "-"],
]


@pytest.mark.parametrize("command", STORE_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("make", [None, _other_programs_database, _newer_store])
def test_store_commands_refuse_a_missing_or_foreign_store_in_one_line(
    tmp_path, monkeypatch, command, make
):
    from click.testing import CliRunner

    from cli import main

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "given.sqlite"
    if make is not None:
        make(path)
    result = CliRunner().invoke(main, [*command, "--store", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {path}: ")


def test_another_programs_database_is_left_untouched(tmp_path):
    """Tables that do not clash with Dari's used to be joined by Dari's schema and WAL."""
    path = tmp_path / "app.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE settings (key, value)")
    db.close()
    with pytest.raises(StoreError, match=r"app\.sqlite: not a Dari store.*settings"):
        Store(path)
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master")]
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    db.close()
    assert tables == ["settings"]
    assert journal == "delete"


def test_an_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
