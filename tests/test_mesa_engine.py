"""The model imports Mesa's core only; the rest of Mesa loads on first use (sim/model/engine.py)."""

import json
import subprocess
import sys

PROBE = """
import inspect, json, sys
stack, outer = inspect.stack, inspect.getouterframes
import sim.jobs.run
heavy = ("pandas", "mesa.datacollection", "mesa.batchrunner")
loaded = sorted(m for m in heavy if m in sys.modules)
import importlib.metadata, mesa.model
from mesa import batch_run
print(json.dumps({
    "loaded_by_a_run": loaded,
    "model_is_mesa_model": sim.jobs.run.NegotiationModel.__mro__[1] is mesa.Model,
    "collector": mesa.DataCollector.__module__,
    "batch_run": batch_run.__module__,
    "version": mesa.__version__ == importlib.metadata.version("mesa"),
    "pandas_after": "pandas" in sys.modules,
    "inspect_restored": (inspect.stack, inspect.getouterframes) == (stack, outer),
    "mesa_logger": mesa.model._mesa_logger.name,
}))
"""


def test_a_run_imports_only_mesas_core_and_the_whole_package_loads_on_first_use():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    facts = json.loads(out.stdout)
    assert facts == {
        "loaded_by_a_run": [],
        "model_is_mesa_model": True,
        "collector": "mesa.datacollection",
        "batch_run": "mesa.batchrunner",
        "version": True,
        "pandas_after": True,
        "inspect_restored": True,
        "mesa_logger": "MESA.mesa.model",
    }


def test_a_missing_name_of_the_completed_package_is_an_attribute_error():
    code = (
        "import sim.model.engine, mesa\nmesa.Model\n"
        "try:\n    mesa.no_such_name\nexcept AttributeError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "no attribute 'no_such_name'" in out.stdout


def test_the_package_version_is_the_installed_one():
    import importlib.metadata

    import sim

    assert sim.__version__ == importlib.metadata.version("ceasefire-sim")
