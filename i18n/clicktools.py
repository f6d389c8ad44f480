"""click in the officer's language: help texts, option help and click's own words.

Commands keep their English help (docstrings, ``help=``) as message ids; these classes swap
in the translation only while help is rendered, so one command tree serves both languages
and ``--lang``/``JCG_LANG``/the locale can be chosen per run. ``help_texts`` lists every help
string of a command tree for the catalogue (i18n/catalogue.py adds them to the extraction).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from i18n import activate, choose, gettext, language

_SENTENCE = re.compile(r"^(.+?[。.!?！？])(\s|$)", re.S)


@contextmanager
def _translated(command: click.Command) -> Iterator[None]:
    saved = (command.help, command.short_help, command.epilog, [getattr(p, "help", None) for p in command.params])
    command._help_option = None  # click caches --help with its help text in the language of its first use
    try:
        command.help = gettext(command.help) if command.help else command.help
        command.short_help = gettext(command.short_help) if command.short_help else command.short_help
        command.epilog = gettext(command.epilog) if command.epilog else command.epilog
        for p in command.params:
            if getattr(p, "help", None):
                p.help = gettext(p.help)
        yield
    finally:
        command.help, command.short_help, command.epilog, helps = saved
        for p, h in zip(command.params, helps, strict=True):
            if hasattr(p, "help"):
                p.help = h


def first_sentence(text: str, limit: int = 45) -> str:
    """The short help of a translated help text: its first sentence (。 or .), at most ``limit`` wide."""
    from projections.tables import shorten

    first = text.strip().split("\n\n", 1)[0].replace("\n", " ")
    match = _SENTENCE.match(first)
    sentence = match.group(1) if match else first
    return shorten(sentence.rstrip("。."), limit)


class I18nCommand(click.Command):
    """A command whose help is shown in the officer's language."""

    def get_help(self, ctx: click.Context) -> str:
        with _translated(self):
            return super().get_help(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        if language() == "en":
            return super().get_short_help_str(limit)
        source = self.short_help or self.help
        return first_sentence(gettext(source), limit) if source else ""


class I18nGroup(click.Group):
    """A group whose help, and whose commands' and subgroups' help, is shown in the officer's language."""

    command_class = I18nCommand
    group_class = type  # subgroups are of this same class

    def __init__(self, *args: Any, aliases: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases = aliases or {}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A command by its name or a Chinese alias (`jcg report 预算` is `jcg report budgets`)."""
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name.strip() in self.aliases:
            command = super().get_command(ctx, self.aliases[cmd_name.strip()])
        return command

    def get_help(self, ctx: click.Context) -> str:
        with _translated(self):
            return super().get_help(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        if language() == "en":
            return super().get_short_help_str(limit)
        source = self.short_help or self.help
        return first_sentence(gettext(source), limit) if source else ""


def lang_from_args(args: Sequence[str] | None) -> str | None:
    """The value of ``--lang X`` / ``--lang=X`` before the command name, if given."""
    items = list(args or [])
    for i, arg in enumerate(items):
        if arg == "--lang" and i + 1 < len(items):
            return items[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def activate_for(args: Sequence[str] | None, environ: Any = None) -> str:
    """Choose and activate the language of this run (``--lang``, ``JCG_LANG``, the locale)."""
    try:
        lang = choose(lang_from_args(args), os.environ if environ is None else environ)
    except Exception:
        lang = choose(None, os.environ if environ is None else environ)
    activate(lang)
    return lang


def help_texts(command: click.Command) -> Iterator[str]:
    """Every help string of a command tree (its help, short help, epilog, options' help)."""
    for text in (command.help, command.short_help, command.epilog):
        if text:
            yield text
    for p in command.params:
        if getattr(p, "help", None):
            yield p.help
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from help_texts(sub)
