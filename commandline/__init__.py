"""The click command groups of `jcg`, one module per group; `cli.py` is the entry."""
