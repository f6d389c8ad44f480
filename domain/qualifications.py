"""The fixed vocabulary of qualifications (资质) a party can hold: names, levels, who grants them.

A qualification is a fact the rules read (P6.5a: 高新技术企业; P6.5b: the level of 专精特新 /
小巨人 recognition), so it is recorded from this list only: free text (``高企``) would be
accepted and then never match a rule. Each kind is named in Chinese (stored), in English, or by
its key; a level-prefixed Chinese name (``省级重点实验室``) names the kind and its level at once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from domain.errors import Refused
from domain.files import PACKAGE
from domain.messages import N_

LEVEL_WORDS = {"national": "国家级", "provincial": "省级", "municipal": "市级"}
LEVEL_ORDER = ("municipal", "provincial", "national")  # low to high


@dataclass(frozen=True)
class QualificationKind:
    key: str
    zh: str
    en: str
    levels: tuple[str, ...]
    authority: str

    def describe(self) -> str:
        return f"{self.zh} ({self.en}; {'/'.join(self.levels)}; {self.authority})"


@cache
def vocabulary() -> dict[str, QualificationKind]:
    data = tomllib.loads((PACKAGE / "qualifications.toml").read_text(encoding="utf-8"))
    kinds = [QualificationKind(q["key"], q["zh"], q["en"], tuple(q["levels"]), q["authority"])
             for q in data["qualification"]]
    return {k.key: k for k in kinds}


def _names() -> dict[str, tuple[QualificationKind, str]]:
    """Every accepted spelling → (kind, implied level or "")."""
    names: dict[str, tuple[QualificationKind, str]] = {}
    for kind in vocabulary().values():
        for name in (kind.key, kind.zh, kind.en, kind.en.lower()):
            names[name] = (kind, "")
        for level in kind.levels:
            names[f"{LEVEL_WORDS[level]}{kind.zh}"] = (kind, level)
        if "national" in kind.levels and not kind.zh.startswith("省部共建"):
            names[f"国家{kind.zh}"] = (kind, "national")  # 国家重点实验室, as the notice writes it
    return names


def known() -> str:
    """The known kinds in one line: Chinese name (English name: levels)."""
    return ", ".join(f"{k.zh} ({k.en}: {'/'.join(k.levels)})" for k in vocabulary().values())


def resolve(name: str, level: str = "") -> tuple[QualificationKind, str]:
    """The kind a name means and the level it is held at; refuses an unknown name (listing the
    known ones), an unknown level, and a name whose level says otherwise."""
    found = _names().get(name.strip()) or _names().get(name.strip().lower())
    if found is None:
        raise Refused(N_("unknown qualification {name!r}: record one of {known}"), name=name, known=known())
    kind, implied = found
    level = level.strip().lower()
    level = {v: k for k, v in LEVEL_WORDS.items()}.get(level, level)
    if implied and level and level != implied:
        raise Refused(N_("{name} is a {implied} qualification, not {level}"), name=name, implied=implied, level=level)
    level = level or implied or (kind.levels[0] if len(kind.levels) == 1 else "")
    if not level:
        raise Refused(N_("{name}: give its level (one of {levels})"), name=kind.zh, levels=", ".join(kind.levels))
    if level not in kind.levels:
        raise Refused(N_("{name} is granted at {levels}, not at {level!r}"), name=kind.zh,
                      levels=", ".join(kind.levels), level=level)
    return kind, level
