"""The officer's language: gettext catalogues (managed with Babel, docs/i18n.md) and the choice of language.

Chinese when ``--lang zh`` / ``JCG_LANG=zh`` or the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first
one set) is ``zh*``; English otherwise. English is the message ids themselves, so it needs no catalogue.
The compiled catalogue ``locale/zh/LC_MESSAGES/jcg.mo`` ships in the package (``make catalogues``
rebuilds it; a test checks it matches the ``.po``).
"""

from __future__ import annotations

import gettext as _gettext
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from domain.errors import Refused
from domain.messages import N_, Message

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
        return what.message.render(gettext)
    if isinstance(what, Message):
        return what.render(gettext)
    return gettext(str(what))


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
