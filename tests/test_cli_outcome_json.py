"""`--format json` on every writing command: the command tree is walked, so a new writing command
without it fails here; the JSON names what was recorded (ids, amounts as exact strings, request
id, log position)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import click
from click.testing import Result

import cli
from ledger import Ledger
from ledger.infra.keys import Keyring, KeyStore
from tests.conftest import APPROVER, KEY_PASSPHRASE

Jcg = Callable[..., Result]

# Commands that record nothing in the ledger (they read it, or write a file outside it): each says why.
READERS = {
    "audit consistency", "audit prove", "audit replay", "audit trail", "audit verify",
    "captable export", "captable show", "export beancount", "fund list", "fund show", "grant show",
    "loan list", "loan show", "officer list", "party list", "party show", "payment pending",
    "policy calc",  # a dry run
    "policy list", "policy show", "policy what-if",  # recomputes under a proposed book, writes nothing
    "project show", "report balances", "report budgets", "report caps", "report funds", "report loans",
    "report recipients", "serve",
    "officer keygen",  # the officer's own key file, on their machine; the ledger learns it by `officer add`
    "officer unlock", "officer lock",  # start or end the officer's key agent; nothing enters the ledger
}
# Commands whose output is itself a format other tools read, or that make a whole ledger.
OWN_OUTPUT = {
    "init", "demo",  # create a ledger (tables, key) or a worked example on a new one
}


def leaves(group: click.Group, ctx: click.Context, path: str = "") -> Iterator[tuple[str, click.Command]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        full = f"{path} {name}".strip()
        if isinstance(command, click.Group):
            yield from leaves(command, ctx, full)
        else:
            yield full, command


def takes_json(command: click.Command) -> bool:
    return any(isinstance(p, click.Option) and "--format" in p.opts and isinstance(p.type, click.Choice)
               and "json" in p.type.choices for p in command.params)


def test_every_writing_command_takes_format_json() -> None:
    ctx = click.Context(cli.main)
    commands = dict(leaves(cli.main, ctx))
    assert len(commands) > 60, sorted(commands)  # the walk reached every group
    assert READERS | OWN_OUTPUT <= set(commands), sorted((READERS | OWN_OUTPUT) - set(commands))
    writers = {name for name in commands if name not in READERS | OWN_OUTPUT}
    assert {"grant import", "officer add", "grant disburse", "loan pay", "project disburse"} <= writers
    missing = sorted(name for name in writers if not takes_json(commands[name]))
    assert not missing, f"writing commands without --format json: {missing}"
    # a command that takes a request id records a request: it is never counted a reader
    with_request_id = {name for name, c in commands.items() if any(p.name == "request_id" for p in c.params)}
    assert not with_request_id & READERS, with_request_id & READERS


def parties(jcg: Jcg) -> None:
    for code, kind in (("U1", "university"), ("E1", "enterprise")):
        r = jcg("party", "register", code, "--name", f"{code} 名称", "--kind", kind, "--entered", "2024-12-01",
                "--decided", "2025-01-02", "--format", "json")
        assert r.exit_code == 0, r.output
        assert recorded(r)["data"] == {"party": code, "kind": kind}


IDS = {"party", "award", "payment", "project", "loan", "fund", "officer", "holder"}


def recorded(r: Result) -> dict[str, object]:
    """The JSON outcome of a write, checked: the request id and log position, an id of what was
    recorded, and every amount an exact string (never a JSON number)."""
    assert r.exit_code == 0, r.output + r.stderr
    body: dict[str, object] = json.loads(r.stdout)
    assert body["recorded"] is True and body["already_recorded"] is False
    assert isinstance(body["request_id"], str) and body["request_id"]
    assert isinstance(body["position"], int) and body["position"] > 0
    data = body["data"]
    assert isinstance(data, dict) and IDS & set(data), data

    def no_numbers(value: object) -> None:
        assert not isinstance(value, float) and not (isinstance(value, int) and not isinstance(value, bool)), value
        for v in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
            no_numbers(v)

    no_numbers({k: v for k, v in data.items() if k not in ("recorded", "skipped")})  # counts are numbers
    for key in ("amount", "paid", "voided", "awarded"):
        if key in data:
            assert isinstance(data[key], str) and str(data[key]).count(".") == 1, data
    return body


def test_writing_commands_answer_with_ids_amounts_as_strings_request_id_and_position(jcg: Jcg,
                                                                                      provisioned_url: str) -> None:
    parties(jcg)
    positions = [recorded(jcg("party", "qualify", "E1", "高新技术企业", "--granted", "2024-12-20",
                              "--decided", "2025-01-03", "--format", "json"))["position"]]
    award = recorded(jcg("grant", "award", "P2.4", "--recipient", "U1", "--basis", "contract_value=7654321.09",
                         "--basis", "contract=HT-1", "--basis", "registered_on=2024-11-01", "--basis",
                         "counterparty=E1", "--decided", "2025-03-01", "--ref", "临科发〔2025〕12号",
                         "--request-id", "award-1", "--format", "json"))
    assert award["request_id"] == "award-1" and award["data"]["amount"] == "153086.42"  # type: ignore[index]  # JSON
    order = recorded(jcg("grant", "disburse", "U1-A1", "--amount", "10万", "--voucher", "付-1", "--decided",
                         "2025-03-10", "--format", "json"))
    posted = recorded(jcg("--officer", APPROVER, "payment", "post", "付-1", "--source", "市财政", "--decided",
                          "2025-03-11", "--format", "json"))
    clawed = recorded(jcg("grant", "claw-back", "U1-A1", "--amount", "1万", "--reason", "考核不合格", "--decided",
                          "2025-09-01", "--format", "json"))
    positions += [b["position"] for b in (award, order, posted, clawed)]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


def test_grant_import_in_json_names_each_row(jcg: Jcg, tmp_path: Path) -> None:
    parties(jcg)
    csv = tmp_path / "awards.csv"
    csv.write_text("request_id,action,clause,recipient,basis,amount,decided,ref,reason,source,award,voucher,matter\n"
                   "imp-1,award,P2.4,U1,contract_value=7654321.09;contract=HT-1;registered_on=2024-11-01;counterparty=E1,,2025-03-01,临科发〔2025〕12号,,,,,\n"
                   "imp-2,disburse,,,,100000,2025-03-10,,,,U1-A1,付-001,\n", encoding="utf-8")
    r = jcg("grant", "import", str(csv), "--format", "json")
    assert r.exit_code == 0, r.output + r.stderr
    body = json.loads(r.stdout)
    assert body["kind"] == "grant.import" and body["recorded"] is True
    assert body["data"]["recorded"] == 2 and body["data"]["awarded"] == "153086.42"
    rows = body["data"]["rows"]
    assert [(x["row"], x["request_id"], x["kind"], x["recorded"]) for x in rows] == [
        (2, "imp-1", "grant.award-by-rule", True), (3, "imp-2", "grant.disburse", True)]
    assert rows[0]["data"]["award"] == "U1-A1" and rows[0]["data"]["amount"] == "153086.42"
    assert rows[1]["data"]["amount"] == "100000.00" and rows[1]["data"]["status"] == "pending"
    assert isinstance(rows[0]["position"], int) and rows[1]["position"] > rows[0]["position"]
    again = json.loads(jcg("grant", "import", str(csv), "--format", "json").stdout)
    assert again["data"]["recorded"] == 0 and [x["recorded"] for x in again["data"]["rows"]] == [False, False]
    bad = tmp_path / "bad.csv"
    bad.write_text(csv.read_text(encoding="utf-8").replace("imp-1", "imp-9").replace("7654321.09", "-1"),
                   encoding="utf-8")
    refused = jcg("grant", "import", str(bad), "--format", "json")
    assert refused.exit_code == 1 and refused.stdout == "" and "bad rows in bad.csv" in refused.stderr


def test_officer_add_in_json(jcg: Jcg, provisioned_url: str, key_dir: Path) -> None:
    keyring = Keyring(KeyStore(key_dir, KEY_PASSPHRASE))
    from ledger.handlers.officers import keygen

    public = keygen(keyring.store, "li.na")
    r = jcg("--officer", APPROVER, "officer", "add", "li.na", "--role", "officer", "--public-key", public,
            "--decided", "2025-01-02", "--request-id", "add-li", "--format", "json")
    assert r.exit_code == 0, r.output + r.stderr
    body = json.loads(r.stdout)
    assert body["kind"] == "officer.add" and body["request_id"] == "add-li" and body["recorded"] is True
    assert body["data"]["officer"] == "li.na" and body["data"]["role"] == "officer"
    assert body["data"]["key_id"] and body["data"]["key_id"] in body["message"]
    ledger = Ledger.open(provisioned_url)
    try:
        assert body["position"] == ledger.recorder.max_notification_id()
    finally:
        ledger.close()
    again = json.loads(jcg("--officer", APPROVER, "officer", "add", "li.na", "--role", "officer", "--public-key",
                           public, "--decided", "2025-01-02", "--request-id", "add-li", "--format", "json").stdout)
    assert again["already_recorded"] is True and again["position"] is None


def test_audit_checkpoint_in_json(jcg: Jcg) -> None:
    parties(jcg)
    r = jcg("audit", "checkpoint", "--format", "json")
    assert r.exit_code == 0, r.output + r.stderr
    body = json.loads(r.stdout)
    assert body["kind"] == "audit.checkpoint" and body["recorded"] is True
    assert isinstance(body["size"], int) and body["size"] >= body["position"] > 0
    assert body["checkpoint"].splitlines()[1] == str(body["size"])  # C2SP: origin, tree size, root hash
    assert body["verifier_key"] and body["verifier_key"] in r.stderr
