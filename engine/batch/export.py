"""Mergeable, CPR-free audit totals: an ``AuditTotals`` written as a versioned JSON document
(``audit --export-totals``), read back and added up (``audit-merge``).

The document holds the figures and nothing that names a citizen: per rule and per rule × benefit,
category and team the status counts and the days-late *histogram* (a median cannot be merged, a
histogram can, and the median of the merged histogram is the whole's), the STAR and passivity
tallies. The list of the most overdue duties (case ids) and the bad-case messages (file names,
case ids) are left out; the per-caseworker tallies only on request.

The serialisation walks the ``AuditTotals`` dataclass generically: every field is written unless
it is named in ``EXCLUDED``, every nested dataclass, dict, Counter and defaultdict the same way, and
a value of a type it does not know is an error, not a silent gap (``tests/test_export_merge.py``
round-trips every field). A field added to the totals is so exported, read and merged with no
change here. Reading is driven by a fresh ``AuditTotals`` as the template: each value is decoded into
the type of the template's value at the same place.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Optional

from engine.batch.totals import AuditTotals

FORMAT = "sagsrute-audit-totals"
VERSION = 1

# Fields of AuditTotals left out of the document, and why (the schema's description says the same).
EXCLUDED = {
    "top_overdue": "the most overdue duties name their cases",
    "bad_first": "the bad cases' messages name files and cases",
}
CASEWORKER = "caseworker"  # the group left out unless --export-caseworkers


class TotalsFileError(ValueError):
    """A totals document that cannot be read or merged: ``file: field: problem``."""


@dataclass
class Unit:
    """One exported document: whose figures, as of when, under which rules, and the figures."""

    unit: str
    as_of: date
    rules_label: str
    rules_digest: str
    totals: AuditTotals
    titles: dict = field(default_factory=dict)
    caseworkers: bool = False
    source: str = ""


# -- writing ---------------------------------------------------------------------------------------


def _key(key: Any) -> Any:
    if isinstance(key, tuple):
        return [_key(k) for k in key]
    if isinstance(key, (str, int)) and not isinstance(key, bool):
        return key
    raise TypeError(f"a totals key of type {type(key).__name__} cannot be exported")


def encode(value: Any, path: str = "") -> Any:
    """A totals value as plain JSON: a dataclass as an object of its fields, a dict with text keys
    (or none yet) as an object, a Counter and any other dict (days, tuple keys) as a sorted list
    of [key, value] pairs."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            name = f"{path}.{f.name}" if path else f.name
            if name in EXCLUDED:
                continue
            out[f.name] = encode(getattr(value, f.name), name)
        return out
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not isinstance(value, Counter):
            return {k: encode(value[k], f"{path}.{k}") for k in sorted(value)}
        try:
            pairs = sorted(value.items())
        except TypeError:  # keys of mixed types: still one fixed order
            pairs = sorted(value.items(), key=lambda kv: repr(kv[0]))
        return [[_key(k), encode(v, f"{path}[]")] for k, v in pairs]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{path}: a value of type {type(value).__name__} cannot be exported")


def document(totals: AuditTotals, as_of: date, rules_label: str, rules_digest: str, unit: Optional[str] = None,
             titles: Optional[dict] = None, caseworkers: bool = False) -> dict:
    """The export document of one audit (docs/totals.schema.json)."""
    figures = encode(totals)
    if not caseworkers:
        figures["groups"].pop(CASEWORKER, None)
    return {"format": FORMAT, "version": VERSION, "unit": unit, "as_of": as_of.isoformat(),
            "rules": {"label": rules_label, "digest": rules_digest}, "caseworkers": caseworkers,
            "titles": titles or {}, "totals": figures}


