"""Runs every Chinese feature in features/ against the real ledger (SQLite, and PostgreSQL when on).

The step definitions live in tests/steps/; importing them here makes them fixtures of
this module. Each scenario becomes a test named after its Chinese title.
"""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios

from tests.steps.audit import *  # noqa: F403
from tests.steps.cli import *  # noqa: F403
from tests.steps.common import *  # noqa: F403
from tests.steps.loans import *  # noqa: F403
from tests.steps.payments import *  # noqa: F403
from tests.steps.projects import *  # noqa: F403
from tests.steps.rules import *  # noqa: F403
from tests.steps.world import World


@pytest.fixture(autouse=True)
def scenario_ledger(world: World) -> World:
    """Steps ask for `world` lazily; this makes every scenario run once per database backend."""
    return world


scenarios(".")
