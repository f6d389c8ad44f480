"""Steps about the command line: run `jcg` as an officer types it, against the scenario's ledger."""

from __future__ import annotations

from pytest_bdd import then, when

from tests.steps.common import refusal_matches
from tests.steps.types import step
from tests.steps.world import World

ERROR = "错误："  # how jcg starts its one error line in Chinese


@when(step('经办人在命令行执行 "{line}"'))
def when_cli(world: World, line: str) -> None:
    world.run_cli(line)


@when(step("经办人在命令行执行:"))
def when_cli_docstring(world: World, docstring: str) -> None:
    world.run_cli(" ".join(docstring.split()))


@then("命令成功")
def then_cli_ok(world: World) -> None:
    assert world.cli is not None
    assert world.cli.exit_code == 0, world.cli.output


@then(step('命令输出包含 "{text}"'))
def then_cli_output(world: World, text: str) -> None:
    assert world.cli is not None
    assert text in world.cli.output, world.cli.output


@then(step("命令被拒绝 (退出码 {code:d}): {reason}"))
def then_cli_refused(world: World, code: int, reason: str) -> None:
    assert world.cli is not None
    assert world.cli.exit_code == code, world.cli.output
    lines = [line for line in world.cli.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(ERROR), world.cli.stderr
    assert refusal_matches(reason, lines[0]), lines[0]


@then(step("命令用法错误 (退出码 {code:d})"))
def then_cli_usage(world: World, code: int) -> None:
    assert world.cli is not None
    assert world.cli.exit_code == code, world.cli.output
    lines = [line for line in world.cli.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(ERROR), world.cli.stderr
