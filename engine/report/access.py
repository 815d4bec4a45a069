"""The command line's tables of access control: users, API tokens and the access log."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from engine import texts
from engine.report.safe import clip, visible


def _w(lang: str):
    return texts.words(texts.ACCESS, lang)


def role_name(role: str, lang: str) -> str:
    return _w(lang).get(f"role_{role}", role)


def action_name(action: str, lang: str) -> str:
    return _w(lang).get(f"act_{action}", action)


def _teams(teams) -> str:
    return ", ".join(clip(t) for t in teams) if teams else "–"


def _table(w, title: str, where: str, columns: tuple[str, ...], wrapping: tuple[str, ...], rows: list) -> Table:
    """One listing's table: a bold title naming the database, the columns (only ``wrapping`` may
    wrap: identifiers and dates stay whole), the rows."""
    table = Table(title=Text(visible(w[title].format(where=where)), style="bold"), box=box.SIMPLE_HEAD,
                  title_justify="left")
    for column in columns:
        table.add_column(w[column], no_wrap=column not in wrapping, justify="right" if column == "token" else "left")
    for row in rows:
        table.add_row(*row)
    return table


def users_table(accounts, where: str, lang: str):
    w = _w(lang)
    if not accounts:
        return Text(visible(w["no_users"].format(where=where)))
    rows = [(clip(a.name), role_name(a.role, lang), _teams(a.teams), w["password"] if a.has_password else w["sso"],
             Text(w["disabled"], style="red") if a.disabled else w["enabled"]) for a in accounts]
    return _table(w, "users_title", where, ("user", "role", "teams", "sign_in", "state"), ("teams",), rows)


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def token_state(token, lang: str) -> Text:
    w = _w(lang)
    if token.revoked_at is not None:
        return Text(w["revoked"].format(when=_day(token.revoked_at)), style="red")
    if not token.usable():
        return Text(w["expired"], style="red")
    return Text(w["usable"], style="green")


def tokens_table(tokens, where: str, lang: str):
    w = _w(lang)
    if not tokens:
        return Text(visible(w["no_tokens"].format(where=where)))
    rows = [(f"#{t.id}", clip(t.name), _teams(t.teams), _day(t.created_at),
             _day(t.expires_at) if t.expires_at else w["never"], token_state(t, lang)) for t in tokens]
    return _table(w, "tokens_title", where, ("token", "name", "teams", "created", "expires", "state"),
                  ("teams", "name"), rows)


def log_listing(entries, where: str, lang: str, more: int = 0):
    """One entry in two lines (an 80-column terminal holds no six columns): when, who, what, then
    the route and the address, dimmed."""
    w = _w(lang)
    blocks: list = [Text(visible(w["log_title"].format(where=where)), style="bold")]
    if not entries:
        blocks.append(Text(w["log_empty"]))
        return Group(*blocks)
    for e in entries:
        who = clip(e.user_name) + (f" ({role_name(e.role, lang)})" if e.role else "")
        line = Text.assemble(e.at.strftime("%Y-%m-%d %H:%M:%S"), "  ", (who, "bold"), "  ",
                             action_name(e.action, lang), (f" {clip(e.what)}" if e.what else ""))
        blocks.append(line)
        detail = "  ·  ".join(clip(part) for part in (e.route, e.address) if part)
        if detail:
            blocks.append(Padding(Text(detail, style="dim"), (0, 0, 0, 2)))
    shown = w["log_shown_one"] if len(entries) == 1 else w["log_shown"].format(n=len(entries))
    blocks.append(Text(w["log_more"].format(n=len(entries)) if more else shown, style="dim"))
    return Group(*blocks)
