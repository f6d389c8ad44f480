"""The officer's language: gettext catalogues (managed with Babel, docs/i18n.md) and the choice of language.

Chinese when ``--lang zh`` / ``JCG_LANG=zh`` or the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first
one set) is ``zh*``; English otherwise. English is the message ids themselves, so it needs no catalogue.
The compiled catalogue ``locale/zh/LC_MESSAGES/jcg.mo`` ships in the package (``make catalogues``
rebuilds it; a test checks it matches the ``.po``).
"""

from __future__ import annotations

import gettext as _gettext
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from domain.errors import Refused
from domain.messages import N_, SEPARATOR, Message, Recorded

DOMAIN = "jcg"
LOCALEDIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh", "en")
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_translations: dict[str, _gettext.NullTranslations] = {}
_current: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def choose(lang: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``zh`` or ``en``: the ``--lang`` option, else ``JCG_LANG``, else the locale variables."""
    env = os.environ if environ is None else environ
    for wanted in (lang, env.get("JCG_LANG")):
        if wanted:
            return normalise(wanted)
    for variable in LOCALE_VARIABLES:
        value = env.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def normalise(lang: str) -> str:
    """``zh``, ``zh_CN.UTF-8``, ``中文`` → ``zh``; ``en``, ``C``, ``POSIX`` → ``en``; anything else is refused."""
    value = lang.strip().lower()
    if value.startswith("zh") or value in ("中文", "chinese"):
        return "zh"
    if value.startswith("en") or value in ("c", "posix", "english", "英文") or value.startswith("c."):
        return "en"
    raise Refused(N_("unknown language {lang} (use zh or en)"), lang=lang)


def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue of ``lang`` (cached); English is the ids themselves."""
    if lang not in _translations:
        if lang == "en":
            _translations[lang] = _gettext.NullTranslations()
        else:
            _translations[lang] = _gettext.translation(DOMAIN, LOCALEDIR, languages=[lang], fallback=True)
    return _translations[lang]


def activate(lang: str) -> None:
    """Speak ``lang`` from now on (this process), click's own words included."""
    global _current, _language
    _language = lang
    _current = translations(lang)
    _patch_click()


def language() -> str:
    return _language


def gettext(msgid: str) -> str:
    """``msgid`` in the current language (itself when the catalogue has no translation)."""
    return _current.gettext(msgid) if msgid else msgid


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


_ = gettext


def text(what: Any) -> str:
    """A refusal, a Message or a message id, in the current language."""
    if isinstance(what, Refused):
        return _rendered(what.message)
    if isinstance(what, Message):
        return _rendered(what)
    return retranslate(str(what))


def _rendered(m: Message) -> str:
    """``m`` in the current language; its Recorded parameters (English kept in the record) are read
    back through the catalogue."""
    if any(isinstance(v, Recorded) for v in m.params.values()):
        m = Message(m.msgid, {k: retranslate(v) if isinstance(v, Recorded) else v for k, v in m.params.items()})
    return m.render(gettext)


def _patch_click() -> None:
    """click looks its own words (Usage:, Options, Error: …) up through the names ``_`` and
    ``ngettext`` of each of its modules; point them at this catalogue (click's words are in it,
    i18n/click_words.py)."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "click" or name.startswith("click.")):
            continue
        if getattr(module, "_", None) is not None and callable(module._):
            module._ = gettext
        if callable(getattr(module, "ngettext", None)):
            module.ngettext = ngettext


# English kept as text (derivation traces stored in events before this catalogue, lines built
# from pieces) is translated back through the catalogue: each message id with placeholders is
# also a pattern; a line matching one is shown as its translation with the captured values
# (themselves translated when they are messages). Ids with too little fixed text are not used
# as patterns, so that data never matches by accident; a field named ``event`` matches only an
# event's class name (``Enrolled``), and a last ``{amount}`` the translation writes in 元 only a number,
# so ``{event} {amount}`` and the rules' fixed step ``{label} {amount}`` are patterns too (tried last).
_FIELD = re.compile(r"\{(\w+)(![rsa])?(:[^{}]*)?\}")
_MIN_FIXED = 2
_EVENT_NAME = r"[A-Z][a-z]+(?:[A-Z][a-z]+)*"
_AMOUNT = r"-?\d[\d,]*(?:\.\d+)?"


def _patterns(lang: str) -> list[tuple[re.Pattern[str], str, list[str], bool]]:
    cached = _pattern_cache.get(lang)
    if cached is not None:
        return cached
    catalog = translations(lang)
    entries = getattr(catalog, "_catalog", {})
    found: list[tuple[int, re.Pattern[str], str, list[str], bool]] = []
    for msgid, translated in entries.items():
        if not isinstance(msgid, str) or not msgid or "{" not in msgid or not translated:
            continue
        parts, names, pos, fixed = [], [], 0, ""
        for m in _FIELD.finditer(msgid):
            literal = msgid[pos:m.start()].replace("{{", "{").replace("}}", "}")
            parts.append(re.escape(literal))
            fixed += literal
            if m.group(1) in names:
                parts.append(f"(?P={m.group(1)})")
            elif pos and not literal:  # right after another field: an optional fragment (" net of …")
                parts.append(f"(?P<{m.group(1)}>(?:\\s.*?)?)")
                names.append(m.group(1))
            elif m.group(1) == "event":
                parts.append(f"(?P<event>{_EVENT_NAME})")
                names.append("event")
                fixed += "ev"  # as narrow as fixed text
            elif m.group(1) == "amount" and m.end() == len(msgid) and "{amount}元" in str(translated):
                parts.append(f"(?P<amount>{_AMOUNT})")  # a last amount the translation writes in 元: a number
                names.append("amount")
                fixed += "am"
            else:
                parts.append(f"(?P<{m.group(1)}>.+?)")
                names.append(m.group(1))
            pos = m.end()
        tail = msgid[pos:].replace("{{", "{").replace("}}", "}")
        parts.append(re.escape(tail))
        fixed += tail
        if len(fixed.replace(" ", "")) < _MIN_FIXED or "%(" in msgid:
            continue
        try:
            found.append((len(fixed), re.compile("^" + "".join(parts) + "$", re.S), msgid, names, "; " in fixed))
        except re.error:
            continue
    found.sort(key=lambda f: -f[0])
    result = [(p, msgid, names, lists) for _n, p, msgid, names, lists in found]
    _pattern_cache[lang] = result
    return result


_pattern_cache: dict[str, list[tuple[re.Pattern[str], str, list[str], bool]]] = {}
# fields whose value is a list joined with "; " (a match may capture "; " only in these)
_NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?%?$")
_LIST_FIELDS = frozenset({"steps", "sources", "why", "versions", "returned", "owed", "exc", "reason", "trace", "legs",
                          "detail", "summary"})


def retranslate(english: str, _depth: int = 0) -> str:
    """English text made of catalogue messages, in the current language (itself if no message fits)."""
    if _language == "en" or not english or _depth > 6:
        return english
    exact = _current.gettext(english)
    if exact != english:
        return exact
    found = _match(english, _depth)
    if found is not None:
        return found
    if "; " in english:
        pieces = english.split("; ")
        translated = [retranslate(p, _depth + 1) for p in pieces]
        if any(t != p for t, p in zip(translated, pieces, strict=True)):
            return gettext(SEPARATOR).join(translated)
    return english


def _value_text(value: str, depth: int, name: str = "") -> str:
    """A captured value: translated whole, else (a list) each part; ``detail`` (``party U1, source 市财政``)
    with each field name translated."""
    if name == "detail":
        return "，".join(_field_text(part) for part in value.split(", "))
    whole = retranslate(value, depth)
    if whole != value or "; " not in value:
        return whole
    return gettext(SEPARATOR).join(retranslate(p, depth) for p in value.split("; "))


def _field_text(part: str) -> str:
    key, _, value = part.partition(" ")
    if key == "operation":  # a payment operation code (grant.disburse) is a word too
        value = gettext(value)
    return f"{gettext(key)} {value}" if value else part


_ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")


def _match(english: str, depth: int) -> str | None:
    """The translation of the first pattern ``english`` matches whose captured values are not left as
    English sentences (``{items} = {price}`` must not take a formula another id translates whole);
    else of the first one that matches at all."""
    fallback: str | None = None
    for pattern, msgid, names, semicolons in _patterns(_language):
        m = pattern.match(english)
        if m is None:
            continue
        if not semicolons and any(";" in m.group(n) for n in names if n not in _LIST_FIELDS):
            continue
        template = _current.gettext(msgid)
        if any(not _NUMBER.match(m.group(n)) for n in names if "{" + n + "}元" in template or "{" + n + ":" in msgid):
            continue  # a field the translation writes as an amount (…元) or formats as a number must be one
        values = {n: _value_text(m.group(n), depth + 1, n) for n in names}
        template = _current.gettext(msgid)
        try:
            result = _FIELD.sub(lambda f: "{" + f.group(1) + "}", template).format(**values)
        except (KeyError, IndexError, ValueError):
            continue
        if any(_ENGLISH_WORDS.search(v) for v in values.values()):
            fallback = fallback or result
            continue
        return result
    return fallback
