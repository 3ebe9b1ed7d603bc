"""How many passages a question retrieves by default and at most (light: the CLI reads these at start-up)."""

DEFAULT_K = 5
MAX_K = 20
