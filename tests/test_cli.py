"""The `hybridmd` console command installed into the virtualenv."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hybridmd.cli import build_parser, main

SCRIPT = Path(sys.executable).with_name("hybridmd")


def test_console_script_is_installed_and_prints_help():
    result = subprocess.run(
        [str(SCRIPT), "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "usage: hybridmd" in result.stdout
    for command in ("manage", "audit-verify", "demo-seed"):
        assert command in result.stdout


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "usage: hybridmd" in capsys.readouterr().out


def test_unknown_command_is_an_error(capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["frobnicate"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
