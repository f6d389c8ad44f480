"""Maintain the catalogues with Babel: ``python -m i18n.catalogue update|compile|check`` (docs/i18n.md).

``update`` extracts every message id (babel.cfg, keywords below) and merges them into each
``locale/<lang>/LC_MESSAGES/jcg.po`` (new ids get an empty translation, ids no longer in the
sources are dropped); ``compile`` writes the ``.mo`` files the package ships; ``check`` lists
ids without a translation and stale ``.mo`` files (exit 1). The ``.po`` is written sorted,
without source locations or line wrapping and with fixed header dates, so that two developers
adding messages rarely conflict. A development tool: Babel is a test dependency.
"""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent
LOCALES = ("zh",)
KEYWORDS = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2), "Np_": (1, 2)}
FIXED_DATE = datetime(2026, 1, 1)


def po_path(lang: str) -> Path:
    return PACKAGE / "locale" / lang / "LC_MESSAGES" / "jcg.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def extract() -> Catalog:
    """Every message id in the sources, as a template catalogue."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    template = Catalog(project="jcg-ledger", creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False)
    for _file, _line, msg, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    ):
        template.add(msg, auto_comments=comments, context=context)
    for text in cli_help():
        if text not in template:
            template.add(text, auto_comments=["click help"])
    for text in policy_texts():
        if text and text not in template:
            template.add(text, auto_comments=["policy rules"])
    return template


def policy_texts() -> list[str]:
    """The rules' own sentences (docstrings, readings, key meanings, clause amount rules) that
    `policy show`/`policy list` print: projections.views.rules.texts."""
    sys.path.insert(0, str(ROOT))
    from projections.views.rules import texts

    return list(dict.fromkeys(texts()))


def cli_help() -> list[str]:
    """The help texts of the jcg command tree (docstrings and ``help=``), which Babel's Python
    extractor does not see: they are message ids too (i18n/clicktools.py shows them translated)."""
    import sys

    sys.path.insert(0, str(ROOT))
    import click

    import cli
    from i18n.clicktools import help_texts

    texts = list(help_texts(cli.main))
    ctx = click.Context(cli.main)
    for name in cli.main.list_commands(ctx):
        command = cli.main.get_command(ctx, name)
        if command is not None and name not in cli.main.commands:
            texts += help_texts(command)
    return list(dict.fromkeys(texts))


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="jcg-ledger", creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                       fuzzy=False)
    with open(path, "rb") as f:
        return read_po(f, locale=lang)


def write(lang: str, catalog: Catalog) -> None:
    catalog.creation_date = FIXED_DATE
    catalog.revision_date = FIXED_DATE
    catalog.fuzzy = False
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, no_location=True, sort_output=True, ignore_obsolete=True)
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())


def compiled(lang: str) -> bytes:
    """The ``.mo`` bytes of the ``.po`` as it is (fuzzy entries left out, as gettext does)."""
    buf = io.BytesIO()
    write_mo(buf, read(lang), use_fuzzy=False)
    return buf.getvalue()


def update() -> None:
    template = extract()
    for lang in LOCALES:
        catalog = read(lang)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        write(lang, catalog)


def compile_all() -> None:
    for lang in LOCALES:
        mo_path(lang).write_bytes(compiled(lang))


def untranslated(lang: str) -> list[str]:
    """Ids in the sources with no (or only a fuzzy) translation in ``lang``'s ``.po``."""
    catalog = read(lang)
    missing = []
    for msg in extract():
        if not msg.id:
            continue
        have = catalog.get(msg.id, context=msg.context)
        strings = (have.string if isinstance(have.string, (list, tuple)) else [have.string]) if have else []
        if have is None or have.fuzzy or not all(strings):
            missing.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    return missing


def check() -> int:
    problems = []
    for lang in LOCALES:
        problems += [f"{lang}: no translation: {m!r}" for m in untranslated(lang)]
        if not mo_path(lang).exists() or mo_path(lang).read_bytes() != compiled(lang):
            problems.append(f"{lang}: {mo_path(lang).relative_to(ROOT)} is stale (run `make catalogues`)")
    for line in problems:
        print(line)
    return 1 if problems else 0


def fill(lang: str, path: str) -> None:
    """Set translations from a JSON object ``{msgid: translation}`` (ids not in the ``.po`` are ignored)."""
    import json

    pairs = json.loads(Path(path).read_text(encoding="utf-8"))
    catalog = read(lang)
    for msgid, string in pairs.items():
        msg = catalog.get(msgid)
        if msg is not None:
            msg.string = tuple(string) if isinstance(msg.id, (list, tuple)) and isinstance(string, list) else string
            msg.flags.discard("fuzzy")
    write(lang, catalog)


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "check"
    if action == "fill" and len(argv) == 2:
        fill("zh", argv[1])
        return 0
    if action == "update":
        update()
        return 0
    if action == "compile":
        compile_all()
        return 0
    if action == "all":
        update()
        compile_all()
        return check()
    return check()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
