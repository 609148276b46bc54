"""Jobs: what the command line does (run, solve, sweep, compare, report), as an importable API."""
