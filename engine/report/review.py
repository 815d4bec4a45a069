"""The review sample (engine/batch/review.py) as a printable HTML page (one case per printed page)
and an Excel sheet with a verdict column that ``import`` reads back (engine/io/reviews.py)."""

from __future__ import annotations

from pathlib import Path

from engine import texts
from engine.batch.review import ReviewSample
from engine.io.reviews import INFO_KEYS, SHEET_MARK
from engine.report import group_label, words
from engine.report.safe import html_text as escape
from engine.report.series import append_sheet
from engine.report.style import page_head

PRINT_CSS = ("<style>@media print{header{background:none;color:#000}section.review-case{break-after:page;"
             "box-shadow:none}}td.box{width:7em;border:1px solid #999}ul.why{margin:.1em 0 .2em 1em}</style>")


def _rw(lang: str):
    return texts.words(texts.REVIEW, lang)


def _per(sample: ReviewSample, lang: str) -> str:
    if sample.per == "all":
        return _rw(lang)["per_all"]
    return texts.name(texts.DIMENSION_NAMES, sample.per, lang)


def _meta(sample: ReviewSample, lang: str) -> str:
    return _rw(lang)["meta"].format(as_of=sample.as_of, seed=sample.seed, size=sample.size, per=_per(sample, lang),
                                    n=len(sample.sampled), seen=sample.cases_seen)


def render_review_html(sample: ReviewSample, lang: str) -> str:
    rw, w = _rw(lang), words(lang)
    checks = texts.words(texts.REVIEW_CHECKS, lang)
    run = f'#{sample.run_id}' if sample.run_id is not None else rw["no_run"]
    parts = [page_head(rw["title"], lang).replace("</head>", PRINT_CSS + "</head>"),
             f'<header><h1>{escape(rw["title"])}</h1><div class="meta"><span>{escape(_meta(sample, lang))}</span>'
             f'<span>{escape(rw["run"])}: {escape(run)}</span><span>{escape(sample.rules_label)}</span></div></header>'
             f'<main><p>{escape(rw["how"])}</p><p class="dim definition">{escape(rw["definition"])}</p>']
    for s in sample.sampled:
        duties = "".join(
            f'<tr><td class="{a.status.value}">{escape(texts.status_label(a.status.value, lang))}</td>'
            f'<td class="n">{a.due}</td><td>{escape(a.title)}<br><span class="dim">{escape(a.rule)}</span>'
            f'<ul class="why">{"".join(f"<li>{escape(line)}</li>" for line in a.why)}</ul></td></tr>'
            for a in s.result.actions)
        items = "".join(
            f'<tr><td>{escape(checks[item])}</td><td class="dim">{escape(", ".join(rules))}</td>'
            f'<td class="box"></td><td class="box" style="width:14em"></td></tr>' for item, rules in s.checklist.items())
        parts.append(
            f'<section class="review-case" id="review-{s.number}"><h2>{escape(rw["number"])} {s.number} · '
            f'{escape(rw["case"])} {escape(s.case_id)}</h2><p>{escape(w["team"])}: {escape(group_label("team", s.team, lang))} · '
            f'{escape(w["caseworker"])}: {escape(group_label("caseworker", s.caseworker, lang))}</p>'
            f'<h3>{escape(rw["checklist"])}</h3><table class="checklist"><thead><tr><th>{escape(rw["item"])}</th>'
            f'<th>{escape(rw["behind"])}</th><th>{escape(rw["verdict"])}</th><th>{escape(rw["note"])}</th></tr></thead>'
            f'<tbody>{items}</tbody></table><h3>{escape(rw["duties"].format(as_of=sample.as_of))}</h3>'
            f'<table><thead><tr><th>{escape(rw["status"])}</th><th class="n">{escape(rw["due"])}</th>'
            f'<th>{escape(rw["why"])}</th></tr></thead><tbody>{duties}</tbody></table></section>')
    parts.append(f'</main><footer>{escape(w["generated"])}</footer></body></html>')
    return "".join(parts)


def write_review_xlsx(path: Path, sample: ReviewSample, lang: str) -> None:
    """Sheet 1: what the sample is (read back by import); sheet 2: one row per case and item, with
    a verdict column offering ok / missing / not applicable in the language."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    rw = _rw(lang)
    checks = texts.words(texts.REVIEW_CHECKS, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    info = workbook.active
    info.title = rw["run"][:31]
    values = (SHEET_MARK, sample.run_id, sample.as_of.isoformat(), sample.seed, sample.per, sample.rules_label)
    labels = ("sagsrute", rw["run"], texts.words(texts.AUDIT, lang)["as_of"], "seed", rw["stratum"], "rules")
    for key, label, value in zip(INFO_KEYS, labels, values):
        info.append([SHEET_MARK if key == "mark" else label, value if key != "mark" else _meta(sample, lang)])
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 60
    header = [rw["number"], rw["case"], words(lang)["team"], words(lang)["caseworker"], "key", rw["item"],
              rw["behind"], rw["verdict"], rw["note"]]
    rows = [[s.number, s.case_id, group_label("team", s.team, lang), group_label("caseworker", s.caseworker, lang),
             item, checks[item], ", ".join(rules), None, None]
            for s in sample.sampled for item, rules in s.checklist.items()]
    append_sheet(workbook, rw["sheet"], header, rows)
    sheet = workbook.worksheets[1]
    sheet.column_dimensions["E"].hidden = True  # the item's key: what import reads
    sheet.column_dimensions["F"].width = 50
    sheet.column_dimensions["I"].width = 40
    choices = ",".join(pair[1 if lang == "da" else 0] for pair in texts.VERDICTS.values())
    validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
    sheet.add_data_validation(validation)
    if rows:
        validation.add(f"H2:H{len(rows) + 1}")
    workbook.save(path)


def write_review_files(out: Path, sample: ReviewSample, lang: str) -> tuple[Path, Path]:
    """``out/review.html`` and ``out/review.xlsx``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    html, xlsx = out / "review.html", out / "review.xlsx"
    html.write_text(render_review_html(sample, lang), encoding="utf-8")
    write_review_xlsx(xlsx, sample, lang)
    return html, xlsx
