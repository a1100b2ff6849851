"""The command line as a whole: entry points, help, version and error reporting."""

import subprocess
import sys

import pytest

from nnlearn import __version__
from nnlearn.cli import main


def test_python_dash_m_runs_the_cli():
    result = subprocess.run(
        [sys.executable, "-m", "nnlearn", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"nnlearn {__version__}"


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "commands" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_library_errors_become_a_one_line_message(capsys, monkeypatch):
    import nnlearn.tour

    def failing_run(**_):
        raise ValueError("lr must be a finite number > 0, got -1.0")

    monkeypatch.setattr(nnlearn.tour, "run", failing_run)
    assert main(["tour", "--no-figures"]) == 1
    assert capsys.readouterr().err == "nnlearn: error: lr must be a finite number > 0, got -1.0\n"


def test_output_piped_into_a_reader_that_stops_is_not_a_traceback():
    command = [sys.executable, "-m", "nnlearn", "tour", "--no-figures"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        process.stdout.close()  # like `| head -0`: the reader is gone before the tour prints
        stderr = process.stderr.read().decode()
        assert process.wait() in (0, 141)
    assert "Traceback" not in stderr
