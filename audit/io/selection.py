"""`--select` / `--exclude`: which rules of the suites an audit runs.

Design decisions:

- A name is a check id (`pregnancy-missing`, `dup-key`) or a category
  (`under_report`, `duplicate`); a rule is chosen when its id or its category
  is named. `select` keeps only the chosen rules (all when empty), then
  `exclude` removes its chosen ones. Comma-separated lists and repeated
  options mean the same.
- A name that matches no rule of the suites stops the audit (exit 2) with the
  names it could have been: a typo must not silently audit less. The names are
  checked against the suite files' check ids before any submission file is
  read (`check_names_early`: plain JSON, no GX), so a typo costs no load of a
  large township; the full check runs again on the loaded suites.
- The loader's checks (`table-missing`, `column-missing`, `cell-invalid`,
  `key-missing`) say whether the submission could be read at all; they are not
  rules and are always reported.
- Rules not selected are absent from the report (not skipped): skipped means
  "could not be evaluated on this submission", which is a property of the data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from audit.core.exitcodes import AuditError
from audit.core.models import Category
from audit.io.suites import LOADER_CHECKS, SUITES_DIR, Rule, Suite


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
    _check_names({rule.check for suite in suites for rule in suite.rules}, chosen, dropped)
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


def _check_names(check_ids: set[str], chosen: set[str], dropped: set[str]) -> None:
    known = check_ids | {c.value for c in Category}
    for option, names in (("--select", chosen), ("--exclude", dropped)):
        unknown = sorted(names - known - LOADER_CHECKS)
        if unknown:
            raise AuditError(
                f"{option}: {', '.join(unknown)} is neither a check id nor a category "
                f"(check ids: {', '.join(sorted(check_ids))}; "
                f"categories: {', '.join(c.value for c in Category)})"
            )
        loader = sorted(names & LOADER_CHECKS)
        if loader:
            raise AuditError(
                f"{option}: {', '.join(loader)} is a check of the loader, always reported "
                "(it says whether the submission could be read)"
            )


def suite_check_ids(folder: Path) -> set[str]:
    """The check ids of the suite files in `folder`, read as plain JSON (no GX); empty when a
    file is not a readable suite (`load_suites` then names what is wrong with it)."""
    check_ids: set[str] = set()
    try:
        for path in sorted(Path(folder).glob("*.json")):
            for entry in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
                check_ids.add(str(entry["meta"]["check"]))
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return check_ids


def check_names_early(
    suites_dir: Path | None,
    *,
    select: Iterable[str] = (),
    exclude: Iterable[str] = (),
    also: Iterable[str] = (),
) -> None:
    """`--select`/`--exclude` names against the suite files' check ids, before any load.

    Reads only each entry's ``meta.check``; `also` adds the ids of other rules the
    run has (the county's cross-township rules).
    """
    chosen, dropped = set(split_names(select)), set(split_names(exclude))
    if not chosen and not dropped:
        return
    check_ids = suite_check_ids(Path(suites_dir or SUITES_DIR))
    if check_ids:
        _check_names(check_ids | set(also), chosen, dropped)
