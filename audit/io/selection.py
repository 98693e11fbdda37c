"""`--select` / `--exclude`: which rules of the suites an audit runs.

Design decisions:

- A name is a check id (`pregnancy-missing`, `dup-key`) or a category
  (`under_report`, `duplicate`); a rule is chosen when its id or its category
  is named. `select` keeps only the chosen rules (all when empty), then
  `exclude` removes its chosen ones. Comma-separated lists and repeated
  options mean the same.
- A name that matches no rule of the suites stops the audit (exit 2) with the
  names it could have been: a typo must not silently audit less.
- The loader's checks (`table-missing`, `column-missing`, `cell-invalid`,
  `key-missing`) say whether the submission could be read at all; they are not
  rules and are always reported.
- Rules not selected are absent from the report (not skipped): skipped means
  "could not be evaluated on this submission", which is a property of the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from audit.core.exitcodes import AuditError
from audit.core.models import Category
from audit.io.suites import LOADER_CHECKS, Rule, Suite


def split_names(values: Iterable[str] | None) -> tuple[str, ...]:
    """Names from repeated options and comma-separated lists, blanks dropped, order kept."""
    names: list[str] = []
    for value in values or ():
        names.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(dict.fromkeys(names))


def _matches(rule: Rule, names: set[str]) -> bool:
    return rule.check in names or rule.category.value in names


def select_rules(
    suites: Sequence[Suite], *, select: Iterable[str] = (), exclude: Iterable[str] = ()
) -> tuple[Suite, ...]:
    chosen, dropped = set(split_names(select)), set(split_names(exclude))
    if not chosen and not dropped:
        return tuple(suites)
    rules = [rule for suite in suites for rule in suite.rules]
    known = {rule.check for rule in rules} | {c.value for c in Category}
    for option, names in (("--select", chosen), ("--exclude", dropped)):
        unknown = sorted(names - known - LOADER_CHECKS)
        if unknown:
            raise AuditError(
                f"{option}: {', '.join(unknown)} is neither a check id nor a category "
                f"(check ids: {', '.join(sorted({r.check for r in rules}))}; "
                f"categories: {', '.join(c.value for c in Category)})"
            )
        loader = sorted(names & LOADER_CHECKS)
        if loader:
            raise AuditError(
                f"{option}: {', '.join(loader)} is a check of the loader, always reported "
                "(it says whether the submission could be read)"
            )
    kept = tuple(
        replace(
            suite,
            rules=tuple(
                rule
                for rule in suite.rules
                if (not chosen or _matches(rule, chosen)) and not _matches(rule, dropped)
            ),
        )
        for suite in suites
    )
    if not any(suite.rules for suite in kept):
        raise AuditError("--select/--exclude: no rule is left to run")
    return kept
