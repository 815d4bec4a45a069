"""Every word sagsrute shows a person, in English and Danish, in one shape: a table maps a key to
``(English, Danish)``. The engine's why-texts (``TEXTS``, read by ``text``), the names of benefits,
categories and the rest (read by ``name``), and the words of every report and command (read by
``words``), with the number conventions of each language (``number``, ``percent``).

Input errors are not here: they stay English ``file: field: problem`` lines (the bad-input
contract), built where they arise (engine/io). Rule titles and reasons are data in the rule files."""

from __future__ import annotations

from datetime import date
from typing import Mapping, Optional

Table = Mapping[str, tuple[str, str]]  # key -> (English, Danish)

LANGS = ("en", "da")


def _index(lang: str) -> int:
    return 1 if lang == "da" else 0


# -- names of the domain's values ------------------------------------------------------------------

BENEFIT_NAMES: Table = {
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

EXEMPTION_NAMES: Table = {
    "standby": ("standby (seriously ill)", "standby (alvorligt syg)"),
    "less_intensive": ("less intensive effort", "mindre intensiv indsats"),
    "ret_og_pligt_postponed": ("ret og pligt postponed", "ret og pligt udskudt"),
    "mentor": ("mentor support", "mentorstøtte"),
}

# The visitation categories are Danish legal terms: English keeps them, spelt as Danish writes them.
CATEGORY_NAMES: Table = {
    "jobparat": ("jobparat", "jobparat"),
    "aktivitetsparat": ("aktivitetsparat", "aktivitetsparat"),
    "uddannelsesparat": ("uddannelsesparat", "uddannelsesparat"),
    "aabenlyst_uddannelsesparat": ("åbenlyst uddannelsesparat", "åbenlyst uddannelsesparat"),
}

OFFER_NAMES: Table = {
    "virksomhedspraktik": ("virksomhedspraktik (work placement)", "virksomhedspraktik"),
    "loentilskud": ("løntilskud (wage subsidy)", "løntilskud"),
    "nytteindsats": ("nytteindsats (community work)", "nytteindsats"),
    "vejledning_opkvalificering": ("vejledning og opkvalificering (guidance and upskilling)",
                                   "vejledning og opkvalificering"),
    "ordinaer_uddannelse": ("ordinær uddannelse (ordinary education)", "ordinær uddannelse"),
    "mentor": ("mentor", "mentor"),
}

# A rule's regime as its rule file names it (rules/*.yaml ``valid.regime``).
REGIME_NAMES: Table = {
    "KHR2014, kept by LAB2020": ("KHR2014, kept by LAB2020", "KHR2014, videreført i LAB2020"),
    "before KHR2014": ("before KHR2014", "før KHR2014"),
    "before LAB2020": ("before LAB2020", "før LAB2020"),
    "before and outside the a-kasse trial": ("before and outside the a-kasse trial", "før og uden for a-kasseforsøget"),
}

ANCHOR_NAMES: Table = {  # what a deadline counts from (models/rules.py Anchor.describe)
    "start": ("the benefit's start", "ydelsens start"),
    "contact": ("first contact", "første henvendelse"),
    "first_sick_day": ("the first day of sickness absence", "første sygefraværsdag"),
    "category_assessed": ("the assessment", "visitationen"),
}

OFFSET_UNITS: Table = {  # engine/core/dates.py Offset.describe: (one, many) per unit
    "month": ("month", "måned"), "months": ("months", "måneder"),
    "week": ("week", "uge"), "weeks": ("weeks", "uger"),
    "day": ("day", "dag"), "days": ("days", "dage"),
}

DISTANCE_NAMES: Table = {
    "close": ("close to the labour market", "tæt på arbejdsmarkedet"),
    "far": ("far from the labour market", "længere fra arbejdsmarkedet"),
}

RATE_NAMES: Table = {"youth": ("youth rate", "ungesats"), "adult": ("adult rate", "voksensats")}
TRACK_NAMES: Table = {"education": ("education track", "uddannelsesspor"), "job": ("job track", "jobspor")}
TRIAL_NAMES: Table = {"akasse": ("contact course in the a-kasse (trial)", "kontaktforløb i a-kassen (forsøg)"),
                      "jobcenter": ("contact course in the jobcenter", "kontaktforløb i jobcentret")}

# The routing aspects (engine/core/routing.py ASPECTS), as check --explain and the what-if name them.
ASPECT_NAMES: Table = {
    "benefit_route": ("benefit", "ydelse"),
    "rate": ("rate", "sats"),
    "track": ("track", "spor"),
    "categories": ("visitation categories", "visitationskategorier"),
    "category_valid": ("category valid", "kategori gyldig"),
    "labour_market_distance": ("distance to the labour market", "afstand til arbejdsmarkedet"),
    "akasse_trial": ("contact course", "kontaktforløb"),
}

_ROUTING_VALUES: dict[str, Table] = {"benefit_route": BENEFIT_NAMES, "rate": RATE_NAMES, "track": TRACK_NAMES,
                                     "labour_market_distance": DISTANCE_NAMES, "akasse_trial": TRIAL_NAMES}


def routing_value(aspect: str, value: object, lang: str) -> str:
    """A routing decision's value in words: a benefit, rate, track, distance or trial by its name,
    the categories by theirs (a list, or the what-if's "a, b"), a yes/no (True or "true")."""
    if aspect == "categories":
        values = value if isinstance(value, list) else [v for v in str(value or "").split(", ") if v]
        return " / ".join(name(CATEGORY_NAMES, v, lang) for v in values)
    if aspect == "category_valid" and value in (True, False, "true", "false"):
        return name(YES_NO, "yes" if value in (True, "true") else "no", lang)
    table = _ROUTING_VALUES.get(aspect)
    return name(table, str(value), lang) if table and value else str(value or "")


# One table of status labels for every output (check, audit, what-if; terminal, HTML, Excel).
STATUS_NAMES: Table = {
    "met": ("met", "opfyldt"),
    "met_late": ("met late", "opfyldt for sent"),
    "overdue": ("overdue", "overskredet"),
    "open": ("open", "åben"),
    "exempt": ("exempt", "fritaget"),
}

YES_NO: Table = {"yes": ("yes", "ja"), "no": ("no", "nej")}

# Values a why-text names by their key, put into words by ``text`` (the engine passes the key).
_VALUE_NAMES: dict[str, Table] = {"category": CATEGORY_NAMES, "regime": REGIME_NAMES, "offer": OFFER_NAMES}


# -- the why-texts: the reasons the engine gives for each duty --------------------------------------
# The engine's own (CORE edits these entries); read by ``text``.

TEXTS: Table = {
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
    "offer_runs_past": ("the recorded end {end} is {days} days past the limit",
                        "den registrerede slutdato {end} ligger {days} dage efter grænsen"),
    # pieces of the texts above
    "extended": ("extended", "forlænget"),
    "no_end": ("no end date", "ingen slutdato"),
    "zero_days": ("0 days", "0 dage"),
    # routing (engine/core/routing.py) where no routing rule decides an aspect
    "no_route_rule": ("no routing rule decides this benefit: the period's own benefit ({benefit})",
                      "ingen visitationsregel gælder for ydelsen: forløbets egen ydelse ({benefit})"),
    "no_categories": ("no visitation categories apply to {benefit} in the rule set",
                      "ingen visitationskategorier gælder for {benefit} i regelsættet"),
}


def text(key: str, lang: str, **values) -> str:
    """The why-text ``key`` in ``lang`` with ``values`` filled in (a category, regime or offer named
    by its key is put into words)."""
    for value_name, table in _VALUE_NAMES.items():
        value = values.get(value_name)
        if isinstance(value, str) and value in table:
            values[value_name] = table[value][_index(lang)]
    return TEXTS[key][_index(lang)].format(**values)


def name(table: Table, key: str, lang: str) -> str:
    """The name of ``key`` in a names table, or the key itself where the table has none."""
    pair = table.get(key)
    return key if pair is None else pair[_index(lang)]


def open_end(end: date | None, lang: str) -> str:
    return str(end) if end is not None else text("no_end", lang)


# -- the words of the commands and reports -----------------------------------------------------------

CHECK: Table = {
    "case": ("Case", "Sag"), "as_of": ("as of", "pr."), "next": ("Next step", "Næste skridt"),
    "next_missed": ("Nothing can still be done in time", "Intet kan længere nås"),
    "nothing": ("No open duties.", "Ingen åbne pligter."),
    "status": ("Status", "Status"), "due": ("Due", "Frist"), "days": ("Days", "Dage"), "duty": ("Duty", "Pligt"),
    "progress": ("Progress", "Fremdrift"), "source": ("Source", "Kilde"),
    "left": ("{n} left", "{n} tilbage"), "over": ("{n} over", "{n} over"), "today": ("today", "i dag"),
    "missed": ("missed", "forpasset"),
    "none": ("No duties apply to this case on this date.", "Ingen pligter gælder for sagen på denne dato."),
    "rules": ("rules", "regler"), "milestone": (" — milestone {n} of {m}", " — delmål {n} af {m}"),
    "folded": ("{n} met or exempt duties not shown (--all shows them)",
               "{n} opfyldte eller fritagne pligter vises ikke (--all viser dem)"),
    "folded_one": ("{n} met or exempt duty not shown (--all shows it)",
                   "{n} opfyldt eller fritaget pligt vises ikke (--all viser den)"),
    "period_ended": ("period ended {end}", "forløbet sluttede {end}"),
    # the routing block
    "routing": ("Routing", "Visitation"), "on": ("on", "på"), "categories": ("categories", "kategorier"),
    "current": ("current", "aktuel"), "no_value": ("none", "ingen"), "invalid": ("not valid for the group", "passer ikke til gruppen"),
    "not_assessed": ("not assessed", "ikke visiteret"),
    "mismatch": ("recorded benefit {benefit} differs from the route", "registreret ydelse {benefit} svarer ikke til visitationen"),
    "yes": ("yes", "ja"), "no": ("no", "nej"),
}

AUDIT: Table = {
    "title": ("Deadline compliance audit", "Rettidighedsrevision"), "as_of": ("As of", "Pr."), "rules": ("Rules", "Regler"),
    "source": ("Cases from", "Sager fra"), "run": ("Audit run", "Revisionskørsel"), "cases": ("Cases audited", "Sager revideret"),
    "bad": ("Bad cases (skipped)", "Fejlbehæftede sager (sprunget over)"), "duties": ("Duties", "Pligter"),
    "overdue_now": ("Overdue now", "Overskredet nu"),
    "missed": ("Missed (period ended)", "Forpasset (forløbet sluttet)"),
    "on_time": ("On time", "Rettidigt"), "rule": ("Rule", "Regel"), "id": ("Rule id", "Regel-id"),
    "population": ("Duties", "Pligter"), "on_time_share": ("On-time share", "Rettidighed"),
    "median_days_late": ("Median days late", "Median dage for sent"),
    "per_rule": ("Compliance per rule", "Rettidighed pr. regel"),
    "per_team": ("On-time share per team (all rules)", "Rettidighed pr. team (alle regler)"),
    "per_rule_chart": ("On-time share per rule", "Rettidighed pr. regel"), "threshold": ("80 % threshold", "80 %-grænse"),
    "histogram": ("Days late (met late and overdue duties)", "Dage for sent (opfyldt for sent og overskredet)"),
    "days": ("days", "dage"), "count": ("duties", "pligter"),
    "star": ("STAR early effort: citizens at six months' seniority", "STAR tidlig indsats: borgere med seks måneders anciennitet"),
    "star_conv": ("With 4 conversations by six months", "Med 4 samtaler inden seks måneder"),
    "star_offer": ("With an offer by six months (where required)", "Med tilbud inden seks måneder (hvor det kræves)"),
    "cohort": ("Population", "Population"), "share": ("Share", "Andel"), "flag": ("Below 80 %", "Under 80 %"),
    "not_judged": ("population under {n}: not judged", "population under {n}: vurderes ikke"),
    "passivity": ("Passivity (no active offer)", "Passivmåling (intet aktivt tilbud)"), "passive": ("Passive", "Passive"),
    "months": ("months", "måneder"), "on_benefit": ("On benefit at least", "På ydelse mindst"),
    "top_overdue": ("Most overdue duties", "Mest overskredne pligter"),
    "top_overdue_now": ("Most overdue duties that can still be done", "Mest overskredne pligter der stadig kan nås"),
    "case": ("Case", "Sag"), "due": ("Due", "Frist"), "days_overdue": ("Days overdue", "Dage over"),
    "team": ("Team", "Team"), "caseworker": ("Caseworker", "Sagsbehandler"), "benefit": ("Benefit", "Ydelse"),
    "category": ("Category", "Kategori"), "progress": ("Progress", "Fremdrift"), "why": ("Why", "Begrundelse"),
    "more_overdue": ("{n} more overdue duties not shown", "{n} flere overskredne pligter vises ikke"),
    "more_overdue_hint": ("{n} more overdue duties not shown (--overdue-csv FILE lists them all)",
                          "{n} flere overskredne pligter vises ikke (--overdue-csv FIL giver hele listen)"),
    "errors": ("Cases that could not be audited", "Sager der ikke kunne revideres"),
    "more_errors": ("{n} more bad cases", "{n} flere fejlbehæftede sager"),
    "by_group": ("Per {dim}", "Pr. {dim}"), "none": ("(none)", "(ingen)"), "all": ("all", "alle"),
    "definitions": ("Definitions", "Definitioner"),
    "def_share": ("On-time share = met ÷ (met + met late + overdue); open and exempt duties are left out.",
                  "Rettidighed = opfyldt ÷ (opfyldt + opfyldt for sent + overskredet); åbne og fritagne pligter tælles ikke med."),
    "def_late": ("Days late = done − due for met-late duties, as-of − due for overdue ones; the median is over both.",
                 "Dage for sent = opfyldt − frist for pligter opfyldt for sent, opgørelsesdato − frist for overskredne; medianen er over begge."),
    "def_overdue": ("Overdue now = overdue duties of a benefit period still running: they can still be done. Missed = "
                    "overdue duties whose benefit period has ended: nothing can be done about them any more.",
                    "Overskredet nu = overskredne pligter i et ydelsesforløb der stadig løber: de kan stadig nås. Forpasset = "
                    "overskredne pligter hvis ydelsesforløb er sluttet: dem kan der ikke længere gøres noget ved."),
    "def_star": ("STAR: citizens whose current benefit period started at least six months ago; 4 conversations = the "
                 "contact-course duty met on time; offer = the ret og pligt duty met on time, where it is due. STAR flags "
                 "a share under 80 % on a population of at least 10.",
                 "STAR: borgere hvis nuværende ydelsesforløb begyndte for mindst seks måneder siden; 4 samtaler = "
                 "kontaktforløbspligten opfyldt rettidigt; tilbud = ret og pligt-tilbuddet givet rettidigt, hvor fristen er "
                 "nået. STAR reagerer på en andel under 80 % ved en population på mindst 10."),
    "def_passive": ("Passive = no offer other than mentor running at any time in the last 6 / 12 months, among citizens "
                    "on their current benefit at least that long.",
                    "Passiv = intet andet tilbud end mentor i gang på noget tidspunkt de seneste 6 / 12 måneder, blandt "
                    "borgere på deres nuværende ydelse mindst så længe."),
    "generated": ("Generated by sagsrute", "Lavet med sagsrute"),
    "all_variants": (" (all variants)", " (alle varianter)"),
    # the terminal's short column headings (80 columns)
    "short_population": ("Duties", "Pligter"), "short_overdue": ("Overdue", "Overskr."), "short_open": ("Open", "Åbne"),
    "short_overdue_now": ("Overdue\nnow", "Overskr.\nnu"), "short_missed": ("Missed", "Forpasset"), "short_star_conv": ("4 conversations", "4 samtaler"),
    "short_star_offer": ("Offer", "Tilbud"), "short_on_time_share": ("On time", "Rettid."),
    "short_median_days_late": ("Median\ndays late", "Median\ndage sent"), "short_days_overdue": ("Days\nover", "Dage\nover"),
    # the CLI's lines around the report
    "csv_written": ("CSV tables written to {path}", "CSV-tabeller skrevet i {path}"),
    "xlsx_written": ("Excel workbook written to {path}", "Excel-projektmappe skrevet til {path}"),
    "html_written": ("HTML report written to {path}", "HTML-rapport skrevet til {path}"),
    "overdue_written": ("{n} overdue duties written to {path}", "{n} overskredne pligter skrevet til {path}"),
    "stored": ("stored as audit run #{run} in {where}", "gemt som revisionskørsel #{run} i {where}"),
    "bad_skipped": ("{n} bad case(s) skipped", "{n} fejlbehæftede sager sprunget over"),
    "first_shown": (" (the first {n} shown)", " (de første {n} vist)"),
    "progress_bar": ("auditing", "reviderer"),
    "database": ("the database", "databasen"), "overdue_duties": ("Overdue duties listed", "Overskredne pligter i listen"),
}

DIMENSION_NAMES: Table = {
    "benefit": ("benefit", "ydelse"), "category": ("category", "kategori"), "team": ("team", "team"),
    "caseworker": ("caseworker", "sagsbehandler"),
}

WHATIF: Table = {
    "title": ("What-if", "Hvad nu hvis"), "baseline": ("Baseline", "Udgangspunkt"), "candidate": ("Candidate", "Ændring"),
    "as_of": ("as of", "pr."), "cases": ("cases evaluated", "sager vurderet"), "changed": ("cases changed", "sager ændret"),
    "bad": ("bad cases skipped", "fejlbehæftede sager sprunget over"),
    "overdue": ("more cases with an overdue duty", "flere sager med en overskredet pligt"),
    "conv": ("more conversations per month (average)", "flere samtaler pr. måned (gennemsnit)"),
    "rules": ("Changes per rule", "Ændringer pr. regel"), "rule": ("Rule", "Regel"), "added": ("Added", "Nye"),
    "removed": ("Removed", "Bortfaldne"), "moved": ("Due moved", "Frist flyttet"),
    "moved_days": ("Days min/med/max", "Dage min/med/maks"), "required": ("Required changed", "Krav ændret"),
    "counted": ("Counted changed", "Optalt ændret"), "transitions": ("Status changes", "Statusændringer"),
    "from": ("From", "Fra"), "to": ("To", "Til"), "count": ("Duties", "Pligter"),
    "months": ("Conversations the jobcenter must hold: candidate − baseline, by due month",
               "Samtaler jobcentret skal holde: ændring − udgangspunkt, efter fristens måned"),
    "per_case": ("Changes per case", "Ændringer pr. sag"), "errors": ("Cases that could not be evaluated", "Sager der ikke kunne vurderes"),
    "none": ("No duty changed.", "Ingen pligter ændret."), "due": ("due", "frist"), "days": ("Days", "Dage"),
    "duties_changed": ("duties changed", "pligter ændret"),
    "overdue_line": ("Cases with an overdue duty", "Sager med en overskredet pligt"),
    "more_cases": ("{n} more changed cases: --cases N, --format json/csv, --html FILE",
                   "{n} flere ændrede sager: --cases N, --format json/csv, --html FIL"),
    "conv_line": ("Conversations required", "Krævede samtaler"),
    "conv_avg": ("over {months} months: {avg} per month on average", "over {months} måneder: {avg} pr. måned i gennemsnit"),
    "moved_by": ("due {days} days", "frist {days} dage"),
    "added_kind": ("added", "ny"), "removed_kind": ("removed", "bortfalder"), "changed_kind": ("changed", "ændret"),
    "routing": ("Routing changes", "Ændret visitation og placering"), "routing_kind": ("routing", "visitation"),
    "aspect": ("Aspect", "Emne"), "cases_word": ("Cases", "Sager"),
    "shown": ("The first {shown} of {total} changed cases.", "De første {shown} af {total} ændrede sager."),
    "wrote": ("wrote {path}", "skrev {path}"),
    # the terminal's short column headings
    "short_added": ("New", "Nye"), "short_removed": ("Gone", "Bortf."), "short_moved": ("Moved", "Flyttet"),
    "short_moved_days": ("Days min/med/max", "Dage min/med/maks"), "short_required": ("Req.", "Krav"),
    "short_counted": ("Count", "Optalt"),
}

# The columns of the CSV files and Excel sheets (audit, overdue list, what-if), by field name.
COLUMNS: Table = {
    "rule": ("Rule id", "Regel-id"), "title": ("Rule", "Regel"), "population": ("Duties", "Pligter"),
    "overdue_now": ("Overdue now", "Overskredet nu"), "missed": ("Missed (period ended)", "Forpasset (forløbet sluttet)"),
    "on_time_share": ("On-time share", "Rettidighed"), "median_days_late": ("Median days late", "Median dage for sent"),
    "benefit": ("Benefit", "Ydelse"), "category": ("Category", "Kategori"), "team": ("Team", "Team"),
    "caseworker": ("Caseworker", "Sagsbehandler"),
    "cohort": ("Population", "Population"), "four_conversations": ("With 4 conversations", "Med 4 samtaler"),
    "conversation_share": ("Share with 4 conversations", "Andel med 4 samtaler"),
    "conversation_flag": ("Conversations below 80 %", "Samtaler under 80 %"),
    "offer_required": ("Offer due", "Tilbud krævet"), "with_offer": ("With an offer", "Med tilbud"),
    "offer_share": ("Share with an offer", "Andel med tilbud"), "offer_flag": ("Offers below 80 %", "Tilbud under 80 %"),
    "months": ("On benefit at least (months)", "På ydelse mindst (måneder)"), "passive": ("Passive", "Passive"),
    "share": ("Share passive", "Andel passive"),
    "case_id": ("Case", "Sag"), "due": ("Due", "Frist"), "days_overdue": ("Days overdue", "Dage over fristen"),
    "progress": ("Progress", "Fremdrift"), "why": ("Why", "Begrundelse"), "anchor": ("Anchor date", "Ankerdato"),
    "actionable": ("Can still be done", "Kan stadig nås"), "period_end": ("Period ended", "Forløbet sluttede"),
    "change": ("Change", "Ændring"), "baseline_status": ("Status now", "Status nu"),
    "candidate_status": ("Status after the change", "Status efter ændringen"), "baseline_due": ("Due now", "Frist nu"),
    "candidate_due": ("Due after the change", "Frist efter ændringen"), "days_moved": ("Due moved (days)", "Frist flyttet (dage)"),
    "baseline_progress": ("Progress now", "Fremdrift nu"), "candidate_progress": ("Progress after the change", "Fremdrift efter ændringen"),
}

# The audit's tables as CSV files (named by key) and as Excel sheets (named in the language).
TABLE_NAMES: Table = {
    "info": ("Audit", "Revision"), "rules": ("Rules", "Regler"), "by_benefit": ("By benefit", "Pr. ydelse"),
    "by_category": ("By category", "Pr. kategori"), "by_team": ("By team", "Pr. team"),
    "by_caseworker": ("By caseworker", "Pr. sagsbehandler"), "star": ("STAR", "STAR"), "passivity": ("Passivity", "Passivmåling"),
    "overdue_top": ("Most overdue", "Mest overskredne"),
}

IMPORT: Table = {
    "title": ("Import into {where}", "Import til {where}"), "file": ("File", "Fil"), "imported": ("Imported", "Importeret"),
    "updated": ("Updated", "Opdateret"), "unchanged": ("Unchanged", "Uændret"), "rejected": ("Rejected", "Afvist"),
    "total": ("Total", "I alt"), "failed": (" (failed: nothing stored)", " (fejlede: intet gemt)"),
    "working": ("importing…", "importerer…"), "file_done": ("importing… {file} done", "importerer… {file} færdig"),
    "chunk": ("importing {file}: {n} cases read (not yet committed)", "importerer {file}: {n} sager læst (endnu ikke gemt)"),
}

RUNS: Table = {
    "title": ("Audit runs in {where}", "Revisionskørsler i {where}"), "none": ("No audit runs in {where}.", "Ingen revisionskørsler i {where}."),
    "run": ("Run", "Kørsel"), "started": ("Started", "Startet"), "as_of": ("As of", "Pr."), "rules": ("Rules", "Regler"),
    "cases": ("Cases", "Sager"), "bad": ("Bad", "Fejl"), "source": ("Source", "Kilde"),
    "unfinished": ("(unfinished)", "(ikke afsluttet)"), "running": ("(running)", "(kører)"),
    "interrupted": ("(interrupted)", "(afbrudt)"), "failed": ("(failed)", "(fejlede)"),
    "compare": ("Audit compare", "Sammenligning af revisioner"),
    "compare_runs": ("#{a} (as of {a_as_of}, {a_rules}) → #{b} (as of {b_as_of}, {b_rules})",
                     "#{a} (pr. {a_as_of}, {a_rules}) → #{b} (pr. {b_as_of}, {b_rules})"),
    "rule": ("Rule", "Regel"), "on_time": ("On time A → B", "Rettidighed A → B"),
    "left_out": ("Left out at this width: {columns} (shown from {width} columns)",
                 "Udeladt i denne bredde: {columns} (vises fra {width} tegns bredde)"),
}

RULES_LIST: Table = {
    "title": ("{label}: {n} rules", "{label}: {n} regler"), "id": ("Id", "Id"), "rule": ("Rule", "Regel"),
    "in_force": ("In force", "Gælder"), "source": ("Source", "Kilde"),
}

TEST_RULES: Table = {
    "rules": ("rules {label}", "regler {label}"), "pass": ("PASS", "OK"), "fail": ("FAIL", "FEJL"), "in": ("in {source}", "i {source}"),
    "got": ("got {rule}: {status} due {due} {progress}", "fik {rule}: {status} frist {due} {progress}"),
    "summary": ("{passed} passed, {failed} failed", "{passed} bestået, {failed} fejlet"),
    "problem": (", {n} problem in scenario files (see above)", ", {n} problem i scenariefilerne (se ovenfor)"),
    "problems": (", {n} problems in scenario files (see above)", ", {n} problemer i scenariefilerne (se ovenfor)"),
    "none_found": (" (no scenarios found)", " (ingen scenarier fundet)"),
}


_VIEWS: dict[tuple[int, int], dict[str, str]] = {}


def words(table: Table, lang: str) -> Mapping[str, str]:
    """One language's view of a words table: ``words(AUDIT, "da")["title"]``."""
    key = (id(table), _index(lang))
    view = _VIEWS.get(key)
    if view is None:
        view = _VIEWS[key] = {k: pair[key[1]] for k, pair in table.items()}
    return view


def status_label(status: str, lang: str) -> str:
    return name(STATUS_NAMES, status, lang)


# -- numbers the way each language writes them ---------------------------------------------------------
# Danish: 1.234 and 73,4 %; English: 1,234 and 73.4 % (a space before the per cent sign in both,
# as Danish writes it and as the reports always did). Written here rather than with Babel: four
# small tested functions (tests/test_texts.py) against a dependency with its locale database.

NO_VALUE = "–"  # a share or median of nothing

# What separates the cells of a spreadsheet's CSV: Danish Excel reads ";" (the comma is its decimal mark).
SEPARATORS: Table = {"list": (",", ";"), "decimal": (".", ",")}


def localise(text: str, lang: str) -> str:
    """Python's ``1,234.5`` into Danish ``1.234,5``."""
    return text.translate(_DANISH) if lang == "da" else text


_DANISH = str.maketrans({",": ".", ".": ","})


def number(value: Optional[float], lang: str) -> str:
    """A count or a median: grouped thousands, at most one decimal (a median can be x.5)."""
    if value is None:
        return NO_VALUE
    if isinstance(value, float) and not value.is_integer():
        return localise(f"{value:,.1f}", lang)
    return localise(f"{int(value):,}", lang)


def signed(value: float, lang: str) -> str:
    """A change: +1.234, -5, 0."""
    return ("+" if value > 0 else "") + number(value, lang)


def percent(value: Optional[float], lang: str) -> str:
    """A share 0–1 as ``73,4 %`` (Danish) or ``73.4 %`` (English)."""
    return NO_VALUE if value is None else localise(f"{value * 100:,.1f}", lang) + " %"


def decimal(value: Optional[float], lang: str, places: int = 2) -> str:
    """A plain decimal number (an average): ``2,5`` / ``2.5``, trailing zeros dropped."""
    if value is None:
        return NO_VALUE
    shown = f"{value:,.{places}f}".rstrip("0").rstrip(".") if places else f"{value:,.0f}"
    return localise(shown, lang)


# --- input ---
# The database's waits (engine/io/storage.py) and audit-compare on a run that did not finish.
STORAGE: Table = {
    "waiting": ("waiting for the database: another import is writing to it (at most {seconds} s)…",
                "venter på databasen: en anden import skriver til den (højst {seconds} s)…"),
    "unfinished_refused": ("run #{run} did not finish (it was interrupted, failed or is still running), so its "
                           "figures are incomplete; give --allow-unfinished to compare it anyway",
                           "kørsel #{run} blev ikke afsluttet (den blev afbrudt, fejlede eller kører stadig), så "
                           "dens tal er ufuldstændige; brug --allow-unfinished for at sammenligne alligevel"),
    "unfinished_warning": ("warning: run #{run} did not finish; its figures are incomplete",
                           "advarsel: kørsel #{run} blev ikke afsluttet; dens tal er ufuldstændige"),
}


# --- SERVE ---
# The web pages of ``sagsrute serve`` and the case page of ``check --html`` (engine/report/web).

WEB: Table = {
    "app": ("sagsrute", "sagsrute"), "skip": ("Skip to the content", "Gå til indholdet"),
    "nav": ("Main menu", "Hovedmenu"), "worklist": ("Worklist", "Arbejdsliste"), "dashboard": ("Dashboard", "Overblik"),
    "rules": ("Rules", "Regler"), "api": ("API", "API"), "other_lang": ("English", "Dansk"),
    "other_lang_name": ("Dansk", "English"), "as_of": ("As of", "Pr."), "show": ("Show", "Vis"),
    "access_note": ("Only signed-in users see cases, each those of their own teams; every look at a case is logged.",
                    "Kun indloggede brugere ser sager, hver kun sine egne teams; hvert opslag i en sag logges."),
    # the worklist
    "worklist_title": ("Worklist", "Arbejdsliste"),
    "filters": ("Filter the worklist", "Filtrér arbejdslisten"),
    "team": ("Team", "Team"), "caseworker": ("Caseworker", "Sagsbehandler"), "status": ("Status", "Status"),
    "all": ("All", "Alle"), "within": ("Due within (days)", "Frist inden for (dage)"),
    "search": ("Case id", "Sags-id"), "search_hint": ("part of a case id", "en del af et sags-id"),
    "find": ("Find", "Find"),
    "case": ("Case", "Sag"), "next": ("Next step", "Næste skridt"), "due": ("Due", "Frist"),
    "days_left": ("Days left", "Dage tilbage"), "counts": ("Overdue / open", "Overskredne / åbne"),
    "st_overdue": ("next step overdue", "næste skridt overskredet"), "st_open": ("next step open", "næste skridt åbent"),
    "st_none": ("nothing to do", "intet at gøre"), "st_error": ("cannot be evaluated", "kan ikke vurderes"),
    "nothing_next": ("—", "—"), "found": ("{n} cases", "{n} sager"), "found_one": ("1 case", "1 sag"),
    "page": ("Page {n} of {m}", "Side {n} af {m}"), "previous": ("Previous page", "Forrige side"),
    "next_page": ("Next page", "Næste side"), "pages": ("Pages", "Sider"), "no_cases": ("No cases match.", "Ingen sager passer."),
    # the case page
    "case_title": ("Case {case_id}", "Sag {case_id}"), "routing": ("Routing", "Visitation"),
    "benefit": ("Benefit", "Ydelse"), "track": ("Track", "Spor"), "category": ("Category in force", "Gældende kategori"),
    "categories": ("Categories of the group", "Gruppens kategorier"), "distance": ("Distance to the labour market", "Afstand til arbejdsmarkedet"),
    "trial": ("Contact course", "Kontaktforløb"), "rate": ("Rate", "Sats"), "decided_on": ("Decided on", "Afgjort pr."),
    "mismatch": ("The recorded benefit {benefit} differs from the route.", "Den registrerede ydelse {benefit} svarer ikke til visitationen."),
    "next_none": ("No open duties.", "Ingen åbne pligter."), "duties": ("Duties", "Pligter"),
    "duty": ("Duty", "Pligt"), "progress": ("Progress", "Fremdrift"), "days": ("Days", "Dage"),
    "reasons": ("Reasons and legal sources", "Begrundelser og retsgrundlag"), "show_reasons": ("Show the reasons", "Vis begrundelserne"),
    "hide_reasons": ("Hide the reasons", "Skjul begrundelserne"), "source": ("Source", "Kilde"), "quote": ("The seed says", "Kilden siger"),
    "timeline": ("Timeline", "Tidslinje"), "change_date": ("Look at the case on another date", "Se sagen på en anden dato"),
    "period_ended": ("period ended {end}", "forløbet sluttede {end}"),
    "missed": ("missed", "forpasset"), "rules_version": ("Rules", "Regler"), "generated": ("Generated by sagsrute", "Lavet med sagsrute"),
    # the timeline picture
    "tl_benefit": ("benefit period", "ydelsesforløb"), "tl_conversation": ("conversation", "samtale"),
    "tl_offer": ("offer", "tilbud"), "tl_education_order": ("education order", "uddannelsespålæg"),
    "tl_test": ("test", "test"), "tl_assessment": ("assessment", "visitation"),
    "tl_exemption": ("exemption or postponement", "fritagelse eller udskydelse"), "tl_due": ("due date", "frist"),
    "tl_as_of": ("as of", "pr."), "tl_other": ("other event", "anden hændelse"),
    "tl_caption": ("The case from {start} to {end}: benefit periods, events, exemptions and each duty's due date.",
                   "Sagen fra {start} til {end}: ydelsesforløb, hændelser, fritagelser og hver pligts frist."),
    # the dashboard
    "dashboard_title": ("Team lead's dashboard", "Teamlederens overblik"),
    "cases_audited": ("Cases", "Sager"), "overdue_now": ("Overdue now", "Overskredet nu"),
    "missed_total": ("Missed (period ended)", "Forpasset (forløbet sluttet)"), "on_time": ("On-time share", "Rettidighed"),
    "per_rule": ("Per rule", "Pr. regel"), "per_team": ("Per team", "Pr. team"), "per_caseworker": ("Per caseworker", "Pr. sagsbehandler"),
    "rule": ("Rule", "Regel"), "population": ("Duties", "Pligter"), "drill_hint": ("Each figure links to the duties behind it.",
                                                                                 "Hvert tal linker til pligterne bag det."),
    "duties_title": ("Duties behind the figure", "Pligterne bag tallet"), "filter": ("Filter", "Filter"),
    "shown_of": ("{shown} of {n} duties shown", "{shown} af {n} pligter vist"), "days_late": ("Days late", "Dage for sent"),
    "back": ("Back to the dashboard", "Tilbage til overblikket"),
    # the rules page
    "rules_title": ("Rules", "Regler"), "id": ("Id", "Id"), "in_force": ("In force", "Gælder"), "regime": ("Regime", "Regime"),
    "applies": ("Applies to", "Gælder for"), "reading": ("Reading", "Fortolkning"), "kind": ("Kind", "Type"),
    # the API's page
    "api_title": ("The JSON API", "JSON-API'et"), "api_intro": ("The case system's questions over HTTP; the machine-readable "
                                                               "document:", "Sagssystemets spørgsmål over HTTP; det maskinlæsbare dokument:"),
    "parameter": ("Parameter", "Parameter"), "in": ("In", "I"), "required": ("Required", "Påkrævet"),
    "description": ("Description", "Beskrivelse"), "responses": ("Answers", "Svar"), "body": ("Body", "Indhold"),
    "body_text": ("one case timeline or a list of them (JSON)", "en sagstidslinje eller en liste af dem (JSON)"),
    "body_search": ('the text searched for in the case ids, {"q": "…"} (JSON): a case id is never put in the URL',
                    'teksten, der søges efter i sags-id\'erne, {"q": "…"} (JSON): et sags-id sættes aldrig i URL\'en'),
    # errors
    "error_404": ("Not found", "Ikke fundet"), "error_422": ("Bad input", "Forkert input"),
    "error_403": ("Not allowed", "Ikke tilladt"), "error_500": ("Something went wrong", "Noget gik galt"),
    "error_503": ("The database cannot be used", "Databasen kan ikke bruges"), "error_other": ("Error", "Fejl"),
    "to_worklist": ("To the worklist", "Til arbejdslisten"),
}

SERVE: Table = {  # the ``sagsrute serve`` command's own lines
    "starting": ("sagsrute serve: http://{host}:{port}/ ({workers} worker(s), rules {rules}, database {db})",
                 "sagsrute serve: http://{host}:{port}/ ({workers} arbejdsproces(ser), regler {rules}, database {db})"),
    "loopback_only": ("--host {host}: this service binds to loopback only (127.0.0.1, ::1, localhost) until someone "
                      "must sign in: {problem}",
                      "--host {host}: tjenesten lytter kun på loopback (127.0.0.1, ::1, localhost), indtil nogen skal "
                      "logge ind: {problem}"),
    "html_written": ("Case page written to {path}", "Sagsside skrevet til {path}"),
}


# --- ACCESS (issue 17): users, tokens, the access log, the login and admin pages ---------------------

ACCESS: Table = {
    "users_title": ("Users in {where}", "Brugere i {where}"), "no_users": ("No users in {where}.", "Ingen brugere i {where}."),
    "user": ("User", "Bruger"), "role": ("Role", "Rolle"), "teams": ("Teams", "Teams"), "state": ("State", "Tilstand"),
    "sign_in": ("Sign-in", "Login"), "password": ("password", "adgangskode"), "sso": ("single sign-on", "single sign-on"),
    "enabled": ("enabled", "aktiv"), "disabled": ("disabled", "spærret"), "all_teams": ("(all)", "(alle)"),
    "tokens_title": ("API tokens in {where}", "API-nøgler i {where}"), "no_tokens": ("No API tokens in {where}.", "Ingen API-nøgler i {where}."),
    "token": ("Token", "Nøgle"), "name": ("Name", "Navn"), "created": ("Created", "Oprettet"), "expires": ("Expires", "Udløber"),
    "never": ("never", "aldrig"), "revoked": ("revoked {when}", "tilbagekaldt {when}"), "expired": ("expired", "udløbet"),
    "usable": ("usable", "gyldig"),
    "token_created": ("Token #{id} for {name} (teams {teams}). It is shown once, now; store it in the case system:",
                      "Nøgle #{id} til {name} (teams {teams}). Den vises kun denne ene gang; gem den i sagssystemet:"),
    "token_revoked": ("Token #{id} ({name}) is revoked.", "Nøgle #{id} ({name}) er tilbagekaldt."),
    "user_added": ("User {name} added: {role}, teams {teams}.", "Bruger {name} oprettet: {role}, teams {teams}."),
    "user_disabled": ("User {name} is disabled; their sessions have ended.", "Bruger {name} er spærret; brugerens sessioner er afsluttet."),
    "user_enabled": ("User {name} is enabled.", "Bruger {name} er aktiv igen."),
    "teams_set": ("User {name}: teams {teams}.", "Bruger {name}: teams {teams}."),
    "password_set": ("User {name}: new password set.", "Bruger {name}: ny adgangskode sat."),
    "log_title": ("Access log in {where}", "Adgangslog i {where}"), "log_empty": ("No entries.", "Ingen poster."),
    "log_shown": ("{n} entries shown (newest last).", "{n} poster vist (nyeste sidst)."),
    "log_shown_one": ("1 entry shown.", "1 post vist."),
    "log_more": ("The newest {n} shown: --limit N shows more.", "De nyeste {n} vist: --limit N viser flere."),
    "pruned": ("{n} entries older than {days} days removed.", "{n} poster ældre end {days} dage slettet."),
    "when": ("When (UTC)", "Tidspunkt (UTC)"), "action": ("Action", "Handling"), "what": ("Case or export", "Sag eller udtræk"),
    "route": ("Route", "Adresse i tjenesten"), "address": ("From", "Fra"),
    "act_view_case": ("viewed case", "så sag"), "act_export": ("exported", "udtræk"), "act_login": ("logged in", "loggede ind"),
    "act_login_failed": ("failed login", "mislykket login"), "act_login_refused": ("login refused (throttled)", "login afvist (for mange forsøg)"),
    "act_logout": ("logged out", "loggede ud"), "act_view_log": ("read the access log", "læste adgangsloggen"),
    # the login page, the admin page
    "login_title": ("Sign in", "Log ind"), "login_user": ("User name", "Brugernavn"), "login_password": ("Password", "Adgangskode"),
    "login_submit": ("Sign in", "Log ind"), "logout": ("Sign out", "Log ud"),
    "login_bad": ("Wrong user name or password.", "Forkert brugernavn eller adgangskode."),
    "login_throttled": ("Too many failed attempts. Try again in {minutes} minutes.",
                        "For mange mislykkede forsøg. Prøv igen om {minutes} minutter."),
    "login_csrf": ("The form had expired. Please try again.", "Formularen var udløbet. Prøv igen."),
    "logged_out": ("You are signed out.", "Du er logget ud."), "signed_in_as": ("Signed in as {name} ({role})", "Logget ind som {name} ({role})"),
    "admin_title": ("Access log", "Adgangslog"), "filter": ("Show", "Vis"), "since": ("Since (YYYY-MM-DD)", "Siden (ÅÅÅÅ-MM-DD)"),
    "case": ("Case id", "Sags-id"),
    "forbidden": ("You do not have access to this page.", "Du har ikke adgang til denne side."),
    "role_caseworker": ("caseworker", "sagsbehandler"), "role_teamlead": ("team lead", "teamleder"),
    "role_policy": ("policy", "analyse og politik"), "role_admin": ("administrator", "administrator"),
}


# --- teamlead ---
# The team lead's measures (issue 18): the monthly series with STAR's six-in-a-row flag, the
# workload forecast, the review sample, STAR's passivity windows and Jobindsats' time to first offer.

SERIES: Table = {
    "title": ("Monthly series", "Månedsserie"), "span": ("month-ends {first} – {last}", "månedsultimo {first} – {last}"),
    "month": ("Month", "Måned"), "per_month": ("The audit at every month-end", "Revisionen ved hvert månedsultimo"),
    "star_runs": ("STAR: monthly measurements under 80 % in a row", "STAR: månedlige målinger under 80 % i træk"),
    "conv": ("4 conversations", "4 samtaler"), "offer": ("Offer", "Tilbud"), "passive": ("Passive 12 m.", "Passive 12 mdr."),
    "key": ("⚑ under 80 % (population ≥ 10)  · not under  – not judged; one mark per month, oldest first",
            "⚑ under 80 % (population ≥ 10)  · ikke under  – vurderes ikke; ét tegn pr. måned, ældste først"),
    "followup": ("⚑ STAR follow-up: {team}: {measure}, {n} months in a row under 80 % up to {month}",
                 "⚑ STAR-opfølgning: {team}: {measure}, {n} måneder i træk under 80 % til {month}"),
    "no_followup": ("No team has six monthly measurements in a row under 80 %.",
                    "Intet team har seks månedlige målinger i træk under 80 %."),
    "trend": ("Monthly trend", "Udvikling måned for måned"),
    "chart_conv": ("STAR: share with 4 conversations by six months, per team", "STAR: andel med 4 samtaler inden seks måneder, pr. team"),
    "chart_offer": ("STAR: share with an offer by six months, per team", "STAR: andel med tilbud inden seks måneder, pr. team"),
    "chart_on_time": ("On-time share, per team (all rules)", "Rettidighed pr. team (alle regler)"),
    "def_series": ("Each month-end is the audit as of that day (the same figures as `audit --as-of` that day). STAR follows "
                   "up when six consecutive monthly measurements are under 80 % (star.dk, \"Opfølgning på kommunernes "
                   "tidlige indsats\"): the run counts month-ends in a row flagged, a flag needing a population of 10.",
                   "Hvert månedsultimo er revisionen pr. den dag (de samme tal som `audit --as-of` den dag). STAR følger op, "
                   "når seks månedlige målinger i træk er under 80 % (star.dk, \"Opfølgning på kommunernes tidlige "
                   "indsats\"): rækken tæller månedsultimoer i træk med flag; et flag kræver en population på 10."),
    "run": ("In a row", "I træk"), "followup_short": ("Follow-up", "Opfølgning"),
    "short_conv": ("STAR 4\nconv.", "STAR 4\nsamtaler"), "short_offer": ("STAR\noffer", "STAR\ntilbud"),
    "short_passive": ("Passive\n12 m.", "Passive\n12 mdr."),
}

TEAMLEAD_COLUMNS: Table = {
    "month": ("Month-end", "Månedsultimo"), "cases": ("Cases", "Sager"),
    "conversation_run": ("Conversations: months in a row under 80 %", "Samtaler: måneder i træk under 80 %"),
    "conversation_followup": ("Conversations: STAR follow-up", "Samtaler: STAR-opfølgning"),
    "offer_run": ("Offers: months in a row under 80 %", "Tilbud: måneder i træk under 80 %"),
    "offer_followup": ("Offers: STAR follow-up", "Tilbud: STAR-opfølgning"),
}
COLUMNS = {**COLUMNS, **TEAMLEAD_COLUMNS}

TEAMLEAD_TABLE_NAMES: Table = {
    "series_overall": ("Series", "Serie"), "series_rules": ("Series per rule", "Serie pr. regel"),
    "series_star": ("Series STAR", "Serie STAR"), "series_passivity": ("Series passivity", "Serie passivmåling"),
}
TABLE_NAMES = {**TABLE_NAMES, **TEAMLEAD_TABLE_NAMES}

FORECAST: Table = {
    "title": ("Workload forecast", "Arbejdsbyrde-prognose"),
    "span": ("as of {as_of}, {weeks} weeks to {end}", "pr. {as_of}, {weeks} uger til {end}"),
    "week": ("Week", "Uge"), "backlog": ("Overdue", "Overskredet"), "starts": ("From", "Fra"),
    "conversation": ("Conversations", "Samtaler"), "offer": ("Offers", "Tilbud"), "other": ("Other", "Andet"),
    "total": ("Total", "I alt"), "per_week": ("Duties to do per week", "Pligter der skal løses pr. uge"),
    "per_group": ("Conversations and offers to book per {dim}", "Samtaler og tilbud der skal bookes pr. {dim}"),
    "week_0": ("Week 0: overdue now. Week 1 and on: falling due that week.", "Uge 0: overskredet nu. Uge 1 og frem: forfalder den uge."),
    "cases": ("Cases", "Sager"),
    "chart": ("Duties falling due per week (week 0: overdue now)", "Pligter der forfalder pr. uge (uge 0: overskredet nu)"),
    "definition": ("Each case as known on the as-of date is evaluated by the rules as of the last day of the last week, "
                   "with no event after the as-of date: every open duty and the recurring ones the rules will create "
                   "(the next conversation window, the next milestone). Week 0 = duties overdue on the as-of date "
                   "whose benefit period runs; week k = duties falling due in days 7(k − 1) … 7k − 1 after it. "
                   "Conversations and offers are what the duty counts; other = education orders, plans, tests and "
                   "the ends of offers.",
                   "Hver sag, som den kendes på opgørelsesdatoen, vurderes efter reglerne pr. sidste dag i sidste uge uden "
                   "hændelser efter opgørelsesdatoen: alle åbne pligter og de tilbagevendende, reglerne vil skabe (næste "
                   "samtalevindue, næste milepæl). Uge 0 = pligter overskredet på opgørelsesdatoen i et løbende "
                   "ydelsesforløb; uge k = pligter med frist 7(k − 1) … 7k − 1 dage efter den. Samtaler og tilbud er det, "
                   "pligten tæller; andet = uddannelsespålæg, planer, test og afslutning af tilbud."),
    "written": ("{what} written to {path}", "{what} skrevet til {path}"),
    "by_rule": ("Per rule", "Pr. regel"), "rule": ("Rule", "Regel"),
}

TEAMLEAD_FORECAST_COLUMNS: Table = {
    "group": ("Group", "Gruppe"), "week": ("Week", "Uge"), "week_start": ("Week from", "Uge fra"),
    "week_end": ("Week to", "Uge til"), "conversation": ("Conversations", "Samtaler"), "offer": ("Offers", "Tilbud"),
    "other": ("Other", "Andet"), "total": ("Total", "I alt"),
}
COLUMNS = {**COLUMNS, **TEAMLEAD_FORECAST_COLUMNS}

MEASURES: Table = {
    "effort": ("STAR active effort: passive among citizens at least a year on benefit",
               "STAR aktiv indsats: passive blandt borgere mindst et år på ydelse"),
    "effort_def": ("Passive = no offer other than mentor running at any time in the last 1½ (1 month 15 days), 3, 6, 9 "
                   "or 12 months, among citizens whose current benefit period began at least 12 months before the "
                   "as-of date (star.dk, aktiv indsats). The 6 / 12-month passivity above counts citizens on benefit "
                   "at least as long as the window instead.",
                   "Passiv = intet andet tilbud end mentor i gang på noget tidspunkt de seneste 1½ (1 måned og 15 dage), "
                   "3, 6, 9 eller 12 måneder, blandt borgere hvis nuværende ydelsesforløb begyndte mindst 12 måneder før "
                   "opgørelsesdatoen (star.dk, aktiv indsats). Passivmålingen for 6 / 12 måneder ovenfor tæller i stedet "
                   "borgere på ydelse mindst lige så længe som vinduet."),
    "first": ("Time to first active offer (Jobindsats)", "Tid til første aktive tilbud (Jobindsats)"),
    "first_def": ("Over benefit periods begun in the 24 months up to the as-of date: for each interval, among the periods "
                  "begun at least that long before the as-of date, the share whose first offer other than mentor started "
                  "within it of the period's start (Jobindsats, \"Om tidspunkt for første aktive tilbud\").",
                  "Over ydelsesforløb begyndt i de 24 måneder op til opgørelsesdatoen: for hvert interval, blandt forløb "
                  "begyndt mindst så længe før opgørelsesdatoen, andelen hvis første tilbud (ikke mentor) startede inden "
                  "for intervallet fra forløbets start (Jobindsats, \"Om tidspunkt for første aktive tilbud\")."),
    "spells": ("Spells", "Forløb"), "group": ("Group", "Gruppe"),
    "1.5": ("1½ m.", "1½ md."), "3": ("3 m.", "3 mdr."), "6": ("6 m.", "6 mdr."), "9": ("9 m.", "9 mdr."),
    "12": ("12 m.", "12 mdr."),
    "1d": ("1 day", "1 dag"), "1w": ("1 week", "1 uge"), "1m": ("1 m.", "1 md."), "2m": ("2 m.", "2 mdr."),
    "3m": ("3 m.", "3 mdr."), "6m": ("6 m.", "6 mdr."), "9m": ("9 m.", "9 mdr."), "12m": ("12 m.", "12 mdr."),
    # the terminal's narrow headings
    "t_1d": ("1 d", "1 d"), "t_1w": ("1 w", "1 u"), "t_1m": ("1 m", "1 m"), "t_2m": ("2 m", "2 m"), "t_3m": ("3 m", "3 m"),
    "t_6m": ("6 m", "6 m"), "t_9m": ("9 m", "9 m"), "t_12m": ("12 m", "12 m"), "t_spells": ("n", "n"),
    "t_key": ("Shares in %; d = day, w = week, m = months; n = spells. ", "Andele i %; d = dag, u = uge, m = måneder; n = forløb. "),
}

TEAMLEAD_MEASURE_COLUMNS: Table = {
    "window": ("Window (months)", "Vindue (måneder)"), "interval": ("Within", "Inden for"),
    "followed": ("Spells followed that long", "Forløb fulgt så længe"), "within": ("First offer within", "Første tilbud inden for"),
    "first_offer_share": ("Share with an offer within", "Andel med tilbud inden for"),
}
COLUMNS = {**COLUMNS, **TEAMLEAD_MEASURE_COLUMNS}
TABLE_NAMES = {**TABLE_NAMES, "active_effort": ("Active effort", "Aktiv indsats"),
               "first_offer": ("First offer", "Første tilbud")}

REVIEW: Table = {
    "title": ("Management review sample", "Ledelsestilsyn: stikprøve"), "sheet": ("Review sample", "Stikprøve"),
    "meta": ("as of {as_of} · seed {seed} · {size} per {per} · {n} cases drawn of {seen}",
             "pr. {as_of} · frø {seed} · {size} pr. {per} · {n} sager udtrukket af {seen}"),
    "per_all": ("caseload", "sagsstamme"), "run": ("Audit run", "Revisionskørsel"), "no_run": ("not stored", "ikke gemt"),
    "case": ("Case", "Sag"), "number": ("No.", "Nr."), "stratum": ("Stratum", "Stratum"),
    "duties": ("The duties as of {as_of}", "Pligterne pr. {as_of}"), "checklist": ("Verify in the case file", "Kontrollér i sagen"),
    "item": ("Check", "Kontrolpunkt"), "behind": ("Duties behind it", "Pligter bag"), "verdict": ("Verdict", "Vurdering"),
    "note": ("Note", "Bemærkning"), "status": ("Status", "Status"), "due": ("Due", "Frist"), "why": ("Why", "Begrundelse"),
    "how": ("Fill in the verdict (ok / missing / not applicable) and a note in the Excel sheet, then "
            "`sagsrute import SHEET.xlsx` stores the verdicts beside the audit run.",
            "Udfyld vurderingen (ok / mangler / ikke relevant) og en bemærkning i Excel-arket; "
            "`sagsrute import ARK.xlsx` gemmer vurderingerne ved revisionskørslen."),
    "definition": ("Each stratum's cases are those with the lowest SHA-256 of \"seed:case id\": the same seed draws the "
                   "same cases whatever their order. The checklist is read off the duties the rules give the case.",
                   "Hvert stratums sager er dem med den laveste SHA-256 af \"frø:sags-id\": samme frø udtrækker de samme "
                   "sager uanset rækkefølgen. Kontrolpunkterne følger af de pligter, reglerne giver sagen."),
    "written": ("Review sample written to {html} and {xlsx}", "Stikprøve skrevet til {html} og {xlsx}"),
    "imported": ("{file}: {n} verdicts stored for audit run {run} ({skipped} rows without a verdict)",
                 "{file}: {n} vurderinger gemt for revisionskørsel {run} ({skipped} rækker uden vurdering)"),
}

REVIEW_CHECKS: Table = {
    "routing": ("Visitation category, date and reasons documented", "Visitationskategori, dato og begrundelse dokumenteret"),
    "education_order": ("Education order documented (date, content, step)", "Uddannelsespålæg dokumenteret (dato, indhold, trin)"),
    "literacy": ("Literacy and numeracy test documented (date, result)", "Læse-, skrive- og regnetest dokumenteret (dato, resultat)"),
    "plan": ("Plan documented and agreed with the citizen", "Plan dokumenteret og aftalt med borgeren"),
    "offers": ("Offers documented (decision, start, end)", "Tilbud dokumenteret (afgørelse, start, slut)"),
    "conversations": ("Conversations recorded with date and content", "Samtaler journalført med dato og indhold"),
    "other": ("Other duties documented", "Øvrige pligter dokumenteret"),
    "exemption": ("Exemption or postponement reasoned and documented", "Fritagelse eller udsættelse begrundet og dokumenteret"),
    "overdue_followup": ("Overdue duties: reason noted, follow-up agreed", "Overskredne pligter: årsag noteret, opfølgning aftalt"),
}

VERDICTS: Table = {"ok": ("ok", "ok"), "missing": ("missing", "mangler"), "n/a": ("not applicable", "ikke relevant")}

RUNS_PRUNE: Table = {
    "pruned": ("{n} audit run(s) deleted from {where}: {runs}", "{n} revisionskørsel(er) slettet fra {where}: {runs}"),
}

DRILL: Table = {
    "per_caseworker": ("Per caseworker (all rules)", "Pr. sagsbehandler (alle regler)"),
    "hint": ("A count of overdue duties links to the duties behind it.", "Et antal overskredne pligter linker til pligterne bag det."),
    "title": ("The overdue duties behind the figures", "De overskredne pligter bag tallene"),
    "more": ("{n} more not in the list of the most overdue (--top N, or --overdue-csv FILE for all)",
             "{n} flere uden for listen over de mest overskredne (--top N, eller --overdue-csv FIL for alle)"),
    "back": ("Back to the top", "Tilbage til toppen"),
}


# --- SCALE ---
# audit --export-totals, audit-merge, audit --dask, Parquet (docs/scale.md)

SCALE: Table = {
    "unit": ("Unit", "Enhed"), "units": ("Units", "Enheder"),
    "per_unit": ("Per unit", "Pr. enhed"), "short_cases": ("Cases", "Sager"),
    "short_conversation_share": ("STAR\n4 conv.", "STAR\n4 samt."),
    "mixed": ("Mixed: the units differ in {what}; the figures are added up regardless",
              "Blandet: enhederne har forskellige {what}; tallene er lagt sammen alligevel"),
    "mixed_as_of": ("as-of dates", "opgørelsesdatoer"), "mixed_rules": ("rule sets", "regelsæt"),
    "and": ("and", "og"),
    "no_case_list": ("The exported totals hold no case ids: the most overdue duties are listed by "
                     "each unit's own audit.",
                     "De eksporterede tal har ingen sags-id'er: de mest overskredne pligter står i "
                     "hver enheds egen revision."),
    "exported": ("Totals written to {path} (no case ids)", "Tal skrevet til {path} (ingen sags-id'er)"),
    "merge_source": ("{n} exported totals", "{n} eksporterede opgørelser"),
    "dask_missing": ("--dask needs the optional packages dask[distributed] and pyarrow: "
                     "pip install -e '.[scale]'",
                     "--dask kræver de valgfrie pakker dask[distributed] og pyarrow: "
                     "pip install -e '.[scale]'"),
    "parquet_missing": ("Parquet needs the optional package pyarrow: pip install -e '.[scale]'",
                        "Parquet kræver den valgfrie pakke pyarrow: pip install -e '.[scale]'"),
    "dask_parts": ("Dask: {parts} parts on {workers} workers ({where})",
                   "Dask: {parts} dele på {workers} arbejdere ({where})"),
    "results_written": ("Per-duty results written to {path} (Parquet, by team)",
                        "Resultater pr. pligt skrevet til {path} (Parquet, pr. team)"),
}

# The per-unit table's columns (CSV units.csv, the Excel sheet, the terminal and the HTML page)
UNIT_COLUMNS: Table = {
    "unit": ("Unit", "Enhed"), "as_of": ("As of", "Pr."), "rules": ("Rules", "Regler"),
    "cases": ("Cases", "Sager"), "bad": ("Bad cases", "Fejlbehæftede"), "population": ("Duties", "Pligter"),
    "overdue_now": ("Overdue now", "Overskredet nu"), "missed": ("Missed", "Forpasset"),
    "on_time_share": ("On-time share", "Rettidighed"), "median_days_late": ("Median days late", "Median dage for sent"),
    "conversation_share": ("STAR: 4 conversations", "STAR: 4 samtaler"),
    "offer_share": ("STAR: offer", "STAR: tilbud"), "passive_share_6m": ("Passive 6 months", "Passive 6 mdr."),
}


# --- legal ---
# Issue 15 (the legal readings): the category in force, the 2020 transition, the law's horizon.
TEXTS.update({
    "category_ended": ("{category} in force until {end}: a later assessment replaced it",
                       "{category} gældende til og med {end}: en senere visitation afløste den"),
    "overdue_category_ended": ("{days} days overdue when the visitation category ended on {end}",
                               "{days} dage over fristen, da visitationskategorien ophørte {end}"),
    "uncovered_by_regime_change": (
        "{benefit} from {start} ran across the regime change on {change}: no duty of the rule set falls "
        "due in it from that day (the old rules ended, the new rules' deadlines passed before they came "
        "into force)",
        "{benefit} fra {start} løb hen over regelskiftet {change}: ingen pligt i regelsættet har frist i "
        "forløbet fra den dag (de gamle regler ophørte, de nye reglers frister var passeret, før de trådte "
        "i kraft)"),
    "beyond_known_law": (
        "the rules know the law through {known}: a later reform is not in them ({as_of} is later)",
        "reglerne kender loven til og med {known}: en senere reform er ikke med ({as_of} er senere)"),
    "notes": ("Note", "Bemærk"),
    "target_group_changed": ("the benefit changed to {benefit} on {change}: in all at most the new group's {limit}, last day {due}",
                             "ydelsen skiftede til {benefit} den {change}: i alt højst den nye målgruppes {limit}, sidste dag {due}"),
    "offer_not_available": ("{offer} from {start} to a young person assessed {category}: the offer matrix does not allow it ({cite})",
                            "{offer} fra {start} til en ung visiteret {category}: tilbudsmatricen giver ikke mulighed for det ({cite})"),
    "distance_from_later": ("no visitation category on the offer's start: the visitation on {date} decides the distance{distance}",
                            "ingen visitationskategori ved tilbuddets start: visitationen den {date} afgør afstanden{distance}"),
    "distance_assumed_far": ("no visitation category on the offer's start: the limits far from the labour market apply",
                             "ingen visitationskategori ved tilbuddets start: grænserne for borgere langt fra arbejdsmarkedet gælder"),
    "clipped": ("{start} + {months} months has no day {day}: the month's last day, {date}, is taken (contract §2)",
                "{start} + {months} måneder har ingen dag {day}: månedens sidste dag, {date}, bruges (kontraktens §2)"),
    "leap_birthday": ("born 29 February: in a common year the birthday is 1 March, so on {start} the age is {age}",
                      "født 29. februar: i et almindeligt år er fødselsdagen 1. marts, så alderen den {start} er {age}"),
    "legal_outside_seeds": ("paragraph from outside the seeds", "paragraf uden for kilderne"),
    "legal_no_paragraph": ("the seeds name the act, not the paragraph", "kilderne nævner loven, ikke paragraffen"),
    "akasse_trial_counts": ("a-kasse trial: the a-kasse holds the contact course, its conversations up to {until} count",
                            "a-kasseforsøget: a-kassen har kontaktforløbet, dens samtaler til og med {until} tæller"),
    "regime_due": ("rule in force from {start} ({regime}) on the due date", "reglen gælder fra {start} ({regime}) på fristdatoen"),
})
AUDIT.update({"uncovered": ("Periods uncovered by the regime change", "Forløb uden pligt efter regelskiftet"),
              "offers_not_available": ("Offers the category does not allow", "Tilbud kategorien ikke giver mulighed for")})

# --- dash ---
WEB.update({
    "forecast_link": ("Workload forecast, 12 weeks: conversations and offers to book per week",
                      "Arbejdsbyrde-prognose, 12 uger: samtaler og tilbud der skal bookes pr. uge"),
    "forecast_all": ("All teams", "Alle teams"),
})
