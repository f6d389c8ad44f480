"""Policy rules as code: one rule per money clause of 临政办发〔2024〕34号.

Importing the package registers every rule; :func:`evaluate` computes an entitlement (an award
rule) and :func:`split_loss` a loss split (P5.6).
"""

from domain.rules import p2, p3, p4, p5, p6  # noqa: F401  (registers the rules)
from domain.rules.engine import RULES, Entitlement, Rule, evaluate, find_rule
from domain.rules.split import Split, split_loss, split_of_basis

__all__ = ["RULES", "Entitlement", "Rule", "Split", "evaluate", "find_rule", "split_loss", "split_of_basis"]
