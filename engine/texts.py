"""The words of the ``why`` list, in Danish and English. Kept apart so the evaluator stays about logic."""

from __future__ import annotations

from datetime import date

BENEFIT_NAMES = {
    "a_dagpenge": ("a-dagpenge", "a-dagpenge"),
    "kontanthjaelp": ("kontanthjælp", "kontanthjælp"),
    "uddannelseshjaelp": ("uddannelseshjælp", "uddannelseshjælp"),
    "sygedagpenge": ("sygedagpenge", "sygedagpenge"),
    "jobafklaringsforloeb": ("jobafklaringsforløb", "jobafklaringsforløb"),
    "ressourceforloeb": ("ressourceforløb", "ressourceforløb"),
    "revalidering": ("revalidering", "revalidering"),
    "ledighedsydelse": ("ledighedsydelse", "ledighedsydelse"),
    "integrationsydelse": ("integrationsydelse", "integrationsydelse"),
}

EXEMPTION_NAMES = {
    "standby": ("standby (seriously ill)", "standby (alvorligt syg)"),
    "less_intensive": ("less intensive effort", "mindre intensiv indsats"),
    "ret_og_pligt_postponed": ("ret og pligt postponed", "ret og pligt udskudt"),
    "mentor": ("mentor support", "mentorstøtte"),
}

TEXTS = {
    "benefit": ("{benefit} since {start}", "{benefit} siden {start}"),
    "benefit_ended": ("the benefit period ended {end}", "ydelsesforløbet sluttede {end}"),
    "age": ("age {age} at the start", "{age} år ved start"),
    "assessed": ("assessed {category} on {date}", "visiteret {category} den {date}"),
    "regime": ("rule in force from {start} ({regime}) on the anchor date", "reglen gælder fra {start} ({regime}) på ankerdatoen"),
    "due": ("due {offset} after {anchor} ({date})", "frist {offset} efter {anchor} ({date})"),
    "progress": ("{done} of {required} {label}{events}", "{done} af {required} {label}{events}"),
    "milestone": ("milestone {n}: {required} by {due}", "delmål {n}: {required} senest {due}"),
    "postponed": ("due date moved from {old} to {new}: {what} {start} to {end}", "frist flyttet fra {old} til {new}: {what} {start} til {end}"),
    "postponed_open": ("due date moved from {old} to today ({new}): {what} from {start} has no end", "frist flyttet fra {old} til i dag ({new}): {what} fra {start} har ingen slutdato"),
    "exempt": ("exempt: {what} {start} to {end} covers the due date", "fritaget: {what} {start} til {end} dækker fristen"),
    "met": ("met on {date}", "opfyldt {date}"),
    "met_late": ("met {days} days late, on {date}", "opfyldt {days} dage for sent, den {date}"),
    "open": ("{days} days left", "{days} dage tilbage"),
    "open_today": ("due today", "frist i dag"),
    "overdue": ("{days} days overdue", "{days} dage over fristen"),
    "overdue_ended": ("{days} days overdue when the benefit period ended on {end}",
                      "{days} dage over fristen, da ydelsesforløbet sluttede {end}"),
    # the kinds max_gap, cadence and offer_limit (engine/core/kinds)
    "gap": ("the previous {label} ended {end}: the next one is due within {within} ({due})",
            "forrige {label} sluttede {end}: det næste senest {within} efter ({due})"),
    "window": ("window {n}: {required} {label} after {start} up to {end}",
               "periode {n}: {required} {label} efter {start} til og med {end}"),
    "distance_assumed": ("no visitation category on the offer's start: the limits close to the labour market apply",
                         "ingen visitationskategori ved tilbuddets start: grænserne for borgere tæt på arbejdsmarkedet gælder"),
    "offer_limit": ("{offer} from {start}: at most {limit}{extended}{distance}, last day {due}",
                    "{offer} fra {start}: højst {limit}{extended}{distance}, sidste dag {due}"),
    "offer_ended": ("ended {end}, within the limit", "sluttede {end}, inden for grænsen"),
    "distance_close": ("close to the labour market", "tæt på arbejdsmarkedet"),
    "distance_far": ("far from the labour market", "længere fra arbejdsmarkedet"),
    "extended": ("extended", "forlænget"),
    "offer_runs_past": ("the recorded end {end} is {days} days past the limit",
                        "den registrerede slutdato {end} ligger {days} dage efter grænsen"),
}


def text(key: str, lang: str, **values) -> str:
    en, da = TEXTS[key]
    return (da if lang == "da" else en).format(**values)


def name(table: dict, key: str, lang: str) -> str:
    en, da = table.get(key, (key, key))
    return da if lang == "da" else en


def open_end(end: date | None, lang: str) -> str:
    if end is not None:
        return str(end)
    return "ingen slutdato" if lang == "da" else "no end date"
