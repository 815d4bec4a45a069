"""One rule for every command (issue 13.4, engine/io/sources.py): a repeated case id is a bad case
with its file:line, BOMs and file-name case are handled the same for JSON, YAML and JSON Lines,
and a directory without case files is an error; JSON Lines decoded by pydantic's own parser give
exactly the messages of the exact path (issue 14.8)."""

import codecs
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from engine.io.loading import InputError, LoadedCase, load_json, parse_case, parse_jsonl_line
from engine.io.sources import claimed_id, file_items, read_sources

GOOD = {
    "case_id": "SRC-1",
    "citizen": {"birth_date": "1988-10-31", "education": "ungdomsuddannelse", "team": "unge"},
    "benefits": [{"type": "kontanthjaelp", "start": "2021-03-31", "first_contact": "2021-03-29"}],
    "events": [{"date": "2021-04-01", "type": "conversation", "kind": "visitation"}],
}
AS_OF = "2021-08-16"


def case(case_id: str, **citizen) -> dict:
    out = json.loads(json.dumps(GOOD))
    out["case_id"] = case_id
    out["citizen"].update(citizen)
    return out


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result, result.stdout + result.stderr


def commands(paths: list, tmp_path: Path) -> dict:
    """Every command that reads cases, on the same paths."""
    candidate = Path(__file__).resolve().parent.parent / "samples" / "overrides" / "six-conversations.yaml"
    return {
        "check": ("check", *paths, "--as-of", AS_OF, "--lang", "en"),
        "audit": ("audit", *paths, "--as-of", AS_OF, "--lang", "en"),
        "audit-workers": ("audit", *paths, "--as-of", AS_OF, "--lang", "en", "--workers", "2"),
        "whatif": ("whatif", *paths, "--candidate", candidate, "--as-of", AS_OF, "--lang", "en"),
        "import": ("import", *paths, "--db", tmp_path / "cases.sqlite", "--lang", "en"),
    }


def test_a_repeated_case_id_is_a_bad_case_with_its_line_in_every_command(tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(c) for c in (case("SRC-1"), case("SRC-2"), case("SRC-1", team="voksen")))
                     + "\n")
    other = tmp_path / "other.yaml"
    other.write_text(json.dumps(case("SRC-2")))  # JSON is YAML: a second file repeating an id
    for name, args in commands([batch, other], tmp_path).items():
        result, text = run(*args)
        assert result.exit_code == 1, (name, text)
        assert f"{batch}:3: case_id: 'SRC-1' appears again (first in {batch}:1)" in text, (name, text)
        assert f"{other}: case_id: 'SRC-2' appears again (first in {batch}:2)" in text, (name, text)
        assert "Traceback" not in text
    # evaluated once: the audit counts two cases, two bad; check lists each id once
    for workers in ("1", "2"):
        result, text = run("audit", batch, other, "--as-of", AS_OF, "--lang", "en", "--workers", workers)
        assert "Cases audited: 2  ·  Bad cases (skipped): 2" in text, text
    result, text = run("check", batch, other, "--as-of", AS_OF, "--format", "json")
    assert [r["case_id"] for r in json.loads(result.stdout)] == ["SRC-1", "SRC-2"]


def test_the_id_is_taken_from_the_text_the_same_way_as_from_the_parsed_record():
    lines = [json.dumps(case("A-1")), json.dumps({"citizen": {}, "case_id": "A-2"}),
             '{"case_id": "A\\u002d3", "x": 1}', '[{"case_id": "A-4"}]', '{"x": {"case_id": "A-5"}}',
             '{"case_id": 5}', '{"case_id": "A-6", "note": "\\"case_id\\": \\"B\\""}', '{"case_id": "0101901234"}',
             '{"case_id": "A-7", ', "{not json"]
    for line in lines:
        try:
            data = load_json(line)
        except ValueError:
            data = None
        exact = data.get("case_id") if isinstance(data, dict) and isinstance(data.get("case_id"), str) else None
        if exact == "0101901234":
            exact = None  # a refused id is never remembered
        if line == '{"case_id": "A-7", ':
            exact = "A-7"  # a broken line still names its id: the rule does not depend on who validates it
        assert claimed_id(line) == exact, line


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml", ".jsonl"])
def test_a_byte_order_mark_is_accepted_the_same_in_every_format(tmp_path, suffix):
    path = tmp_path / f"bom{suffix}"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps(case("BOM-1")).encode() + b"\n")
    [loaded] = list(read_sources([path]))
    assert isinstance(loaded, LoadedCase) and loaded.case.case_id == "BOM-1"
    result, text = run("check", path, "--as-of", AS_OF)
    assert result.exit_code == 0, text


