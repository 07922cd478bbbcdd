"""The README's examples run as written."""

from __future__ import annotations

import re
import shlex

from typer.testing import CliRunner

from query.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_library_example_runs(tmp_path, monkeypatch, capsys):
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    output = capsys.readouterr().out
    assert "我区与浙商银行签署战略合作协议" in output
    assert "(('2022-12', 1),)" in output


def test_cli_session_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    session = re.search(r"```console\n(.*?)```", README, re.S).group(1)
    commands = [line[2:].split("  #")[0] for line in session.splitlines() if line.startswith("$ ")]
    assert len(commands) >= 8
    runner = CliRunner()
    outputs = []
    for command in commands:
        args = [arg if arg != "sample-index" else str(tmp_path / "ix") for arg in shlex.split(command)[1:]]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (command, result.output)
        outputs.append(result.output)
    assert "7 added" in outputs[0]
    assert "我区与浙商银行签署战略合作协议  拱墅报 · 2022-12-15 · 1版" in outputs[1]
    assert "1 matches" in outputs[2]
    assert "拱墅" in outputs[3]
    assert "did you mean 拱墅?" in outputs[4]
