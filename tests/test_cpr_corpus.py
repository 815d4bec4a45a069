"""No CPR number in any output or in the database (issue 13.1).

A corpus of CPR numbers in every shape the issue names (010190-1234, 0101901234, "010190 1234",
01.01.90-1234, an en dash, other dashes and slashes, inside free text) is put in every text field
of a case (identifiers: refused; free text: masked), in a CSV export, in a file and directory name,
in a rule override (title, description, an unknown key), in a scenario file (name, inline case,
an unknown key) and in a date and an enum field. Then import, check, audit (terminal, HTML, Excel,
CSV, overdue CSV, stored runs), audit-runs, audit-compare, whatif (terminal, HTML, JSON, CSV) and
test-rules run as real processes, and every output, stdout, stderr and the bytes of the SQLite
files are searched for each number's digits: none is found.

Each number has its own digits, so a find names the shape that leaked; the search is its own
pattern (the digits with any non-digits between the parts), not models/privacy.py's.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2021-12-31"

# (DD, MM, YY, SSSS, the shape as written). Day and month are real; every number differs.
SHAPES = [
    ("01", "01", "90", "1234", "{d}{m}{y}-{s}"),
    ("02", "02", "91", "2345", "{d}{m}{y}{s}"),
    ("03", "03", "92", "3456", "{d}{m}{y} {s}"),
    ("04", "04", "93", "4567", "{d}.{m}.{y}-{s}"),
    ("05", "05", "94", "5678", "{d}{m}{y}\u2013{s}"),  # en dash
    ("06", "06", "95", "6789", "{d}{m}{y}\u2014{s}"),  # em dash
    ("07", "07", "96", "7890", "{d}{m}{y}/{s}"),
    ("08", "08", "97", "8901", "{d}{m}{y}\u2212{s}"),  # minus sign
    ("09", "09", "98", "9012", "{d}{m}{y} - {s}"),
    ("10", "10", "99", "0123", "{d}-{m}-{y}-{s}"),
    ("11", "11", "00", "1230", "unge ({d}{m}{y}-{s})"),  # inside free text
    ("29", "02", "84", "2468", "LTK{d}{m}{y}{s}"),  # 29 February, inside an id
    ("12", "12", "88", "1357", "{d}{m}{y}\u2011{s}"),  # non-breaking hyphen
]
NUMBERS = [shape.format(d=d, m=m, y=y, s=s) for d, m, y, s, shape in SHAPES]
# The search: the parts in order with at most three non-digits between them (a separator, an escape).
SEARCH = [re.compile(f"(?<![0-9]){d}[^0-9]{{0,3}}{m}[^0-9]{{0,3}}{y}[^0-9]{{0,6}}{s}(?![0-9])")
          for d, m, y, s, _ in SHAPES]

GOOD = {
    "citizen": {"birth_date": "1988-10-31", "education": "ungdomsuddannelse", "team": "unge", "caseworker": "kw-1"},
    "benefits": [{"type": "kontanthjaelp", "start": "2021-03-31", "first_contact": "2021-03-29"}],
    "events": [{"date": "2021-04-01", "type": "conversation", "kind": "visitation"}],
}


def case(case_id: str, citizen: dict | None = None, **fields) -> dict:
    out = json.loads(json.dumps(GOOD))
    out["case_id"] = case_id
    out["citizen"].update(citizen or {})
    out.update(fields)
    return out


def corpus_cases() -> list[dict]:
    """Per shape: the number as case id, team, caseworker and a-kasse (refused), in a reason
    (masked, the case accepted), as an unknown key, in a date and in an enum field (refused)."""
    cases = []
    for n, number in enumerate(NUMBERS):
        cases += [
            case(number),
            case(f"TEAM-{n}", {"team": number}),
            case(f"KW-{n}", {"caseworker": number}),
            case(f"AK-{n}", {"akasse": number}),
            case(f"REASON-{n}", exemptions=[{"kind": "less_intensive", "start": "2021-05-01", "end": "2021-06-30",
                                             "reason": f"aftalt med {number} i telefonen"}]),
            case(f"KEY-{n}", **{number: "x"}),
            case(f"DATE-{n}", benefits=[{"type": "kontanthjaelp", "start": number}]),
            case(f"ENUM-{n}", benefits=[{"type": number, "start": "2021-03-31"}]),
        ]
    return cases


def write_corpus(root: Path) -> dict[str, Path]:
    cases = root / "cases"
    (cases / f"unge {NUMBERS[0]}").mkdir(parents=True)  # a directory named with a CPR number
    corpus = corpus_cases()
    (cases / "corpus.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in corpus),
                                        encoding="utf-8")
    for n, c in enumerate(corpus[:16]):
        (cases / f"case-{n}.yaml").write_text(json.dumps(c, ensure_ascii=False), encoding="utf-8")
    # file names holding a CPR number, with a good case in them (their path is stored as "source")
    (cases / f"unge {NUMBERS[0]}" / f"{NUMBERS[1]}.json").write_text(json.dumps(case("NAMED-1")))
    (cases / f"{NUMBERS[2].replace('/', '-')}.yaml").write_text(json.dumps(case("NAMED-2")))
    (cases / "good.json").write_text(json.dumps(case("GOOD-1", exemptions=[
        {"kind": "less_intensive", "start": "2021-05-01", "end": "2021-06-30", "reason": f"ring {NUMBERS[3]}"}])))
    # a CSV export with the numbers in its identifier and free-text columns
    export = root / "export" / f"export {NUMBERS[4]}.csv"
    export.parent.mkdir()
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case_id", "birth_date", "education", "team", "caseworker", "akasse", "record", "type", "date",
                         "kind", "end", "reason"])
        for n, number in enumerate(NUMBERS):
            writer.writerow([number, "1980-01-01", "none", "", "", "", "benefit", "kontanthjaelp", "2021-01-04", "", "", ""])
            for column in ("team", "caseworker", "akasse"):
                row = [f"CSV-{column}-{n}", "1980-01-01", "none", "", "", "", "benefit", "kontanthjaelp", "2021-01-04",
                       "", "", ""]
                row[{"team": 3, "caseworker": 4, "akasse": 5}[column]] = number
                writer.writerow(row)
            writer.writerow([f"CSV-R-{n}", "1980-01-01", "none", "t", "k", "", "benefit", "kontanthjaelp", "2021-01-04",
                             "", "", ""])
            writer.writerow([f"CSV-R-{n}", "", "", "", "", "", "exemption", "", "2021-02-01", "less_intensive",
                             "2021-03-01", f"efter samtale {number}"])
    # a rule override and scenario files with the numbers in their text, their keys and names
    override = root / f"override {NUMBERS[5]}.yaml"
    override.write_text(
        "name: cpr-corpus\n"  # an identifier: a CPR number in it is refused (bad_override below)
        f"description: \"ændring for {NUMBERS[7]} og {NUMBERS[6]}\"\n"
        "changes:\n  - rule: contact-course-4-conversations\n    set:\n      title:\n"
        f"        da: \"Fire samtaler {NUMBERS[8]}\"\n        en: \"Four conversations {NUMBERS[9]}\"\n",
        encoding="utf-8")
    bad_override = root / "bad-override.yaml"
    bad_override.write_text(f"name: cpr-{NUMBERS[6].replace('/', '-')}\nchanges:\n"
                            f"  - rule: contact-course-4-conversations\n    \"{NUMBERS[10]}\": 1\n", encoding="utf-8")
    scenarios = root / "scenarios"
    scenarios.mkdir()
    (scenarios / f"s {NUMBERS[11]}.yaml").write_text(
        "scenarios:\n"
        f"  - name: \"scenario for {NUMBERS[12]}\"\n    as_of: 2021-08-16\n"
        f"    case: {json.dumps(case('SC-1'))}\n"
        "    expect:\n      exhaustive: false\n      actions:\n"
        "        - {rule: first-conversation-within-1-week, status: met}\n"
        f"  - name: an inline case id\n    as_of: 2021-08-16\n    case: {json.dumps(case(NUMBERS[0]), ensure_ascii=False)}\n"
        "    expect: {actions: []}\n"
        f"  - name: an unknown key\n    as_of: 2021-08-16\n    \"{NUMBERS[1]}\": 1\n"
        f"    case: {json.dumps(case('SC-3'))}\n    expect: {{actions: []}}\n",
        encoding="utf-8")
    return {"cases": cases, "export": export, "override": override, "bad_override": bad_override,
            "scenarios": scenarios}


def sagsrute(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "160", "SAGSRUTE_TRACEBACK": "0"}
    return subprocess.run([sys.executable, "-m", "cli", *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def found(text: str) -> list[str]:
    return [NUMBERS[i] for i, pattern in enumerate(SEARCH) if pattern.search(text)]


def file_texts(path: Path) -> str:
    """What a file holds, as text: an xlsx workbook is a zip of XML, read member by member."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return path.read_bytes().decode("utf-8", "replace")


