"""A command line that helps: descriptions and examples in every ``--help``, the nearest
valid key for a misspelled one, the right command named for the wrong kind of file,
full values in ``validate --diff`` and tidy numbers in result JSON."""

from __future__ import annotations

import json
import shlex

import pytest

from sim.cli import build_parser, main
from sim.output.folders import tidy_numbers, write_json
from sim.scenario.schema import Scenario
from sim.scenario.suggest import nearest_key
from tests.conftest import BASELINE, ROOT, write_yaml

COMMANDS = ["run", "validate", "solve", "sweep", "robustness", "backtest", "compare"]
COMMANDS += ["discover", "report", "schema", "import", "export", "view"]


def _subparsers():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def _examples(sub) -> list[str]:
    return [line.strip() for line in sub.epilog.splitlines()[1:]]


def test_every_command_has_a_description_and_working_examples(monkeypatch):
    subs = _subparsers()
    assert sorted(subs) == sorted(COMMANDS)
    monkeypatch.chdir(ROOT)
    for name, sub in subs.items():
        assert sub.description and sub.description.endswith("."), name
        examples = _examples(sub)
        assert examples and sub.epilog.startswith("examples:"), name
        for example in examples:
            words = shlex.split(example.split(">")[0])
            assert words[:2] == ["sim", name], example
            build_parser().parse_args(words[1:])  # exits (SystemExit) on a bad example
            for word in words:
                if word.startswith("scenarios/"):
                    assert (ROOT / word).exists(), f"{name}: {word} does not exist"


@pytest.mark.parametrize("example_of", ["validate", "sweep"])
def test_quick_examples_run_as_printed(monkeypatch, capsys, example_of):
    monkeypatch.chdir(ROOT)
    for example in _examples(_subparsers()[example_of]):
        words = shlex.split(example)[1:]
        if example_of == "sweep" and "--dry-run" not in words:
            continue
        assert main(words) == 0, example
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("protocol", "max_round"), "max_rounds"),
        (("parties", 0, "positons"), "positions"),
        (("parties", 0, "strategy", "paramz"), "params"),
        (("war", "complience"), "compliance"),
        (("events", 0, "history", "roundd"), "round"),
        (("events", 0, "support_change", "levle"), "level"),
        (("protocol", "zzzzzz"), None),
        (("parties", 0, "provenanse"), None),  # filled by the loader: never suggested
    ],
)
def test_nearest_key_follows_the_schema(loc, expected):
    assert nearest_key(Scenario.model_json_schema(), loc) == expected


def test_a_misspelled_key_names_the_nearest_valid_one(in_tmp, baseline_dict, capsys):
    baseline_dict["protocol"]["max_round"] = 3
    baseline_dict["parties"][0]["positons"] = {}
    code = main(["validate", str(write_yaml(in_tmp / "typo.yaml", baseline_dict))])
    err = capsys.readouterr().err
    assert code == 2
    assert "protocol.max_round: unknown key" in err and "did you mean 'max_rounds'?" in err
    assert "parties[0].positons: unknown key" in err and "did you mean 'positions'?" in err


def test_a_misspelled_sweep_key_names_the_nearest_valid_one(in_tmp, capsys):
    sweep = {"base": str(BASELINE), "replications": 1, "paramters": []}
    code = main(["sweep", "--dry-run", str(write_yaml(in_tmp / "s.yaml", sweep))])
    err = capsys.readouterr().err
    assert code == 2 and "paramters: unknown key (not part of the sweep format)" in err
    assert "did you mean 'parameters'?" in err


def test_the_wrong_kind_of_file_names_the_right_command(in_tmp, capsys):
    sweep = ROOT / "scenarios" / "sweeps" / "territory_salience_support.yaml"
    assert main(["run", str(sweep)]) == 2
    err = capsys.readouterr().err
    assert "this is a sweep file" in err and "sim sweep" in err and "problems" not in err
    assert main(["sweep", "--dry-run", str(BASELINE)]) == 2
    err = capsys.readouterr().err
    assert "this is a scenario file" in err and "sim run" in err
    assert not (in_tmp / "results").exists()


def test_validate_diff_shows_long_values_in_full(in_tmp, baseline_dict, capsys):
    long_title = "A counterfactual title " + "that goes on " * 12 + "to its very end"
    changed = dict(baseline_dict, title=long_title)
    changed["notes"] = [*baseline_dict["notes"], "An added note."]
    file = write_yaml(in_tmp / "changed.yaml", changed)
    assert main(["validate", "--diff", str(BASELINE), str(file)]) == 0
    out = capsys.readouterr().out
    assert "to its very end'" in out and "..." not in out
    assert f"+ notes[{len(baseline_dict['notes'])}]: 'An added note.'" in out


def test_json_numbers_are_rounded_and_residue_is_zero(tmp_path):
    data = {"a": 8.67e-19, "b": 0.9999999999999999, "c": [-0.0, 1 / 3], "d": 7, "e": "x"}
    tidy = tidy_numbers(data)
    assert tidy == {"a": 0.0, "b": 1.0, "c": [0.0, 0.333333333333], "d": 7, "e": "x"}
    assert str(tidy["c"][0]) == "0.0"
    write_json(tmp_path / "x.json", {"nan": float("nan"), **data})
    text = (tmp_path / "x.json").read_text()
    assert "e-19" not in text and "0.9999" not in text and "NaN" in text
    assert json.loads(text)["b"] == 1.0


def _floats(node):
    if isinstance(node, dict):
        return [x for value in node.values() for x in _floats(value)]
    if isinstance(node, list):
        return [x for value in node for x in _floats(value)]
    return [node] if isinstance(node, float) else []


def test_a_run_summary_has_no_float_residue(in_tmp):
    assert main(["run", str(BASELINE), "--no-plots", "--out", "r"]) == 0
    floats = _floats(json.loads((in_tmp / "r" / "summary.json").read_text()))
    assert floats
    assert all(x == 0 or abs(x) >= 1e-12 for x in floats)
    assert all(len(repr(abs(x)).replace("0.", "", 1).lstrip("0")) <= 17 for x in floats)
    assert all(x == float(f"{x:.12g}") for x in floats)
