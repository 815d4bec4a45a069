"""Audit reports: the figures of an ``AuditTotals`` as rows with labels, shared by the terminal
summary (terminal.py), the CSV and Excel files (tables.py) and the HTML page (html.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping, Optional

from engine import texts
from engine.batch.totals import DIMENSIONS, NONE, PASSIVITY_MONTHS, STAR_THRESHOLD, AuditTotals, Tally
from engine.texts import number, percent


@dataclass
class AuditMeta:
    """What the figures are about: the date, the rules, where the cases came from."""

    as_of: date
    rules_label: str
    source: str
    titles: dict = field(default_factory=dict)  # rule id -> {"da": …, "en": …}, in rule-set order
    run_id: Optional[int] = None
    workers: int = 1
    seconds: Optional[float] = None
    known_through: Optional[date] = None  # the rule set knows the law through this day (issue 15.11)


def titles_of(ruleset) -> dict:
    """One title per rule id. The audit counts a duty's variants together (the education order for
    uddannelseshjælp and for young a-dagpenge recipients…), so where their titles differ the first
    one is shown marked as covering them all."""
    out: dict = {}
    for rule in ruleset.rules:
        if rule.id not in out:
            out[rule.id] = {"da": rule.title.da, "en": rule.title.en}
        elif out[rule.id]["da"] != rule.title.da and not out[rule.id]["da"].endswith(_all_variants("da")):
            out[rule.id] = {lang: out[rule.id][lang] + _all_variants(lang) for lang in texts.LANGS}
    return out


def _all_variants(lang: str) -> str:
    return texts.words(texts.AUDIT, lang)["all_variants"]


# The overdue duties split (issue 13.5): those that can still be done ("overdue_now": their benefit
# period runs) and those missed (the period has ended), both in Tally.row().
OVERDUE_COUNTS = ("overdue_now", "missed")

RULE_COLUMNS = ("population", "met", "met_late", *OVERDUE_COUNTS, "open", "exempt", "on_time_share", "median_days_late")



# Days-late histogram bins: (lowest, highest inclusive or None for open-ended, label)
LATE_BINS = ((1, 7, "1–7"), (8, 14, "8–14"), (15, 30, "15–30"), (31, 60, "31–60"), (61, 90, "61–90"),
             (91, 180, "91–180"), (181, 365, "181–365"), (366, None, ">365"))


def words(lang: str) -> Mapping[str, str]:
    return texts.words(texts.AUDIT, lang)


def heading(key: str, lang: str) -> str:
    """A column heading of the audit's tables: a status by its label (one table for every output),
    anything else by the audit's words."""
    if key in texts.STATUS_NAMES:
        label = texts.status_label(key, lang)
        return label[:1].upper() + label[1:]
    return words(lang)[key]


def group_label(dimension: str, value: str, lang: str) -> str:
    """A group's value in words: a benefit or category by its name, a missing value as "(ingen)"."""
    if value == NONE:
        return words(lang)["none"]
    table = {"benefit": texts.BENEFIT_NAMES, "category": texts.CATEGORY_NAMES}.get(dimension)
    return texts.name(table, value, lang) if table else value


def title_of(meta: AuditMeta, rule: str, lang: str) -> str:
    titles = meta.titles.get(rule)
    return titles.get(lang, titles.get("en", rule)) if titles else rule


def rule_order(totals: AuditTotals, meta: AuditMeta) -> list[str]:
    """Rules in rule-set order (the order of the rule files), then any others by id."""
    known = [r for r in meta.titles if r in totals.by_rule]
    return known + sorted(r for r in totals.by_rule if r not in meta.titles)


def rule_rows(totals: AuditTotals, meta: AuditMeta, lang: str) -> list[dict]:
    return [{"rule": r, "title": title_of(meta, r, lang), **totals.by_rule[r].row()} for r in rule_order(totals, meta)]


def group_rows(totals: AuditTotals, meta: AuditMeta, dimension: str, lang: str) -> list[dict]:
    order = {r: i for i, r in enumerate(rule_order(totals, meta))}
    keys = sorted(totals.groups[dimension], key=lambda k: (order.get(k[0], len(order)), k[1]))
    return [{"rule": k[0], "title": title_of(meta, k[0], lang), dimension: k[1], **totals.groups[dimension][k].row()}
            for k in keys]


def across_rules(totals: AuditTotals, dimension: str) -> dict[str, Tally]:
    """One tally per group value over all rules (e.g. a team's on-time share on every duty)."""
    out: dict[str, Tally] = {}
    for (_, value), tally in totals.groups[dimension].items():
        out.setdefault(value, Tally()).merge(tally)
    return dict(sorted(out.items()))


def overall(totals: AuditTotals) -> Tally:
    out = Tally()
    for tally in totals.by_rule.values():
        out.merge(tally)
    return out


def late_histogram(totals: AuditTotals) -> list[tuple[str, int]]:
    days: Counter = totals.days_late()
    out = []
    for low, high, label in LATE_BINS:
        out.append((label, sum(n for d, n in days.items() if d >= low and (high is None or d <= high))))
    zero = days.get(0, 0)
    return ([("0", zero)] if zero else []) + out


def passivity_rows(totals: AuditTotals) -> list[dict]:
    """One row per window (6, 12 months): population, passive, share — overall and per team."""
    rows = []
    for months in PASSIVITY_MONTHS:
        rows.append({"team": None, "months": months, "population": totals.passivity.population[months],
                     "passive": totals.passivity.passive[months],
                     "share": totals.passivity.row()[f"passive_share_{months}m"]})
    for team, tally in sorted(totals.passivity_by_team.items()):
        for months in PASSIVITY_MONTHS:
            rows.append({"team": team, "months": months, "population": tally.population[months],
                         "passive": tally.passive[months], "share": tally.row()[f"passive_share_{months}m"]})
    return rows


def star_rows(totals: AuditTotals) -> list[dict]:
    """The STAR measure overall (team None) and per team."""
    rows = [{"team": None, **totals.star.row()}]
    rows += [{"team": team, **tally.row()} for team, tally in sorted(totals.star_by_team.items())]
    return rows


__all__ = ["AuditMeta", "DIMENSIONS", "OVERDUE_COUNTS", "RULE_COLUMNS", "STAR_THRESHOLD", "titles_of", "words", "heading", "group_label", "rule_rows", "group_rows",
           "across_rules", "overall", "late_histogram", "passivity_rows", "star_rows", "percent", "number"]
