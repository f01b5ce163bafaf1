"""The test command's closing figures (tests/figures.py): summed over processes, printed, and a
figure that must stay at zero fails the command."""
from __future__ import annotations

import pytest

from tests import figures


def test_figures_add_up_over_processes_and_a_nonzero_leak_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(figures.FIGURES_VAR, str(tmp_path))
    figures.record("routes_x_actors", 120)
    figures.record("routes_x_actors", 30)
    (tmp_path / "99999.jsonl").write_text('{"name": "routes_x_actors", "value": 50}\n{"name": "leaks", "value": 0}\n')
    assert figures.main(["figures", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "routes × actors covered: 200" in out and "leaks found: 0" in out
    assert "fuzz cases run" not in out  # not counted this run: not shown as a reassuring 0
    figures.record("leaks", 1)
    assert figures.main(["figures", str(tmp_path)]) == 1
    assert "leaks found" in capsys.readouterr().err


def test_an_undeclared_figure_is_refused_and_nothing_is_written_without_the_variable(tmp_path, monkeypatch):
    with pytest.raises(KeyError):
        figures.record("speed", 1)
    monkeypatch.delenv(figures.FIGURES_VAR, raising=False)
    figures.record("leaks", 1)  # a plain pytest run: no file anywhere
    assert list(tmp_path.iterdir()) == []
