"""``sim import`` / ``sim export``: GENIUS XML and GeniusWeb JSON, by hand and round trip."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from numpy.testing import assert_allclose

from sim.cli import main
from sim.interop import genius, geniusweb
from sim.interop.model import Line, Table
from sim.jobs.interop import export_scenario, import_files
from sim.jobs.load import load_game
from tests.conftest import DATA, SCENARIOS

LEASE = SCENARIOS / "domains" / "genius"
SUPPLY = SCENARIOS / "domains" / "geniusweb"
GDATA = DATA / "genius"
DAY = dt.date(2025, 1, 1)
LEASE_FILES = (LEASE / "lease-domain.xml", [LEASE / "lessor.xml", LEASE / "lessee.xml"])
SUPPLY_FILES = (SUPPLY / "domain.json", [SUPPLY / "supplier.json", SUPPLY / "buyer.json"])
CLAMP_FILES = (GDATA / "clamp-domain.xml", [GDATA / "clamp-a.xml", GDATA / "clamp-b.xml"])
SHIFT_FILES = (GDATA / "shift-domain.xml", [GDATA / "shift-a.xml", GDATA / "shift-b.xml"])


def _import(tmp_path: Path, files, name: str = "s.yaml") -> Path:
    domain, profiles = files
    domain = None if domain is None else str(domain)
    path, _ = import_files(None, domain, [str(p) for p in profiles], str(tmp_path / name), date=DAY)
    return path


# ------------------------------------------------------------------ reading, by hand


def test_integer_issue_counts_from_its_lower_bound():
    # lessee: slope -0.05, offset 1 on [6, 24]: u(6) = 1, u(24) = 1 - 0.05 * 18 = 0.1.
    # NegMAS's importer evaluates slope * x + offset: 0.7 at 6 months (wrong).
    domain = genius.read_domain(LEASE / "lease-domain.xml")
    lessee = genius.read_profile(LEASE / "lessee.xml", domain)
    line = lessee.evaluators[1]
    assert isinstance(line, Line)
    assert_allclose([line.low_utility, line.high_utility], [1.0, 0.1], atol=1e-12)
    assert_allclose(line.at(12, 6, 24), 0.7, atol=1e-12)  # 1 - 0.05 * (12 - 6)


def test_discrete_evaluations_divided_by_the_largest():
    domain = genius.read_domain(LEASE / "lease-domain.xml")
    lessor = genius.read_profile(LEASE / "lessor.xml", domain)
    assert lessor.evaluators[2] == Table((1.0, 0.5, 0.2))  # 10, 5, 2 over 10
    assert (lessor.reservation, lessor.discount) == (0.3, 0.95)


def test_clamped_integer_line_becomes_an_exact_table():
    domain = genius.read_domain(GDATA / "clamp-domain.xml")
    a = genius.read_profile(GDATA / "clamp-a.xml", domain)
    b = genius.read_profile(GDATA / "clamp-b.xml", domain)
    # -0.4 + 0.2 (u - 2) for u = 2..12, clamped to [0, 1]
    expected = [0, 0, 0, 0.2, 0.4, 0.6, 0.8, 1, 1, 1, 1]
    assert_allclose(a.evaluators[0].utilities, expected, atol=1e-12)
    assert a.evaluators[1] == Table((0.75, 1.0))
    assert b.evaluators[0] == Line(1.0, 0.0)
    assert (b.reservation, b.discount) == (0.2, None)  # GENIUS: d = 1 is no discounting


def test_lease_utilities_by_hand(tmp_path):
    game = load_game(_import(tmp_path, LEASE_FILES))
    assert [i.kind for i in game.scenario.issues] == [
        "integer",
        "discrete",
        "discrete",
        "continuous",
    ]
    # rent 1000, 12 months (label index 6), partly furnished (1), deposit 1.5 of [0, 3] -> 0.5
    x = np.array([1000, 6, 1, 0.5])
    # lessor: 0.5·0.5 + 0.2·(0.2 + 0.8·6/18) + 0.1·0.5 + 0.2·0.5 = 0.49333...
    # lessee: 0.45·0.5 + 0.25·(1 − 0.05·6) + 0.2·0.6 + 0.1·0.5 = 0.57
    assert_allclose(
        game.prefs.utilities(x)[0], [0.25 + 0.2 * (0.2 + 0.8 / 3) + 0.15, 0.57], atol=1e-12
    )
    assert game.fixed_reservation.tolist() == [0.3, 0.25]
    assert game.discount[0] == 0.95 and np.isnan(game.discount[1])
    # the files' own arithmetic (GENIUS's formulas on the raw values) says the same
    domain = genius.read_domain(LEASE / "lease-domain.xml")
    raw = [genius.read_profile(LEASE / f, domain) for f in ("lessor.xml", "lessee.xml")]
    own = [p.utility(domain, (1000, "12", "partly", 1.5)) for p in raw]
    assert_allclose(own, game.prefs.utilities(x)[0], atol=1e-12)


def test_geniusweb_reservation_bid_is_its_utility(tmp_path):
    game = load_game(_import(tmp_path, SUPPLY_FILES))
    # buyer's bid: price 18 (0.4·0.2), quantity 100 (0.1·0.4), 1 month (0.3·0.2), warranty 0.5 (0)
    assert_allclose(game.fixed_reservation, [0.0, 0.08 + 0.04 + 0.06], atol=1e-12)
    kinds = {i.id: i.kind for i in game.scenario.issues}
    assert kinds == {
        "price": "integer",
        "quantity": "discrete",
        "delivery": "discrete",
        "warranty": "discrete",
    }
    assert game.scenario.issue("warranty").values == ["0.5", "1.0", "1.5", "2.0", "2.5"]


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize(
    ("files", "fmt"),
    [
        (LEASE_FILES, "genius"),
        (CLAMP_FILES, "genius"),
        (SHIFT_FILES, "genius"),
        (SUPPLY_FILES, "geniusweb"),
    ],
    ids=["lease", "clamp", "shift", "supply"],
)
def test_import_export_import_is_the_same_domain(tmp_path, files, fmt):
    first = _import(tmp_path, files, "a.yaml")
    folder, names, _ = export_scenario(str(first), fmt, str(tmp_path / "x"))
    ext = ".xml" if fmt == "genius" else ".json"
    profiles = [folder / n for n in names if n != f"domain{ext}"]
    second = _import(tmp_path, (folder / f"domain{ext}", profiles), "b.yaml")
    a, b = (yaml.safe_load(p.read_text(encoding="utf-8")) for p in (first, second))
    a.pop("description"), b.pop("description")  # names the files read (clamp-a.xml, clamp_a.xml)
    assert a == b


def test_clamped_issue_is_written_as_discrete_items(tmp_path):
    # a clamped line is a table after import (a discrete issue over 2..12); its best value
    # is 1, so GENIUS reads it back unchanged as discrete items
    folder, _, _ = export_scenario(
        str(_import(tmp_path, CLAMP_FILES)), "genius", str(tmp_path / "x")
    )
    domain = genius.read_domain(folder / "domain.xml")
    assert domain.issues[0].values == tuple(str(k) for k in range(2, 13))


def _outcomes(game):
    axes = []
    for issue in game.scenario.issues:
        lo, hi = issue.span()
        step = 1.0 if issue.kind != "continuous" else 0.05
        axes.append(np.arange(lo, hi + step / 2, step))
    return np.array(list(itertools.product(*axes)))


def test_job_offer_exported_and_imported_has_the_same_utilities(tmp_path):
    original = load_game(SCENARIOS / "textbook_job_offer.yaml")
    folder, _, notes = export_scenario(
        str(SCENARIOS / "textbook_job_offer.yaml"), "genius", str(tmp_path / "x")
    )
    assert any("red line of candidate on salary" in n for n in notes)
    back = load_game(
        _import(
            tmp_path, (folder / "domain.xml", [folder / "employer.xml", folder / "candidate.xml"])
        )
    )
    x = _outcomes(original)
    assert len(x) == 21 * 3 * 6 * 3 * 21
    # remote (integer 0..5, quadratic) comes back as discrete labels 0..5: index = value - 0
    assert back.scenario.issues[2].kind == "discrete"
    assert_allclose(back.prefs.utilities(x), original.prefs.utilities(x), atol=1e-12, rtol=0)
    assert_allclose(back.fixed_reservation, original.fixed_reservation, atol=0)


def test_geniusweb_export_finds_a_reservation_bid(tmp_path):
    folder, _, _ = export_scenario(
        str(_import(tmp_path, SUPPLY_FILES)), "geniusweb", str(tmp_path / "x")
    )
    buyer = json.loads((folder / "buyer.json").read_text())["LinearAdditiveUtilitySpace"]
    bid = buyer["reservationBid"]["issuevalues"]
    domain = geniusweb.read_domain(folder / "domain.json")
    _, profile, _ = geniusweb.read_profile(folder / "buyer.json", domain)
    assert profile.reservation == pytest.approx(0.18, abs=1e-12)
    assert set(bid) == {"price", "quantity", "delivery", "warranty"}


# ------------------------------------------------------------------ CLI end to end


def test_cli_import_then_run_then_export(tmp_path, capsys):
    out = tmp_path / "supply.yaml"
    files = [str(p) for p in SUPPLY_FILES[1]]
    assert main(["import", *files, "--out", str(out), "--date", "2025-01-01"]) == 0
    assert "reservationBid read as its utility 0.18" in capsys.readouterr().err
    assert main(["run", str(out), "--out", str(tmp_path / "run"), "--no-plots"]) == 0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["outcome"] in {"agreement", "no agreement"}
    assert main(["export", str(out), "--format", "geniusweb", "--out", str(tmp_path / "gw")]) == 0
    assert sorted(p.name for p in (tmp_path / "gw").iterdir()) == [
        "buyer.json",
        "domain.json",
        "supplier.json",
    ]


# ------------------------------------------------------------------ bad input


def _bad(tmp_path: Path, capsys, argv: list[str]) -> str:
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    return err


def _profile_copy(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    path = tmp_path / source.name
    text = source.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("source", "old", "new", "expected"),
    [
        (LEASE / "lessee.xml", "</utility_space>", "", "malformed XML"),
        (
            LEASE / "lessee.xml",
            '<weight index="1" value="0.45"/>',
            '<weight index="1" value="0.5"/>',
            "weights: sum to 1.05",
        ),
        (
            LEASE / "lessee.xml",
            'ftype="linear" parameter0="1.0"',
            'ftype="triangular" parameter0="1.0"',
            "'triangular' is not linear",
        ),
        (
            LEASE / "lessee.xml",
            'parameter0="1.0" parameter1="-0.3333333333333333"',
            'parameter0="0.9" parameter1="-0.1"',
            "the full line",
        ),
        (
            LEASE / "lessee.xml",
            'name="Furnished" type="discrete"',
            'name="Furnished" type="fuzzy"',
            "unknown issue type 'fuzzy'",
        ),
        (
            LEASE / "lessee.xml",
            '<item index="1" value="no" evaluation="0.1"/>',
            "",
            "no evaluation for value(s) ['no']",
        ),
    ],
    ids=["malformed", "weights", "triangular", "partial-real", "type", "missing-item"],
)
def test_bad_genius_profile(tmp_path, capsys, source, old, new, expected):
    bad = _profile_copy(tmp_path, source, old, new)
    argv = [
        "import",
        "--domain",
        str(LEASE / "lease-domain.xml"),
        str(LEASE / "lessor.xml"),
        str(bad),
    ]
    err = _bad(tmp_path, capsys, [*argv, "--out", str(tmp_path / "s.yaml")])
    assert bad.name in err and expected in err


def test_weights_may_be_normalised_on_request(tmp_path, capsys):
    bad = _profile_copy(
        tmp_path,
        LEASE / "lessee.xml",
        '<weight index="1" value="0.45"/>',
        '<weight index="1" value="0.5"/>',
    )
    argv = [
        "import",
        "--domain",
        str(LEASE / "lease-domain.xml"),
        str(LEASE / "lessor.xml"),
        str(bad),
    ]
    assert main([*argv, "--out", str(tmp_path / "s.yaml"), "--normalise-weights"]) == 0
    assert "weights summed to 1.05; divided by their sum" in capsys.readouterr().err
    game = load_game(tmp_path / "s.yaml")
    assert_allclose(game.prefs.weights[1], np.array([0.5, 0.25, 0.2, 0.1]) / 1.05, atol=1e-15)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"issueWeights": {', '"issueWeights": [', "malformed JSON"),
        ('"step": 100', '"step": 0', "needs low < high and step > 0"),
        ('"values": [', '"labels": [', "unknown value set"),
        ('"lowUtility": 0.4', '"lowUtility": 1.4', "utilities must lie in [0, 1]"),
        ('"price": 18', '"price": 25', "is not a value of the issue"),
        ('"name": "supply"', '"name": "other"', "differs from the domain 'supply'"),
    ],
    ids=["malformed", "step", "value-set", "utility", "bid", "other-domain"],
)
def test_bad_geniusweb_profile(tmp_path, capsys, old, new, expected):
    bad = _profile_copy(tmp_path, SUPPLY / "buyer.json", old, new)
    err = _bad(
        tmp_path,
        capsys,
        ["import", str(SUPPLY / "supplier.json"), str(bad), "--out", str(tmp_path / "s.yaml")],
    )
    assert bad.name in err and expected in err


def test_missing_file_and_existing_output(tmp_path, capsys):
    err = _bad(
        tmp_path,
        capsys,
        [
            "import",
            "--domain",
            str(tmp_path / "nope.xml"),
            str(LEASE / "lessor.xml"),
            str(LEASE / "lessee.xml"),
            "--out",
            str(tmp_path / "s.yaml"),
        ],
    )
    assert "nope.xml: file not found" in err
    (tmp_path / "s.yaml").write_text("keep", encoding="utf-8")
    err = _bad(
        tmp_path,
        capsys,
        [
            "import",
            "--domain",
            *map(str, [LEASE_FILES[0], *LEASE_FILES[1]]),
            "--out",
            str(tmp_path / "s.yaml"),
        ],
    )
    assert "exists" in err and (tmp_path / "s.yaml").read_text() == "keep"


def test_export_refuses_what_the_format_cannot_hold(tmp_path, capsys):
    job = str(SCENARIOS / "textbook_job_offer.yaml")
    err = _bad(
        tmp_path, capsys, ["export", job, "--format", "geniusweb", "--out", str(tmp_path / "gw")]
    )
    assert "continuous issue(s)" in err and "GeniusWeb value sets are finite" in err
    data = yaml.safe_load(Path(job).read_text(encoding="utf-8"))
    data["parties"][0]["positions"]["bonus"]["loss"] = "quadratic"
    src = tmp_path / "quad.yaml"
    src.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    err = _bad(
        tmp_path, capsys, ["export", str(src), "--format", "genius", "--out", str(tmp_path / "g")]
    )
    assert "parties.employer.positions.bonus" in err and "loss: linear" in err


def test_a_line_below_one_goes_back_to_genius_as_an_integer_issue(tmp_path):
    # lessor's lease length 0.2 -> 0.8: imported as labels 6..24 whose best score is 0.8,
    # which GENIUS would rescale as a discrete table; export writes the integer line again
    lessor = _profile_copy(
        tmp_path, LEASE / "lessor.xml", 'utilityHighestValue="1.0"', 'utilityHighestValue="0.8"'
    )
    files = (LEASE / "lease-domain.xml", [lessor, LEASE / "lessee.xml"])
    first = _import(tmp_path, files, "a.yaml")
    assert (
        max(
            yaml.safe_load(first.read_text())["parties"][0]["positions"]["lease_length_months"][
                "values"
            ].values(),
            key=lambda v: v["value"],
        )["value"]
        == 0.8
    )
    folder, _, _ = export_scenario(str(first), "genius", str(tmp_path / "x"))
    domain = genius.read_domain(folder / "domain.xml")
    assert domain.issues[1].kind == "integer" and (domain.issues[1].low, domain.issues[1].high) == (
        6,
        24,
    )
    assert genius.read_profile(folder / "lessor.xml", domain).evaluators[1] == Line(0.2, 0.8)
    second = _import(
        tmp_path, (folder / "domain.xml", [folder / "lessor.xml", folder / "lessee.xml"]), "b.yaml"
    )
    a, b = (yaml.safe_load(p.read_text(encoding="utf-8")) for p in (first, second))
    assert a["parties"] == b["parties"] and a["issues"] == b["issues"]


def test_a_table_genius_would_rescale_is_refused(tmp_path, capsys):
    data = yaml.safe_load((SCENARIOS / "textbook_job_offer.yaml").read_text(encoding="utf-8"))
    data["parties"][0]["positions"]["role"]["values"]["junior"]["value"] = 0.8
    src = tmp_path / "job.yaml"
    src.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    err = _bad(
        tmp_path, capsys, ["export", str(src), "--format", "genius", "--out", str(tmp_path / "g")]
    )
    assert "the best value scores 0.8, not 1" in err and "Job title" in err


def test_bad_options(tmp_path, capsys):
    lease = [str(LEASE / "lessor.xml"), str(LEASE / "lessee.xml")]
    out = ["--out", str(tmp_path / "s.yaml")]
    err = _bad(
        tmp_path,
        capsys,
        ["import", "--domain", str(LEASE / "lease-domain.xml"), *lease, *out, "--strategy", "nope"],
    )
    assert "unknown strategy 'nope'" in err
    err = _bad(tmp_path, capsys, ["import", *lease, *out])
    assert "--domain" in err
    err = _bad(
        tmp_path, capsys, ["import", str(LEASE / "lessor.xml"), str(SUPPLY / "buyer.json"), *out]
    )
    assert "--format" in err
    nested = _profile_copy(
        tmp_path,
        LEASE / "lessee.xml",
        '<weight index="1"',
        '<objective index="9" name="sub"/><weight index="1"',
    )
    err = _bad(
        tmp_path,
        capsys,
        ["import", "--domain", str(LEASE / "lease-domain.xml"), lease[0], str(nested), *out],
    )
    assert "nested objectives" in err


def test_ranges_not_starting_at_zero_the_negmas_case(tmp_path):
    game = load_game(
        _import(
            tmp_path, (GDATA / "shift-domain.xml", [GDATA / "shift-a.xml", GDATA / "shift-b.xml"])
        )
    )
    price, delay = game.scenario.issues
    assert (price.kind, price.range) == ("integer", (-5, 5))
    assert delay.kind == "discrete" and delay.values[0] == "10"  # shift-b's delay line is partial
    # a: price −5 → 0, delay 10 → 1: 0.75·0 + 0.25·1; b: price −5 → 1, delay 10 → 0.5
    # (NegMAS would give a: 0.75·(−0.5) + 0.25·0 and b: 0.4·1.5 + 0.6·1)
    assert_allclose(game.prefs.utilities(np.array([-5, 0]))[0], [0.25, 0.4 + 0.3], atol=1e-12)
    # price 2, delay 17 (label index 7): a: 0.75·0.7 + 0.25·0.3; b: 0.4·0.3 + 0.6·0.85
    assert_allclose(game.prefs.utilities(np.array([2, 7]))[0], [0.6, 0.12 + 0.51], atol=1e-12)
    assert game.fixed_reservation.tolist() == [0.0, 0.1]
    assert np.isnan(game.discount).all()  # discount_factor 0: none, as in GENIUS


def test_geniusweb_range_with_a_step_that_misses_the_high_end(tmp_path):
    # numbers 0.0, 0.3, 0.6, 0.9 (1 is not reached); the line is defined on [low, high] = [0, 1]
    domain = {
        "name": "d",
        "issuesValues": {
            "x": {"range": {"low": 0, "high": 1, "step": 0.3}},
            "y": {"values": ["a", "b"]},
        },
    }
    files = []
    for name, (lo, hi) in {"p": (0.0, 1.0), "q": (1.0, 0.5)}.items():
        body = {
            "issueUtilities": {
                "x": {
                    "NumberValueSetUtilities": {
                        "lowValue": 0,
                        "lowUtility": lo,
                        "highValue": 1,
                        "highUtility": hi,
                    }
                },
                "y": {"DiscreteValueSetUtilities": {"valueUtilities": {"a": 1, "b": 0}}},
            },
            "issueWeights": {"x": 0.5, "y": 0.5},
            "domain": domain,
            "name": name,
        }
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps({"LinearAdditiveUtilitySpace": body}), encoding="utf-8")
    game = load_game(_import(tmp_path, (None, files)))
    assert game.scenario.issue("x").values == ["0.0", "0.3", "0.6", "0.9"]
    assert_allclose(game.prefs.tables[0], [[0, 0.3, 0.6, 0.9], [1, 0.85, 0.7, 0.55]], atol=1e-12)


@pytest.mark.parametrize(
    ("shipped", "files", "strategy"),
    [("lease.yaml", LEASE_FILES, "boulware"), ("supply.yaml", (None, SUPPLY_FILES[1]), "conceder")],
)
def test_shipped_imported_scenarios_are_what_import_writes(tmp_path, shipped, files, strategy):
    domain, profiles = files
    path, _ = import_files(
        None,
        None if domain is None else str(domain),
        [str(p) for p in profiles],
        str(tmp_path / shipped),
        date=DAY,
        strategy=strategy,
    )
    text = (SCENARIOS / "domains" / shipped).read_text(encoding="utf-8")
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))
    assert body == path.read_text(encoding="utf-8")


def test_profile_issue_without_type_takes_the_domains(tmp_path):
    bare = _profile_copy(
        tmp_path,
        GDATA / "shift-b.xml",
        'name="price" type="integer" etype="integer" vtype="integer"',
        'name="price"',
    )
    files = (GDATA / "shift-domain.xml", [GDATA / "shift-a.xml", bare])
    assert load_game(_import(tmp_path, files)).scenario.issues[0].kind == "integer"


def test_geniusweb_profile_without_its_domain(tmp_path, capsys):
    data = json.loads((SUPPLY / "buyer.json").read_text(encoding="utf-8"))
    del data["LinearAdditiveUtilitySpace"]["domain"]
    bare = tmp_path / "buyer.json"
    bare.write_text(json.dumps(data), encoding="utf-8")
    game = load_game(_import(tmp_path, (SUPPLY / "domain.json", [SUPPLY / "supplier.json", bare])))
    assert game.party_ids == ("supplier", "buyer")
    # without --domain the first profile's domain is the domain: a bare first profile fails
    err = _bad(
        tmp_path,
        capsys,
        ["import", str(bare), str(SUPPLY / "supplier.json"), "--out", str(tmp_path / "t.yaml")],
    )
    assert "buyer.json: LinearAdditiveUtilitySpace.domain: missing" in err
