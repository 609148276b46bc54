"""The README's promises that can be checked mechanically."""

from __future__ import annotations

from sim.behaviour.strategies import REGISTRY
from sim.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _first_commands() -> list[str]:
    blocks = README.split("```bash\n")[1:3]
    return [b.split("\n```")[0].strip() for b in blocks]


def test_readme_opens_with_two_commands_and_ci_runs_the_test_one():
    run_cmd, test_cmd = _first_commands()
    assert "sim run scenarios/istanbul_2025_06_02.yaml" in run_cmd
    assert "pytest" in test_cmd
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd in ci


def test_every_strategy_is_documented():
    for name in REGISTRY:
        assert f"| `{name}` |" in README, name


def test_every_cli_command_and_option_is_documented():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, cmd in sub.choices.items():
        assert f"`sim {name}" in README, name
        for action in cmd._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in README, (name, flag)
