"""Game-theory core: pure numpy functions, no Mesa, no scenario files, no command line."""
