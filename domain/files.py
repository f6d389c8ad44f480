"""Where the domain's data files (clauses, parameters, qualifications: TOML shipped in the
package) are read from: the package's own folder. ``importlib.resources`` would also read them
from a zipped package, which jcg is never installed as, and costs a command ~10 ms of imports
(tempfile, shutil, zipfile; bench/startup.py)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
