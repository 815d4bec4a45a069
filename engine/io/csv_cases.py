"""Reading cases from a CSV export: one row per benefit period, assessment, event or exemption.

The columns are documented in docs/import-csv.md. Rows of one case are consecutive; each group
becomes one case dict validated by ``engine.io.loading.parse_case``, and every problem names the file,
the line and the column. A CSV problem never repeats a case id (it may be a CPR number).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from pydantic import ValidationError

from models.case import Case
from models.privacy import looks_like_cpr
from engine.io.loading import InputError, Loaded, LoadedCase, label as path_label, validation_problems

CITIZEN_COLUMNS = ("birth_date", "education", "forsoerger", "akasse", "caseworker", "team")
RECORD_COLUMNS = ("type", "date", "end", "kind", "by", "offer", "employer", "step", "category",
                  "first_contact", "first_sick_day", "reason")
COLUMNS = ("case_id",) + CITIZEN_COLUMNS + ("record",) + RECORD_COLUMNS
REQUIRED_COLUMNS = ("case_id", "record")

# For each record type: the case list it goes to and {column: field of the item}. A filled cell in
# a column a record does not use is an error, so nothing in the file is silently ignored.
RECORDS: dict[str, tuple[str, dict[str, str]]] = {
    "benefit": ("benefits", {"type": "type", "date": "start", "end": "end", "first_contact": "first_contact",
                             "first_sick_day": "first_sick_day"}),
    "assessment": ("assessments", {"date": "date", "category": "category"}),
    "event": ("events", {"type": "type", "date": "date", "kind": "kind", "by": "by", "offer": "offer",
                         "end": "end", "employer": "employer", "step": "step"}),
    "exemption": ("exemptions", {"kind": "kind", "date": "start", "end": "end", "reason": "reason"}),
    "citizen": ("", {}),  # a row that carries only citizen columns
}
# The other way: which column holds a case field, to name the column in a validation error.
COLUMN_OF = {(target, fieldname): column for target, columns in RECORDS.values() for column, fieldname in columns.items()}

TRUE = {"true", "1", "yes", "ja", "j", "y", "x"}
FALSE = {"false", "0", "no", "nej", "n", ""}


def _sniff_delimiter(header: str) -> str:
    # Danish spreadsheet exports separate with ";" (the comma is the decimal mark).
    return ";" if header.count(";") > header.count(",") else ","


@dataclass
class _Group:
    """The rows of one case while they are being read."""

    first_line: int
    last_line: int
    citizen: dict[str, tuple[str, int]] = field(default_factory=dict)  # column -> (value, line)
    items: dict[str, list[tuple[dict, int]]] = field(default_factory=dict)  # list -> [(item, line)]
    problems: list[str] = field(default_factory=list)
    case_id: str = ""


def _cell_problem(line: int, column: str, problem: str) -> str:
    return f"line {line}: column {column}: {problem}"


def _add_row(group: _Group, row: dict[str, str], line: int) -> None:
    group.last_line = line
    for column in CITIZEN_COLUMNS:
        value = row.get(column, "").strip()
        if not value:
            continue
        seen = group.citizen.get(column)
        if seen is None:
            group.citizen[column] = (value, line)
        elif seen[0] != value:
            group.problems.append(_cell_problem(line, column,
                                                f"differs from line {seen[1]} of the same case ({value!r} vs {seen[0]!r})"))
    record = row.get("record", "").strip().lower()
    if record not in RECORDS:
        shown = repr(record) if record else "empty"
        group.problems.append(_cell_problem(line, "record", f"{shown} is not allowed; expected one of "
                                            + ", ".join(RECORDS)))
        return
    target, columns = RECORDS[record]
    item: dict[str, object] = {}
    for column in RECORD_COLUMNS:
        value = row.get(column, "").strip()
        if not value:
            continue
        if column not in columns:
            group.problems.append(_cell_problem(line, column, f"not used on a {record} row (leave it empty)"))
            continue
        if column == "step" and value.isdigit():
            item[columns[column]] = int(value)
        else:
            item[columns[column]] = value
    if target:
        group.items.setdefault(target, []).append((item, line))


def _citizen(group: _Group) -> dict:
    out: dict[str, object] = {}
    for column, (value, line) in group.citizen.items():
        if column == "forsoerger":
            lowered = value.lower()
            if lowered in TRUE:
                out[column] = True
            elif lowered in FALSE:
                out[column] = False
            else:
                group.problems.append(f"line {line}: column forsoerger: {value!r} is not true or false")
        else:
            out[column] = value
    return out


def _locate(group: _Group, loc: tuple) -> str:
    """``line N: column C`` for a pydantic error location in the built case dict."""
    if not loc:
        return f"lines {group.first_line}-{group.last_line}"
    head = loc[0]
    if head == "citizen":
        column = loc[1] if len(loc) > 1 else "birth_date"
        line = group.citizen.get(column, ("", group.first_line))[1]
        return f"line {line}: column {column}"
    if head in ("benefits", "assessments", "events", "exemptions"):
        rows = group.items.get(head, [])
        if len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(rows):
            line = rows[loc[1]][1]
            fieldname = next((p for p in loc[2:] if isinstance(p, str) and (head, p) in COLUMN_OF), None)
            column = COLUMN_OF.get((head, fieldname)) if fieldname else None
            return f"line {line}: column {column}" if column else f"line {line}"
        return f"lines {group.first_line}-{group.last_line}: record"
    if head == "case_id":
        return f"line {group.first_line}: column case_id"
    return f"lines {group.first_line}-{group.last_line}"


def _finish(group: _Group, label: str) -> Loaded:
    source = f"{label}:{group.first_line}" if group.first_line == group.last_line \
        else f"{label}:{group.first_line}-{group.last_line}"
    data = {"case_id": group.case_id, "citizen": _citizen(group)}
    for target, rows in group.items.items():
        data[target] = [item for item, _ in rows]
    shown_id = None if looks_like_cpr(group.case_id) else group.case_id
    if group.problems:
        return InputError(label, tuple(group.problems), shown_id)
    try:
        return LoadedCase(source, Case.model_validate(data))
    except ValidationError as exc:
        problems = []
        refused_id = False
        for error, text in zip(exc.errors(), validation_problems(exc)):
            refused_id |= error["loc"][:1] == ("case_id",)
            problems.append(f"{_locate(group, error['loc'])}: {text}")
        return InputError(label, tuple(problems), None if refused_id else shown_id)


def read_csv_cases(path: Path) -> Iterator[Loaded]:
    """Yield every case (or an InputError naming line and column) of a CSV export, streaming. A cell
    is at most ``csv.field_size_limit()`` characters (128 kB; docs/limits.md): a longer one stops
    the file as not valid CSV."""
    label = path_label(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        yield InputError(label, (f"(file): cannot be read ({exc.strerror})",))
        return
    last_good = 1
    with handle:
        try:
            header_line = handle.readline()
            if not header_line.strip():
                yield InputError(label, ("line 1: the file is empty (expected a header row naming the columns)",))
                return
            delimiter = _sniff_delimiter(header_line)
            header = [h.strip().lower() for h in next(csv.reader([header_line], delimiter=delimiter))]
            problems = [f"line 1: column {h!r} is not a known column" for h in header if h not in COLUMNS]
            problems += [f"line 1: required column {c!r} is missing" for c in REQUIRED_COLUMNS if c not in header]
            duplicates = sorted({h for h in header if header.count(h) > 1})
            problems += [f"line 1: column {h!r} appears twice" for h in duplicates]
            if problems:
                yield InputError(label, tuple(problems) + ("(file): known columns: " + ", ".join(COLUMNS),))
                return
            group: Optional[_Group] = None
            # strict: a quote never closed is an error, not a cell that swallows the rest of the file.
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            for cells in reader:
                line = last_good + 1  # where this row starts (a quoted cell may span lines)
                last_good = reader.line_num + 1  # the header was read separately
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(header):
                    yield InputError(label, (f"line {line}: {len(cells)} cells but the header names {len(header)} columns",))
                    continue
                row = dict(zip(header, cells))
                case_id = row.get("case_id", "").strip()
                if not case_id:
                    yield InputError(label, (f"line {line}: column case_id: empty (every row names its case)",))
                    continue
                if group is not None and case_id != group.case_id:
                    yield _finish(group, label)
                    group = None
                if group is None:
                    group = _Group(first_line=line, last_line=line, case_id=case_id)
                _add_row(group, row, line)
            if group is not None:
                yield _finish(group, label)
        except UnicodeDecodeError:
            yield InputError(label, ("(file): not UTF-8 text",))
        except csv.Error as exc:
            # The bad row starts after the last good one (an unclosed quote runs to the end).
            yield InputError(label, (f"(file): not valid CSV from line {last_good + 1} ({exc})",))


def case_rows(case: Case) -> Iterator[dict[str, str]]:
    """The CSV rows of one case (the inverse of reading): citizen columns on the first row only."""
    citizen = case.citizen.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    citizen["birth_date"] = case.citizen.birth_date.isoformat()
    citizen["education"] = case.citizen.education.value
    if "forsoerger" in citizen:
        citizen["forsoerger"] = "true" if citizen["forsoerger"] else "false"
    first = True
    for record, (target, columns) in RECORDS.items():
        if not target:
            continue
        column_of = {fieldname: column for column, fieldname in columns.items()}
        for item in getattr(case, target):
            row = {"case_id": case.case_id, "record": record}
            if first:
                row.update(citizen)
                first = False
            for fieldname, value in item.model_dump(mode="json", exclude_none=True).items():
                row[column_of[fieldname]] = str(value)
            yield row


def write_csv(cases: Iterator[Case], path: Path) -> int:
    """Write cases as a CSV export in the documented format; returns the number of cases."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        for case in cases:
            writer.writerows(case_rows(case))
            count += 1
    return count
