"""Mesa's core, ``Model`` and ``Agent``, without importing the rest of Mesa first.

``import mesa`` runs ``mesa/__init__.py``, which imports every subpackage: the
DataCollector (pandas), ``batch_run``, the spaces (SciPy's spatial module) and the
experimental modules. On 2 cores that costs about 0.85 s, against about 0.07 s for
``mesa.model`` and ``mesa.agent``, which are all a negotiation run needs
(``python -X importtime -c "import mesa"``).

So when Mesa is not imported yet, :func:`mesa_core` creates the ``mesa`` package module
from its spec without running its ``__init__`` and imports the two core modules into it.
The first access to any other name of the package (``mesa.DataCollector``,
``from mesa import batch_run``, ``mesa.__version__``) runs the ``__init__`` then, so every
other use of Mesa, ours (:mod:`sim.model.collect`, ``sim view``) or a user's, sees the
whole package, once it asks for it.

Mesa 3's logging helpers name their caller at import time with ``inspect.stack()`` and
``inspect.getouterframes()``, which look up the source file and module of every frame of
the import chain: about 20 ms under ``sim run``, whose chain is deep. While the core is
imported, :func:`_frames_without_source` gives those two functions the frame records
without source context (what they return for ``context=0``, minus the file lookups).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, ModuleType


def mesa_core() -> ModuleType:
    """The ``mesa`` package with ``mesa.model`` and ``mesa.agent`` imported (the rest
    of the package is loaded on the first access to any other of its names)."""
    if "mesa" not in sys.modules:
        spec = importlib.util.find_spec("mesa")
        if spec is None or spec.loader is None:
            raise ModuleNotFoundError("No module named 'mesa' (pip install mesa)", name="mesa")
        package = importlib.util.module_from_spec(spec)
        package.__getattr__ = _complete_on_access(package, spec)  # type: ignore[attr-defined]
        sys.modules["mesa"] = package
    with _frames_without_source():
        importlib.import_module("mesa.model")
        importlib.import_module("mesa.agent")
    return sys.modules["mesa"]


def _records(frame: FrameType | None) -> list[inspect.FrameInfo]:
    """``inspect.getouterframes(frame, 0)`` without its source and module lookups."""
    records = []
    while frame is not None:
        code = frame.f_code
        records.append(
            inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None)
        )
        frame = frame.f_back
    return records


@contextmanager
def _frames_without_source() -> Iterator[None]:
    """Within the block, ``inspect.stack`` and ``inspect.getouterframes`` return
    :func:`_records` (the module docstring says why)."""
    stack, outer = inspect.stack, inspect.getouterframes
    inspect.stack = lambda context=1: _records(sys._getframe(1))  # type: ignore[assignment]
    inspect.getouterframes = lambda frame, context=1: _records(frame)  # type: ignore[assignment]
    try:
        yield
    finally:
        inspect.stack, inspect.getouterframes = stack, outer


def _complete_on_access(package: ModuleType, spec) -> object:
    """A module ``__getattr__`` that runs the package's ``__init__`` once, on the first
    access to a name it has not defined, and then answers from the whole package."""
    completed = False

    def complete(name: str) -> object:
        nonlocal completed
        if completed:
            raise AttributeError(f"module 'mesa' has no attribute {name!r}")
        completed = True
        spec.loader.exec_module(package)
        return getattr(package, name)

    return complete


_core = mesa_core()
Model = _core.model.Model
Agent = _core.agent.Agent
