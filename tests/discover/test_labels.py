"""Short names of swept parameters, read from the base scenario where a path has indices."""

from __future__ import annotations

from sim.discover.labels import short_label
from tests.conftest import BASELINE, load_dict

OPTION = "parties.russia.conditions.ceasefire_options.any_of.option_2.all_of.1.at_least"


def test_a_condition_clause_is_named_by_its_option_and_issue():
    base = load_dict(BASELINE)
    assert short_label(OPTION, base) == "russia · option_2: elections at least"


def test_a_support_link_is_named_by_supporter_and_recipient():
    base = load_dict(BASELINE)
    assert short_label("war.support.0.level", base) == "support united_states → ukraine · level"


def test_other_paths_and_a_missing_base_use_the_generic_name():
    base = load_dict(BASELINE)
    assert short_label("parties.russia.fighting_cost", base) == "russia · fighting cost"
    assert short_label("war.support.0.level", None) == "war · support[0] · level"
    assert short_label(OPTION.replace("all_of.1", "all_of.7"), base).endswith("at least")
