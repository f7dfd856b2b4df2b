from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.settings import DB_ENV, resolve_db_path


def test_db_flag_wins_over_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env.db"))
    assert resolve_db_path(tmp_path / "flag.db") == tmp_path / "flag.db"


def test_db_environment_wins_over_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env.db"))
    assert resolve_db_path(None) == tmp_path / "env.db"


def test_db_default_is_per_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(DB_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve_db_path(None) == tmp_path / "data" / "newsweave" / "newsweave.db"


def test_db_may_be_a_postgresql_url_by_flag_or_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "postgresql://news@db.example:5432/news?sslmode=require"
    monkeypatch.setenv(DB_ENV, url)
    assert resolve_db_path(None) == url  # kept whole: a Path would fold its "//"
    assert resolve_db_path(str(tmp_path / "flag.db")) == tmp_path / "flag.db"
    monkeypatch.setenv(DB_ENV, str(tmp_path / "env.db"))
    assert resolve_db_path("postgres://news@/news") == "postgres://news@/news"