def test_the_corpus_is_caught_by_the_one_definition():
    from models.privacy import looks_like_cpr, mask_cpr

    for number in NUMBERS:
        assert looks_like_cpr(number), number
        assert not found(mask_cpr(number)), number
    for not_cpr in ("2021-03-31", "SYN-ABC-0001234", "320190-1234", "011390-1234", "300290-1234", "01019012345"):
        assert not looks_like_cpr(not_cpr), not_cpr


def test_no_cpr_number_in_any_output_or_the_database(tmp_path):
    paths = write_corpus(tmp_path)
    out = tmp_path / "out"
    db = tmp_path / "team.sqlite"
    cases, export, override = paths["cases"], paths["export"], paths["override"]
    runs = [
        ("import", cases, export, "--db", db),
        ("import", cases, export, "--db", db, "--workers", "2"),  # again: unchanged, rejected again
        ("check", cases, "--as-of", AS_OF),
        ("check", cases, "--as-of", AS_OF, "--format", "json", "--explain"),
        ("check", cases / "good.json", "--as-of", AS_OF, "--explain", "--all", "--rules", override),
        ("audit", "--db", db, "--as-of", AS_OF, "--group-by", "team", "--group-by", "caseworker",
         "--html", out / "audit.html", "--xlsx", out / "audit.xlsx", "--csv", out / "csv",
         "--overdue-csv", out / "overdue.csv", "--lang", "en"),
        ("audit", "--db", db, "--as-of", AS_OF, "--csv", out / "csv-excel", "--csv-dialect", "excel",
         "--overdue-csv", out / f"overdue {NUMBERS[0]}.csv", "--rules", override),
        ("audit", cases, "--as-of", AS_OF, "--db", db, "--store", "--workers", "2", "--html", out / "files.html"),
        ("audit-runs", "--db", db),
        ("audit-compare", "1", "2", "--db", db),
        ("whatif", cases, "--candidate", override, "--as-of", AS_OF, "--explain", "--html", out / "whatif.html"),
        ("whatif", cases, "--candidate", override, "--as-of", AS_OF, "--format", "json"),
        ("whatif", cases, "--candidate", override, "--as-of", AS_OF, "--format", "csv"),
        ("whatif", cases, "--candidate", paths["bad_override"], "--as-of", AS_OF),
        ("test-rules", paths["scenarios"], "--rules", override, "--explain"),
        ("test-rules", paths["scenarios"], "--rules", paths["bad_override"]),
        ("rules", "list", "--rules", override),
        ("rules", "show", "contact-course-4-conversations", "--rules", override),
    ]
    leaks = []
    for args in runs:
        result = sagsrute(*args, cwd=tmp_path)
        text = result.stdout + result.stderr
        assert "Traceback" not in text, (args, text)
        assert result.returncode in (0, 1), (args, result.returncode, text)
        leaks += [(args[0], number, "stdout/stderr") for number in found(text)]
    # The corpus was read and reported: refused identifiers and masked free text.
    check = sagsrute("check", cases, "--as-of", AS_OF, "--lang", "en", cwd=tmp_path)
    assert "citizen.team: looks like a CPR number" in check.stderr
    assert "citizen.akasse: looks like a CPR number" in check.stderr
    assert "case_id: looks like a CPR number" in check.stderr
    assert "[CPR-shaped number hidden]" in check.stderr  # a file name, an unknown key
    written = sorted(p for p in out.rglob("*") if p.is_file())
    assert {p.name for p in written} >= {"audit.html", "audit.xlsx", "overdue.csv", "whatif.html", "files.html"}
    for path in written:
        assert "010190" not in path.name or "hidden" in path.name or path.name.startswith("overdue ")
        leaks += [(path.name, number, "file") for number in found(file_texts(path))]
    # the database: every byte of its files, read as text both ways SQLite may store it
    stored = [p for p in tmp_path.glob("team.sqlite*")]
    assert stored
    for path in stored:
        raw = path.read_bytes()
        for text in (raw.decode("utf-8", "replace"), raw.decode("utf-16-le", "replace")):
            leaks += [(path.name, number, "database") for number in found(text)]
    assert not leaks, leaks
    # ... and the accepted cases are there, with their free text masked
    import sqlite3

    with sqlite3.connect(db) as conn:
        data = dict(conn.execute("select case_id, data from case_record").fetchall())
        sources = [row[0] for row in conn.execute("select source from case_record")]
    assert "REASON-0" in data and "GOOD-1" in data and "CSV-R-0" in data and "NAMED-1" in data
    assert "[CPR-shaped number hidden]" in json.loads(data["REASON-0"])["exemptions"][0]["reason"]
    assert any("[CPR-shaped number hidden]" in s for s in sources)
