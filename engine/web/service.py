"""What the routes ask: one engine and one database per worker process, and the operations the API
and the pages share (check a posted case, evaluate a stored one, the worklist, the rules, the
audit's figures). No HTTP here: the routes translate; the errors are engine/web/errors.py's."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from starlette.concurrency import run_in_threadpool

from engine.batch.forecast import ForecastTotals, run_forecast
from engine.batch.runner import AuditOptions, run_audit
from engine.batch.totals import NONE, AuditTotals
from engine.core.check import Engine
from engine.io import worklist
from engine.io.loading import InputError, parse_case
from engine.io.sources import db_items
from engine.report import AuditMeta, titles_of
from engine.report.check import missed, next_step
from engine.rulebook.ruleset import DEFAULT_RULES_DIR
from engine.web.deps import Principal
from engine.web.errors import BadRequest, CaseNotFound
from models.actions import CheckResult, Status
from models.case import Case
from models.privacy import looks_like_cpr

MAX_CASES_PER_CALL = 1000  # POST /check: a bound on one request's work
AUDIT_CACHE = 4  # audits kept per worker (as-of date, scope, state of the cases)


@dataclass
class Settings:
    """How ``create_app`` is configured (``sagsrute serve`` fills it from its options)."""

    db: Optional[str] = None  # a SQLite path or an SQLAlchemy URL; None: the default database
    rules: Path = DEFAULT_RULES_DIR
    page_size: int = 50
    extra: dict[str, Any] = field(default_factory=dict)


def valid_case_id(case_id: str) -> bool:
    """A case id a URL may carry: not a CPR number, not absurdly long (answered like an unknown id)."""
    return 0 < len(case_id) <= 200 and not looks_like_cpr(case_id)


class Service:
    """One per worker process: durable_rules' registry is per process, so is the engine."""

    def __init__(self, settings: Settings):
        from cli.common import rules_or_exit  # the CLI's rule loading: one reading of --rules
        from engine.io.storage import db_url, open_db

        self.settings = settings
        self.ruleset = rules_or_exit(settings.rules)
        self.engine = Engine(self.ruleset)
        self.label = self.ruleset.label
        self.db = open_db(db_url(settings.db))
        self.titles = titles_of(self.ruleset)
        # (rule id, Danish title) -> the rule's titles: the worklist stores both languages
        self._titles_by_da = {(r.id, r.title.da): r.title for r in self.ruleset.rules}
        self._audits: OrderedDict = OrderedDict()
        self._forecasts: OrderedDict = OrderedDict()
        self._choices: dict = {}
        # One evaluation at a time: the sync routes run in a thread pool and the engine (durable_rules'
        # host) is not shared between threads. Reentrant: ``soon`` holds it around code that takes it.
        self._lock = threading.RLock()

    async def soon(self, function, *args):
        """``function(*args)`` on the event loop when the engine is free — a check takes a tenth of a
        millisecond, less than the hand-over to a thread (which on a busy machine waits for a turn
        of the CPU) — else in the thread pool, behind the worklist or audit that holds the engine."""
        if self._lock.acquire(blocking=False):
            try:
                return function(*args)
            finally:
                self._lock.release()
        return await run_in_threadpool(function, *args)

    # -- posted cases ------------------------------------------------------------------------------

    def parse_body(self, body: bytes) -> tuple[list[Case], bool]:
        """The cases of a POST body (one case object or a list of them) and whether it was a list;
        every problem as ``field.path: problem`` (``[i].field.path: …`` in a list), as the CLI says it."""
        if body[:1] == b"{":  # one case: pydantic-core's own parser, a quarter faster than json.loads
            try:
                return [Case.model_validate_json(body)], False
            except ValueError:
                pass  # the messages come from the path below, as the CLI words them
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest([f"(body): not valid JSON ({exc})"]) from None
        many = isinstance(data, list)
        items = data if many else [data]
        if many and not items:
            raise BadRequest(["(body): an empty list; send one case or a list of cases"])
        if len(items) > MAX_CASES_PER_CALL:
            raise BadRequest([f"(body): {len(items)} cases; at most {MAX_CASES_PER_CALL} per call"])
        cases, problems = [], []
        for i, item in enumerate(items):
            loaded = parse_case(item, f"[{i}]")
            if isinstance(loaded, InputError):  # in a list "[2]: field: problem", alone "field: problem"
                problems += str(loaded).splitlines() if many else list(loaded.problems)
            else:
                cases.append(loaded.case)
        if problems:
            raise BadRequest(problems)
        return cases, many

    def check(self, case: Case, as_of: date, lang: str, explain: bool = True) -> CheckResult:
        with self._lock:
            try:
                return self.engine.check(case, as_of, lang, explain_why=explain)
            except (ValueError, OverflowError) as exc:  # as the CLI: a case the engine cannot evaluate
                raise BadRequest([f"(case): cannot be evaluated ({exc})"]) from None

    # -- stored cases ------------------------------------------------------------------------------

    def stored(self, case_id: str, principal: Principal) -> Case:
        """A stored case the principal may see; any other id (unknown, CPR-shaped, another team's)
        is the same CaseNotFound."""
        found = self._stored_row(case_id, principal)
        if found is None:
            raise CaseNotFound()
        try:
            return Case.model_validate_json(found[0])  # validated at import: the fast path
        except ValueError:
            loaded = parse_case(json.loads(found[0]), case_id)  # stored by an older sagsrute, say what changed
            raise BadRequest(list(loaded.problems) if isinstance(loaded, InputError) else ["(case): cannot be read"]) from None

    def _stored_row(self, case_id: str, principal: Principal) -> Optional[tuple[str, Optional[str]]]:
        if not valid_case_id(case_id):
            return None
        found = worklist.stored_case(self.db, case_id)
        return found if found is not None and principal.sees_team(found[1]) else None

    def visible(self, case_id: str, principal: Principal) -> bool:
        """Whether ``case_id`` is a stored case the principal may see (the search's exact match)."""
        return self._stored_row(case_id, principal) is not None

    # -- the worklist ------------------------------------------------------------------------------

    def summarise(self, data: str) -> dict:
        """A stored case's worklist row: its next step and how many duties are overdue, open, missed."""
        row = {"rank": worklist.RANK_NOTHING, "next_rule": None, "next_title_da": None, "next_title_en": None,
               "next_due": None, "overdue": 0, "open": 0, "missed": 0}  # every column: one bulk insert
        try:
            case = Case.model_validate_json(data)
            result = self.engine.check(case, self._as_of, "da", explain_why=False, with_routing=False)
        except (ValueError, OverflowError):
            return {**row, "rank": worklist.RANK_ERROR}
        actions = result.actions
        row.update(overdue=sum(1 for a in actions if a.status is Status.overdue and not missed(a)),
                   open=sum(1 for a in actions if a.status is Status.open and not missed(a)),
                   missed=sum(1 for a in actions if missed(a)))
        nxt = next_step(actions)
        if nxt is not None:
            titles = self._titles_by_da.get((nxt.rule, nxt.title))
            row.update(rank=worklist.RANK_OVERDUE if nxt.status is Status.overdue else worklist.RANK_OPEN,
                       next_rule=nxt.rule, next_title_da=nxt.title, next_title_en=titles.en if titles else nxt.title,
                       next_due=nxt.due)
        return row

    def worklist(self, principal: Principal, as_of: date, team: Optional[str] = None, **filters) -> tuple[list[dict], int]:
        """A page of the worklist within the principal's teams (filled first where needed)."""
        if principal.teams is None:
            scopes = [team] if team is not None else [worklist.ALL]
        else:
            scopes = sorted(principal.teams if team is None else principal.teams & {team})
        with self._lock:
            self._as_of = as_of
            for scope in scopes:
                worklist.fill(self.db, self.label, as_of, scope, self.summarise)
        if not scopes:
            return [], 0
        return worklist.page(self.db, self.label, as_of, principal.teams, team, size=self.settings.page_size, **filters)

    def choices(self, principal: Principal) -> tuple[list[str], list[str]]:
        """The teams and caseworkers the worklist's filters offer, read again only after an import
        (a DISTINCT over every case is the slowest query of the page)."""
        with self.db.connect() as conn:
            key = (principal.teams, worklist.cases_token(conn, worklist.ALL))
        found = self._choices.get(key)
        if found is None:
            found = ([t for t in worklist.teams(self.db) if principal.sees_team(t)],
                     worklist.caseworkers(self.db, principal.teams))
            self._choices = {key: found}
        return found

    # -- the audit's figures -----------------------------------------------------------------------

    def _items(self, principal: Principal, team: Optional[str] = None) -> Iterator[tuple]:
        from engine.io.storage import iter_stored_json

        if team is not None and not principal.sees_team(team):
            return iter(())
        if team is not None:
            return db_items(iter_stored_json(self.db, team=team))
        if principal.teams is None:
            return db_items(iter_stored_json(self.db))
        return (item for t in sorted(principal.teams) for item in db_items(iter_stored_json(self.db, team=t)))

    def _cached(self, cache: OrderedDict, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()`` kept in ``cache`` under ``key`` plus the state of the stored cases, the
        oldest dropped past AUDIT_CACHE entries: one figure per date and scope while nothing changes."""
        with self.db.connect() as conn:
            key = (*key, worklist.cases_token(conn, worklist.ALL))
        with self._lock:
            cached = cache.get(key)
            if cached is None:
                cached = cache[key] = compute()
                while len(cache) > AUDIT_CACHE:
                    cache.popitem(last=False)
            cache.move_to_end(key)
        return cached

    def audit(self, principal: Principal, as_of: date, lang: str) -> tuple[AuditTotals, AuditMeta]:
        """The audit of the stored cases the principal may see: the numbers ``sagsrute audit`` gives
        (the same runner), kept for the next request while the cases are unchanged."""
        totals = self._cached(self._audits, (as_of, lang, principal.teams), lambda: run_audit(
            self.ruleset, self._items(principal), AuditOptions(as_of=as_of, lang=lang), self.engine))
        return totals, AuditMeta(as_of=as_of, rules_label=self.label, source="db", titles=self.titles)

    def forecast(self, principal: Principal, as_of: date, weeks: int = 12) -> ForecastTotals:
        """The workload forecast of the stored cases the principal may see (the audit's scope): the
        numbers ``sagsrute forecast`` gives (the same runner), kept like the audit while the cases
        are unchanged."""
        return self._cached(self._forecasts, (as_of, weeks, principal.teams), lambda: run_forecast(
            self.ruleset, self._items(principal), as_of, weeks, engine=self.engine))

    def duties_behind(self, principal: Principal, as_of: date, lang: str, rule: Optional[str] = None,
                      status: Optional[str] = None, team: Optional[str] = None, caseworker: Optional[str] = None,
                      limit: int = 500) -> tuple[list[dict], int]:
        """The duties behind a dashboard figure (a rule's, a team's or a caseworker's, optionally of
        one status): the audit's own per-duty rows, most overdue first; at most ``limit`` and the count."""
        kept: list[dict] = []
        count = 0
        # the audit's "(none)" group: the duties of cases without a team or caseworker
        want_team = None if team == NONE else team
        want_caseworker = None if caseworker == NONE else caseworker

        def take(rows: list[dict]) -> None:
            nonlocal count
            for row in rows:
                if ((rule is None or row["rule"] == rule) and (status is None or row["status"] == status)
                        and (caseworker is None or row["caseworker"] == want_caseworker)
                        and (team is None or row["team"] == want_team)):
                    count += 1
                    kept.append(row)

        items = self._items(principal, None if team == NONE else team)  # a team's cases only, read in SQL
        with self._lock:
            run_audit(self.ruleset, items, AuditOptions(as_of=as_of, lang=lang, on_rows=take), self.engine)
        kept.sort(key=lambda r: (r["status"] != "overdue", -(r["days_late"] or 0), str(r["due"]), r["case_id"]))
        return kept[:limit], count
