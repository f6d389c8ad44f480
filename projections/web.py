"""`jcg serve`: the auditor's read-only window. Fava (Beancount's web interface, read-only) over
the Beancount export of the journal, refreshed when the ledger grows, and beside it the pages
Fava cannot show, under ``/jcg/``: an award with its derivation trace and the parameters it
cites, the cap usage table, and the inclusion proof of any event, checked on the page with
the standalone verifier (jcg_verify) against the ledger's verifier key.

Nothing here writes: every request that is not GET or HEAD is refused (405) before Fava or a
page sees it (Fava's own read-only mode refuses them too), read models are folded in memory
(never stored), and the export is written only into the server's own temporary directory.
"""

from __future__ import annotations

import html
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from domain.clauses import catalogue
from domain.errors import Refused
from domain.messages import N_, Message
from domain.money import fmt
from ledger.application import Ledger

Start = Callable[[str, list[tuple[str, str]]], Any]
READ_METHODS = {"GET", "HEAD"}


@dataclass
class AwardView:
    """An award as the log tells it: the grant event and every later payment or clawback."""

    award: str
    position: int
    event: Any
    steps: list[tuple[int, Any]] = field(default_factory=list)


class AuditorSite:
    """The WSGI application: ``/jcg/…`` pages here, everything else Fava's."""

    def __init__(self, ledger: Ledger, *, render: Callable[[Message], str], narrate: Callable[[Message], str] | None = None,
                 workdir: Path | None = None, min_interval: float = 0.5, fava_language: str = "zh"):
        from fava.application import create_app

        self.ledger = ledger
        self.render = render  # the pages, in the reader's language
        self.narrate = narrate or render  # the export's narration (Chinese: docs/audit-proofs.md §8)
        self.lock = threading.RLock()  # one reader of the ledger at a time
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="jcg-serve-"))
        self.path = self.workdir / "jcg.beancount"
        self.fava_language = fava_language
        self.min_interval = min_interval
        self.head = -1
        self.checked = 0.0
        self.cached: dict[str, tuple[Any, Any]] = {}
        self.refresh()
        self.fava = create_app([self.path], read_only=True, poll_watcher=True)

    # the export, refreshed when the ledger grows -------------------------------------------

    def refresh(self) -> bool:
        """Write the export again if the log grew since it was written (atomically: Fava never
        reads half a file). At most once per ``min_interval`` seconds."""
        from projections.beancount import export_beancount

        with self.lock:
            now = time.monotonic()
            if self.head >= 0 and now - self.checked < self.min_interval:
                return False
            self.checked = now
            head = self.ledger.recorder.max_notification_id() or 0
            if head == self.head:
                return False
            text = export_beancount(self.ledger, render=self.narrate).text
            options = [f'2000-01-01 custom "fava-option" "language" "{self.fava_language}"',
                       '2000-01-01 custom "fava-option" "default-page" "balance_sheet/"']
            fd, tmp = tempfile.mkstemp(dir=self.workdir, prefix=".jcg-", suffix=".beancount")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text + "\n" + "\n".join(options) + "\n")
            os.replace(tmp, self.path)
            self.head = head
            return True

    # WSGI ---------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method not in READ_METHODS:
            body = self.t(N_("read-only: jcg serve never changes the ledger or its export")).encode()
            start("405 Method Not Allowed", [("Content-Type", "text/plain; charset=utf-8"), ("Allow", "GET, HEAD"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        self.refresh()
        path = environ.get("PATH_INFO", "") or "/"
        if path == "/jcg" or path.startswith("/jcg/"):
            return self.page(path[len("/jcg"):] or "/", parse_qs(environ.get("QUERY_STRING", "")), start)
        return self.fava(environ, start)

    def t(self, msgid: str, **params: Any) -> str:
        return self.render(Message(msgid, params))

    def h(self, msgid: str, **params: Any) -> str:
        """Translated and escaped for HTML."""
        return html.escape(self.t(msgid, **params))

    def page(self, path: str, query: dict[str, list[str]], start: Start) -> Iterable[bytes]:
        try:
            with self.lock:
                if path in ("/", ""):
                    status, title, body, kind = "200 OK", self.t(N_("Auditor's pages")), self.index(), "html"
                elif path == "/caps":
                    status, title, body, kind = "200 OK", self.t(N_("Cap usage")), self.caps(), "html"
                elif path.startswith("/award/"):
                    award = path[len("/award/"):]
                    status, title, body, kind = "200 OK", self.t(N_("Award {award}"), award=award), \
                        self.award(award), "html"
                elif path == "/proof" and query.get("position"):
                    return self.redirect(f"/jcg/proof/{quote(query['position'][0])}", start)
                elif path.startswith("/proof/") and path.endswith(".tlog-proof"):
                    status, title, body, kind = "200 OK", "", self.proof_file(path[len("/proof/"):-11]), "text"
                elif path.startswith("/proof/"):
                    position = path[len("/proof/"):]
                    status, title, body, kind = "200 OK", self.t(N_("Inclusion proof of the event at position "
                                                                     "{position}"), position=position), \
                        self.proof(position), "html"
                else:
                    status, title, body, kind = "404 Not Found", self.t(N_("Not found")), "", "html"
        except Refused as exc:
            status, title, body, kind = "404 Not Found", self.t(N_("Not found")), \
                f'<p class="refused">{html.escape(self.render(exc.message))}</p>', "html"
        if kind == "text":
            data = body.encode("utf-8")
            start(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))])
            return [data]
        data = self.layout(title, body).encode("utf-8")
        start(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))])
        return [data]

    def redirect(self, where: str, start: Start) -> Iterable[bytes]:
        start("303 See Other", [("Location", where), ("Content-Length", "0")])
        return [b""]

    def layout(self, title: str, body: str) -> str:
        fava, pages, caps = self.h(N_("Accounts (Fava)")), self.h(N_("Auditor pages")), self.h(N_("Cap usage"))
        nav = f'<nav><a href="/">{fava}</a> · <a href="/jcg/">{pages}</a> · <a href="/jcg/caps">{caps}</a></nav>'
        footer = self.t(N_("log position {head}; read-only"), head=self.head)
        return ("<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(title)} — jcg</title><style>{CSS}</style></head><body>{nav}"
                f"<h1>{html.escape(title)}</h1>{body}<footer>{html.escape(footer)}</footer></body></html>\n")

    # pages --------------------------------------------------------------------------------

    def awards(self) -> dict[str, AwardView]:
        """Every award and its payments, read from the log once per log position."""
        cached = self.cached.get("awards")
        if cached is not None and cached[0] == self.head:
            return dict(cached[1])
        found: dict[str, AwardView] = {}
        for position, event in self.ledger.read_log():
            kind = type(event).__qualname__
            award = getattr(event, "award_id", None)
            if kind == "Enterprise.AwardGranted":
                found[award] = AwardView(award, position, event)
            elif award in found and kind in ("Enterprise.Disbursed", "Enterprise.ClawedBack"):
                found[award].steps.append((position, event))
        self.cached["awards"] = (self.head, found)
        return dict(found)

    def index(self) -> str:
        rows = []
        for view in self.awards().values():
            e = view.event
            rows.append([f'<a href="/jcg/award/{quote(view.award)}">{html.escape(view.award)}</a>',
                         html.escape(e.party), html.escape(e.clause), fmt(e.amount), str(e.by.decided)])
        label, awards = self.h(N_("Inclusion proof of the event at position")), self.h(N_("Awards"))
        form = (f'<form action="/jcg/proof" method="get"><label>{label} '
                '<input name="position" type="number" min="1"></label> <button>OK</button></form>')
        return (form + f"<h2>{awards}</h2>"
                + table([self.t(N_("award")), self.t(N_("party")), self.t(N_("clause")), self.t(N_("amount")),
                         self.t(N_("decided"))], rows, raw=True))

    def award(self, award: str) -> str:
        view = self.awards().get(award)
        if view is None:
            raise Refused(N_("award {award} is not known"), award=award)
        e, by = view.event, view.event.by
        clause = catalogue().get(e.clause)
        facts = [
            (self.t(N_("party")), e.party),
            (self.t(N_("clause")), f"{e.clause} {clause.title if clause else ''}"),
            (self.t(N_("amount")), fmt(e.amount)),
            (self.t(N_("decided")), str(by.decided)),
            (self.t(N_("decision reference (文号)")), by.ref),
            (self.t(N_("request id")), by.request_id),
            (self.t(N_("log position")), str(view.position)),
        ]
        out = ["<table class=\"facts\">" + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                                                   for k, v in facts) + "</table>"]
        heading = self.h(N_("Derivation trace"))
        out.append(f"<h2>{heading}</h2><ol class=\"trace\">"
                   + "".join(f"<li class=\"trace-line\">{html.escape(line)}</li>" for line in e.trace or [])
                   + "</ol>")
        params = []
        for version in e.versions or []:
            p = self.parameter(version)
            params.append([version, "" if p is None else str(p.value), "" if p is None else p.unit,
                           "" if p is None else p.quote])
        heading = self.h(N_("Parameters cited"))
        out.append(f"<h2>{heading}</h2>"
                   + table([self.t(N_("version")), self.t(N_("value")), self.t(N_("unit")),
                            self.t(N_("policy text"))], params))
        steps = [[str(ev.by.decided), type(ev).__qualname__.split(".")[-1], fmt(ev.amount),
                  getattr(ev, "voucher", "") or ev.by.ref, str(pos)] for pos, ev in view.steps]
        heading = self.h(N_("Payments and clawbacks"))
        out.append(f"<h2>{heading}</h2>"
                   + table([self.t(N_("decided")), self.t(N_("event")), self.t(N_("amount")),
                            self.t(N_("voucher or reference")), self.t(N_("log position"))], steps))
        link = self.h(N_("Inclusion proof of this award"))
        out.append(f'<p><a href="/jcg/proof/{view.position}">{link}</a></p>')
        return "".join(out)

    def parameter(self, version: str) -> Any:
        """The parameter value an award cites (``P2.4.rate@2024-11-05``), from the book."""
        try:
            left, valid_from = version.rsplit("@", 1)
            clause, name = left.rsplit(".", 1)
            p = self.ledger.book.at(clause, name, date.fromisoformat(valid_from))
        except (ValueError, Refused):
            return None
        return p if p.version == version else None

    def caps(self) -> str:
        from projections import reports
        from projections.runner import fold

        if self.cached.get("caps", (None,))[0] != self.head:
            state, _ = fold(self.ledger, report="caps")
            self.cached["caps"] = (self.head, reports.REPORTS["caps"](state.rows))
        report = self.cached["caps"][1]
        rows = [[fmt(v) if isinstance(v, Decimal) else "" if v is None else str(v) for v in r] for r in report.rows]
        notes = "".join(f"<p class=\"note\">{html.escape(str(n))}</p>" for n in report.notes)
        return table([c.name for c in report.columns], rows, css="caps") + notes

    def proof_text(self, position: str) -> tuple[dict[str, Any], str]:
        from ledger.audit.verify import inclusion_proof_document, inclusion_proof_text

        if not position.isdigit():
            raise Refused(N_("no event is stored at position {position}"), position=position)
        doc = inclusion_proof_document(self.ledger, int(position))
        return doc, inclusion_proof_text(doc)

    def proof_file(self, position: str) -> str:
        return self.proof_text(position)[1]

    def proof(self, position: str) -> str:
        import jcg_verify

        doc, text = self.proof_text(position)
        vkey = doc["verifier_key"] or ""
        try:
            tree = jcg_verify.verify_note(doc["checkpoint"], vkey)
            said, ok = jcg_verify.verify_inclusion(tree, text, vkey), True
        except jcg_verify.Failed as exc:
            said, ok = str(exc), False
        words = self.h(N_("verifies: {said}"), said=said) if ok else self.h(N_("does NOT verify: {said}"), said=said)
        verdict = f'<p class="verdict {"ok" if ok else "failed"}">{words}</p>'
        facts = [(self.t(N_("log position")), str(doc["position"])), (self.t(N_("leaf index")), str(doc["leaf_index"])),
                 (self.t(N_("tree size")), str(doc["tree_size"])), (self.t(N_("verifier key")), vkey)]
        download = self.h(N_("download"))
        return (verdict + "<table class=\"facts\">"
                + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts)
                + f"</table><h2>c2sp.org/tlog-proof@v1</h2><pre class=\"proof\">{html.escape(text)}</pre>"
                + f'<p><a href="/jcg/proof/{doc["position"]}.tlog-proof">{download}</a> · '
                + html.escape(self.t(N_("check it yourself: jcg-verify --vkey VKEY CHECKPOINT PROOF"))) + "</p>")


def table(header: list[str], rows: list[list[str]], *, raw: bool = False, css: str = "") -> str:
    """An HTML table; cells escaped unless ``raw`` (then the caller escaped them)."""
    cell = (lambda v: v) if raw else html.escape
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(str(v))}</td>" for v in r) + "</tr>" for r in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


CSS = ("body{font-family:sans-serif;margin:1.5em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}"
       "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
       ".verdict.ok{color:#060;font-weight:bold}.verdict.failed{color:#a00;font-weight:bold}"
       "pre{background:#f5f5f5;padding:.5em;overflow:auto}nav{margin-bottom:1em}footer{margin-top:2em;color:#666}")


def serve(app: AuditorSite, host: str = "127.0.0.1", port: int = 5000,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted (a threaded WSGI server on ``host``: loopback by default)."""
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    if ready is not None:
        ready(f"http://{host}:{server.server_port}/")
    try:
        server.serve_forever()
    finally:
        server.server_close()
