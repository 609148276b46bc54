"""Output: result folders (written atomically) and the plots drawn from their data."""
