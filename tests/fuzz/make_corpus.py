"""Write the fuzz corpus: one hostile input per file (issue 13.2), run by tests/test_hostile_input.py.

    python tests/fuzz/make_corpus.py      # rewrites tests/fuzz/cases/ and tests/fuzz/rules/

Every file must give exit 1 with a ``file: field: problem`` line and no traceback, in bounded time.
The few inputs too large to keep in the repository (a 20 MB team name, a 1.5 MB line) are made by
the test itself (``large_inputs``). Files are written as bytes: some are not valid UTF-8 on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def case(**changes) -> dict:
    out = {
        "case_id": "FZ-1",
        "citizen": {"birth_date": "1988-10-31", "education": "ungdomsuddannelse", "team": "unge"},
        "benefits": [{"type": "kontanthjaelp", "start": "2021-03-31", "first_contact": "2021-03-29"}],
        "events": [{"date": "2021-04-01", "type": "conversation", "kind": "visitation"}],
    }
    for key, value in changes.items():
        if key in ("team", "caseworker", "akasse", "birth_date", "education"):
            out["citizen"][key] = value
        else:
            out[key] = value
    return out


def j(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


BOMB = (b'case_id: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + b"".join(b"%c: &%c [%s]\n" % (ord("b") + i, ord("b") + i, b",".join([b"*%c" % (ord("a") + i)] * 9))
                   for i in range(8)))

CASES: dict[str, bytes] = {
    # YAML that expands or builds what it should not
    "alias-bomb.yaml": BOMB,
    "alias-benefits.yaml": b"case_id: FZ-1\ncitizen: &c {birth_date: 1988-10-31, education: none}\n"
                           b"benefits: [{type: kontanthjaelp, start: 2021-01-04}]\nother: *c\n",
    "merge-key.yaml": b"base: &b {type: kontanthjaelp}\ncase_id: FZ-1\ncitizen: {birth_date: 1988-10-31, education: none}\n"
                      b"benefits: [{<<: *b, start: 2021-01-04}]\n",
    "python-tag.yaml": b"case_id: !!python/object/apply:os.system ['echo pwned']\n",
    "list-key.yaml": b"? [a, b]\n: 1\ncase_id: FZ-1\n",
    "mapping-key.yaml": b"? {a: 1}\n: 1\ncase_id: FZ-1\n",
    "deep-flow.yaml": b"[" * 5000 + b"]" * 5000,
    "deep-block.yaml": b"".join(b" " * i + b"k:\n" for i in range(40)) + b" " * 40 + b"x\n",
    "huge-int.yaml": b"case_id: FZ-1\nstep: " + b"9" * 4301 + b"\n",
    "two-documents.yaml": b"case_id: FZ-1\n---\ncase_id: FZ-2\n",
    "nul-byte.yaml": b"case_id: FZ\x00-1\n",
    "tab-indent.yaml": b"case_id: FZ-1\ncitizen:\n\tbirth_date: 1988-10-31\n",
    "dup-key.yaml": b"case_id: FZ-1\ncase_id: FZ-2\n",
    "empty.yaml": b"",
    "scalar.yaml": b"just text\n",
    "not-utf8.yaml": "case_id: FZ-\xe6\xf8\xe5\n".encode("latin-1"),
    # JSON
    "deep.json": b"[" * 100000 + b"]" * 100000,
    "deep-objects.json": b'{"a":' * 50 + b"1" + b"}" * 50,
    "huge-int.json": j(case(events=[{"date": "2021-04-01", "type": "education_order"}]))[:-1]
                     + b', "x": ' + b"9" * 4301 + b"}",
    "dup-key.json": b'{"case_id": "FZ-1", "case_id": "FZ-2"}',
    "nan.json": j(case(events=[{"date": "2021-04-01", "type": "education_order", "step": 1}])).replace(
        b'"step": 1', b'"step": NaN'),
    "top-level-list.json": b"[" + j(case()) + b"]",
    "truncated.json": j(case())[:40],
    "not-utf8.json": '{"case_id": "FZ-\xe6"}'.encode("latin-1"),
    "lone-surrogate-team.json": j(case())[:-1].replace(b'"unge"', b'"u\\ud800nge"') + b"}",
    "lone-surrogate-reason.json": j(case(exemptions=[{"kind": "standby", "start": "2021-04-01",
                                                      "reason": "x"}])).replace(b'"x"', b'"\\udfff"'),
    "control-case-id.json": j(case(case_id="FZ-\x1b[31m")),
    "control-team.json": j(case(team="unge\x07\x1b]8;;http://x\x1b\\")),
    "newline-caseworker.json": j(case(caseworker="kw\nvikar")),
    "nul-akasse.json": j(case(akasse="3F\x00")),
    "bidi-case-id.json": j(case(case_id="FZ-\u202egnp.exe")),
    "long-team.json": j(case(team="t" * 201)),
    "long-case-id.json": j(case(case_id="F" * 5000)),
    "long-reason.json": j(case(exemptions=[{"kind": "standby", "start": "2021-04-01", "reason": "r" * 2001}])),
    "number-team.json": j(case(team=5)),
    "list-case-id.json": j(case(case_id=["FZ", 1])),
    "bool-birth-date.json": j(case(birth_date=True)),
    "far-date.json": j(case(benefits=[{"type": "kontanthjaelp", "start": "99999-01-01"}])),
    "impossible-date.json": j(case(benefits=[{"type": "kontanthjaelp", "start": "2021-13-45"}])),
    "float-step.json": j(case(events=[{"date": "2021-04-01", "type": "education_order", "step": 1.5}])),
    "huge-step.json": j(case(events=[{"date": "2021-04-01", "type": "education_order", "step": 10 ** 17}])),
    "unknown-key-markup.json": j({**case(), "[bold]x[/]": 1}),
    "empty.json": b"",
    "bom-then-garbage.json": b"\xef\xbb\xbf\xef\xbb\xbf{}",
    # JSON Lines
    "deep.jsonl": b"[" * 100000 + b"]" * 100000 + b"\n",
    "huge-int.jsonl": b'{"case_id": "FZ-1", "x": ' + b"9" * 4301 + b"}\n",
    "dup-key.jsonl": j(case())[:-1] + b', "case_id": "FZ-2"}\n',
    "string-line.jsonl": b'"just a string"\n',
    "not-utf8-midway.jsonl": j(case()) + b"\n" + '{"case_id": "FZ-\xe6"}\n'.encode("latin-1"),
    "empty.jsonl": b"\n\n   \n",
    "control-team.jsonl": j(case(team="t\x1b[2J")) + b"\n",
    "repeated-id.jsonl": j(case()) + b"\n" + j(case()) + b"\n",
    "markup-unknown-event.jsonl": j(case(events=[{"date": "2021-04-01", "type": "[red]x[/red]"}])) + b"\n",
    # CSV (for import; the other commands refuse it as not a case file)
    "unclosed-quote.csv": b'case_id,record,birth_date,education,type,date\n"FZ-1,benefit,1988-10-31,none,kontanthjaelp,2021-01-04\n',
    "nul.csv": b"case_id,record\nFZ-\x00,benefit\n",
    "too-many-cells.csv": b"case_id,record\nFZ-1,benefit,x,y\n",
    "unknown-column.csv": b"case_id,record,[bold]team[/]\nFZ-1,benefit,x\n",
    "control-team.csv": b"case_id,record,birth_date,education,team,type,date\n"
                        b"FZ-1,benefit,1988-10-31,none,t\x1b[31m,kontanthjaelp,2021-01-04\n",
    "long-cell.csv": b"case_id,record,team\nFZ-1,benefit," + b"t" * 200_000 + b"\n",
    "empty.csv": b"",
}

# Rule override files, given as --rules to check and test-rules and as --candidate to whatif.
RULES: dict[str, bytes] = {
    "huge-months.yaml": b"name: huge\nchanges:\n  - rule: ret-og-pligt-offer-by-6-months\n    set:\n"
                        b"      milestones:\n        - {count: 1, after: {months: 99999999999}}\n",
    "huge-weeks-negative.yaml": b"name: huge\nchanges:\n  - rule: ret-og-pligt-offer-by-6-months\n    set:\n"
                                b"      milestones:\n        - {count: 1, after: {weeks: -99999999}}\n",
    "huge-int.yaml": b"name: huge\nchanges:\n  - rule: ret-og-pligt-offer-by-6-months\n    set:\n"
                     b"      milestones:\n        - {count: 1, after: {days: " + b"9" * 4301 + b"}}\n",
    "alias-bomb.yaml": BOMB,
    "list-key.yaml": b"name: x\n? [a]\n: 1\n",
    "deep.yaml": b"name: x\nchanges: " + b"[" * 3000 + b"]" * 3000 + b"\n",
    "markup-rule.yaml": b"name: x\nchanges:\n  - rule: \"[/]no-such\x1b[31m\"\n    set: {}\n",
    "not-utf8.yaml": "name: \xe6\n".encode("latin-1"),
    "unknown-key.yaml": b"name: x\nchanges:\n  - rule: ret-og-pligt-offer-by-6-months\n    \"0101901234\": 1\n",
}


def write() -> None:
    for folder, files in (("cases", CASES), ("rules", RULES)):
        target = HERE / folder
        target.mkdir(exist_ok=True)
        for old in target.iterdir():
            old.unlink()
        for name, data in files.items():
            (target / name).write_bytes(data)


if __name__ == "__main__":
    write()
    print(f"wrote {len(CASES)} case inputs and {len(RULES)} rule inputs under {HERE}")