@pytest.mark.parametrize("name", ["UPPER.JSONL", "Case.YML", "case.Json", "CASE.YAML"])
def test_file_name_endings_are_read_without_case(tmp_path, name):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / name).write_text(json.dumps(case("CASE-1")) + "\n")
    (folder / "expected.EXPECTED.JSON").write_text("{}")  # the contract's expected outputs are not cases
    for args in (("check", folder / name, "--as-of", AS_OF), ("check", folder, "--as-of", AS_OF),
                 ("audit", folder, "--as-of", AS_OF)):
        result, text = run(*args)
        assert result.exit_code == 0, (args, text)
    assert [type(x).__name__ for x in read_sources([folder])] == ["LoadedCase"]


def test_an_empty_directory_or_one_without_case_files_is_an_error_in_every_command(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("no cases here")
    for folder in (empty, other):
        for name, args in commands([folder], tmp_path).items():
            result, text = run(*args)
            assert result.exit_code == 1, (name, text)
            assert f"{folder}: (directory): no case files found" in text, (name, text)
            assert "Traceback" not in text


def test_repeated_json_keys_are_refused_like_yaml_ones(tmp_path):
    text = json.dumps(case("DUP-1"))
    doubled = text[:-1] + ', "benefits": [{"type": "sygedagpenge", "start": "2021-06-01"}]}'
    (tmp_path / "a.json").write_text(doubled)
    (tmp_path / "b.jsonl").write_text(doubled + "\n")
    (tmp_path / "c.yaml").write_text("case_id: DUP-2\nbenefits: []\nbenefits: []\n")
    problems = {Path(e.source.split(":")[0]).name: str(e) for e in read_sources([tmp_path])}
    assert problems["a.json"].endswith("(file): not valid JSON (the key 'benefits' appears twice in one object)")
    assert problems["b.jsonl"].endswith(":1: (line): not valid JSON (the key 'benefits' appears twice in one object)")
    assert "the key 'benefits' appears twice (first at line 2)" in problems["c.yaml"]


# Lines whose messages must be exactly those of the exact path (json.loads, then parse_case).
LINES = [
    json.dumps(case("OK-1")),
    json.dumps(case("OK-2", forsoerger=True)),
    json.dumps({**case("BAD-1"), "benefits": [{"type": "kontant", "start": "2021-01-01"}]}),
    json.dumps({**case("BAD-2"), "citizen": {"birth_date": "1988-02-30", "education": "none"}}),
    json.dumps({**case("BAD-3"), "events": [{"date": "2021-04-01", "type": "phone_call"}]}),
    json.dumps({**case("BAD-4"), "extra": 1}),
    json.dumps({**case("BAD-5"), "case_id": 17}),
    json.dumps({**case("BAD-6"), "case_id": "010190-1234"}),
    json.dumps({**case("BAD-7"), "benefits": []}),
    json.dumps({**case("BAD-8"), "events": [{"date": "2021-04-01", "type": "education_order", "step": 9}]}),
    json.dumps(["not", "a", "mapping"]),
    '{"case_id": "X", "case_id": "Y"}',
    "{broken",
    json.dumps({**case("ESC-1"), "exemptions": [{"kind": "standby", "start": "2021-04-01", "reason": 'a "quoted": x'}]}),
]


def _exact(line: str, where: str):
    import json as plain

    try:
        data = plain.loads(line)
    except plain.JSONDecodeError as exc:
        return InputError(where, (f"(line): not valid JSON ({exc.msg} at column {exc.colno})",))
    return parse_case(data, where)


@pytest.mark.parametrize("line", LINES)
def test_json_lines_decoded_by_pydantic_give_the_messages_of_the_exact_path(line):
    fast = parse_jsonl_line(line, "f.jsonl:1")
    if line == '{"case_id": "X", "case_id": "Y"}':  # json.loads keeps the last; sagsrute refuses it
        assert str(fast) == "f.jsonl:1: (line): not valid JSON (the key 'case_id' appears twice in one object)"
        return
    exact = _exact(line, "f.jsonl:1")
    assert type(fast) is type(exact)
    if isinstance(exact, InputError):
        assert fast.problems == exact.problems and fast.case_id == exact.case_id
    else:
        assert fast.case == exact.case


def test_every_line_of_a_generated_caseload_decodes_to_the_same_case_both_ways():
    from datetime import date

    from engine.io.generate import generate_cases

    for record in generate_cases(300, 3, date(2021, 12, 31)):
        line = json.dumps(record)
        assert parse_jsonl_line(line, "g:1").case == _exact(line, "g:1").case


def test_file_items_give_each_file_its_masked_label(tmp_path):
    folder = tmp_path / "unge 010190-1234"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(case("LBL-1")))
    [(kind, source, loaded)] = list(file_items([folder]))
    assert kind == "loaded" and "010190" not in source and "[CPR-shaped number hidden]" in source
