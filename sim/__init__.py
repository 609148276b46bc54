"""Game-theoretic simulator of the Russia–Ukraine ceasefire negotiations, built on Mesa.

Layers (arrows point from importer to imported, never back):
``cli -> jobs -> model -> behaviour -> theory``; ``jobs -> output``; ``scenario`` is
imported by ``game``/``jobs`` and knows nothing of the engine.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ceasefire-sim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"