def write_document(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


# -- reading ---------------------------------------------------------------------------------------


def _decode_key(data: Any) -> Any:
    return tuple(_decode_key(k) for k in data) if isinstance(data, list) else data


# A place in the document, built only when a message needs it: (outer place, ".name" or "[key]"),
# the outermost a text ("file: totals"). Formatting every place eagerly cost most of the reading.
def _place(where: Any, dotted: bool = False) -> str:
    parts = []
    while isinstance(where, tuple):
        where, part = where
        parts.append(part)
    text = "".join(reversed(parts))
    return text.lstrip(".") if dotted else where + text


def _child(where: Any, key: Any) -> tuple:
    return (where, f".{key}" if isinstance(key, str) else f"[{key}]")


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields_of(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _number(data: Any, where: Any) -> int:
    if type(data) is not int or data < 0:
        raise TotalsFileError(f"{_place(where)}: must be a whole number 0 or more, not {json.dumps(data)[:40]}")
    return data


def _histogram(data: Any, where: Any) -> Counter:
    """A Counter of whole numbers from [value, count] pairs: the days-late histograms, most of a document."""
    if type(data) is list and all(type(p) is list and len(p) == 2 and type(p[0]) is int and type(p[1]) is int
                                  and p[1] >= 0 for p in data):
        return Counter(dict(data))
    if isinstance(data, dict):  # a Counter with text keys (a tally added later)
        return Counter({k: _number(v, _child(where, k)) for k, v in data.items()})
    if isinstance(data, list):
        for i, pair in enumerate(data):
            if not (isinstance(pair, list) and len(pair) == 2):
                raise TotalsFileError(f"{_place(where)}[{i}]: must be a [value, count] pair")
            _number(pair[1], (where, f"[{i}]"))
        return Counter({_decode_key(k): v for k, v in data})
    raise TotalsFileError(f"{_place(where)}: must be a list of [value, count] pairs")


def decode(template: Any, data: Any, where: Any) -> Any:
    """``data`` read into the shape of ``template`` (a fresh totals value at the same place);
    ``where`` is the place, for messages (``_place``)."""
    cls = type(template)
    if cls is int:
        return _number(data, where)
    if hasattr(cls, "__dataclass_fields__"):
        if not isinstance(data, dict):
            raise TotalsFileError(f"{_place(where)}: must be an object")
        names = _fields_of(cls)
        if len(data) != len(names) or not all(n in data for n in names):
            unknown = sorted(set(data) - set(names))
            if unknown:
                raise TotalsFileError(f"{_place(_child(where, unknown[0]))}: not a field of this version's totals")
        for name in names:
            if name in data:
                setattr(template, name, decode(getattr(template, name), data[name], _child(where, name)))
            elif _place(_child(where, name), dotted=True) not in EXCLUDED:
                raise TotalsFileError(f"{_place(_child(where, name))}: missing")
        return template
    if isinstance(template, Counter):
        return _histogram(data, where)
    if isinstance(template, dict):
        fixed = not isinstance(template, defaultdict)
        if fixed and type(data) is dict and data.keys() == template.keys() and all(
                type(v) is int and v >= 0 for v in data.values()) and all(type(v) is int for v in template.values()):
            return cls(data)  # a tally's status counts: most of a document, checked in one pass
        out = defaultdict(template.default_factory) if not fixed else cls()
        if isinstance(data, dict):
            pairs = data.items()
        elif isinstance(data, list) and all(isinstance(p, list) and len(p) == 2 for p in data):
            pairs = [(_decode_key(k), v) for k, v in data]
        else:
            raise TotalsFileError(f"{_place(where)}: must be an object or a list of [key, value] pairs")
        make = template.default_factory if not fixed else None
        for key, value in pairs:
            if make is not None:
                inner = make()
            elif key in template:
                inner = template[key]
            else:
                # a fixed-key dict (passivity's months): JSON made its int keys text
                match = [k for k in template if str(k) == str(key)]
                if not match:
                    raise TotalsFileError(f"{_place(_child(where, key))}: not a known key")
                key, inner = match[0], template[match[0]]
            out[key] = decode(inner, value, _child(where, key))
        if fixed:
            for key, value in template.items():  # a fixed key the document left out stays as it was
                out.setdefault(key, value)
        return out
    if cls is bool:
        if not isinstance(data, bool):
            raise TotalsFileError(f"{_place(where)}: must be true or false")
        return data
    if cls is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise TotalsFileError(f"{_place(where)}: must be a number")
        return float(data)
    if template is None or cls is str:
        return data
    raise TotalsFileError(f"{_place(where)}: cannot be read into {cls.__name__}")


def read_document(path: Path) -> Unit:
    """One exported document, checked: ``TotalsFileError`` (``file: field: problem``) otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise TotalsFileError(f"{path}: (file): not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise TotalsFileError(f"{path}: line {exc.lineno}: not JSON ({exc.msg})") from None
    return from_document(data, str(path))


def from_document(data: Any, where: str) -> Unit:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TotalsFileError(f"{where}: format: not a sagsrute totals document (audit --export-totals)")
    if data.get("version") != VERSION:
        raise TotalsFileError(f"{where}: version: {data.get('version')!r} is not {VERSION} (written by another sagsrute)")
    try:
        as_of = date.fromisoformat(data.get("as_of") or "")
    except (TypeError, ValueError):
        raise TotalsFileError(f"{where}: as_of: must be a date YYYY-MM-DD") from None
    rules = data.get("rules")
    if not isinstance(rules, dict) or not all(isinstance(rules.get(k), str) for k in ("label", "digest")):
        raise TotalsFileError(f"{where}: rules: must hold the rules' label and digest")
    unit = data.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise TotalsFileError(f"{where}: unit: must be text")
    titles = data.get("titles", {})
    if not isinstance(titles, dict):
        raise TotalsFileError(f"{where}: titles: must be an object")
    totals = decode(AuditTotals(), data.get("totals"), f"{where}: totals")
    caseworkers = bool(data.get("caseworkers"))
    return Unit(unit or Path(where).stem, as_of, rules["label"], rules["digest"], totals, titles, caseworkers, where)


# -- merging ---------------------------------------------------------------------------------------


@dataclass
class Merged:
    totals: AuditTotals
    units: list[Unit]
    as_of: date
    rules_label: str
    titles: dict
    mixed: list[str]  # what differs between the units ("as_of", "rules"), when allowed

    @property
    def caseworkers(self) -> bool:
        return all(u.caseworkers for u in self.units)


def differences(units: list[Unit]) -> list[str]:
    out = []
    if len({u.as_of for u in units}) > 1:
        out.append("as_of")
    if len({u.rules_digest for u in units}) > 1:
        out.append("rules")
    return out


def merge_units(units: Iterable[Unit], allow_mixed: bool = False) -> Merged:
    """The units added up (``AuditTotals.merge``, in the order given: the figures do not depend on
    it). Different as-of dates or rule digests are refused unless ``allow_mixed``."""
    units = list(units)
    if not units:
        raise TotalsFileError("(files): no totals to merge")
    names = [u.unit for u in units]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise TotalsFileError(f"{[u.source for u in units if u.unit == twice[0]][1]}: unit: {twice[0]!r} "
                              "is in two files: each unit once (or name them with audit --unit)")
    mixed = differences(units)
    if mixed and not allow_mixed:
        first = units[0]
        other = next(u for u in units if (u.as_of != first.as_of if "as_of" in mixed else u.rules_digest != first.rules_digest))
        if "as_of" in mixed:
            problem = f"as_of: {other.as_of} differs from {first.as_of} ({first.source})"
        else:
            problem = f"rules: {other.rules_label} differs from {first.rules_label} ({first.source})"
        raise TotalsFileError(f"{other.source}: {problem}; --allow-mixed merges them anyway")
    totals = AuditTotals()
    titles: dict = {}
    for unit in units:
        totals.merge(unit.totals)
        for rule, title in unit.titles.items():
            titles.setdefault(rule, title)
    labels = sorted({u.rules_label for u in units})
    return Merged(totals, units, max(u.as_of for u in units), " + ".join(labels), titles, mixed)


def merge_files(paths: Iterable[Path], allow_mixed: bool = False) -> Merged:
    return merge_units((read_document(p) for p in paths), allow_mixed)


def tree_merge(parts: list[AuditTotals]) -> AuditTotals:
    """Totals merged pairwise, level by level (what the Dask path does on its workers)."""
    parts = list(parts) or [AuditTotals()]
    while len(parts) > 1:
        nxt = []
        for i in range(0, len(parts), 2):
            if i + 1 < len(parts):
                parts[i].merge(parts[i + 1])
            nxt.append(parts[i])
        parts = nxt
    return parts[0]
