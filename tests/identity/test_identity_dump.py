"""After the demo and the main resident flows, no phone or ID number is in clear anywhere.

The demo is seeded (every installed module's seed hook runs), then: a demo resident signs in
by phone, a newcomer signs in and is verified by invitation, the resident consents and gives
an ID number, a leader posts a notice and residents read it, a module granted
``members.national_id`` is shown the number, the resident exports their data. Then every
table of the database (listed from the database itself, so tables of future modules are
covered) and every log line are searched for 11-digit mainland phone numbers and 18-character
resident ID numbers.
"""

from __future__ import annotations

import re
import sqlite3

import asyncpg
import phonenumbers
import pytest
from identity_helpers import REDIRECT, authorization_code, captured_logs, exchange, sign_in_code
from linli.db.runtime import current_apps
from linli.demo import DEMO_PHONES, DEMO_SLUG, seed_demo
from linli.identity.clients import register_client
from stdnum.cn import ric

pytestmark = pytest.mark.usefixtures("scope_probe")

ID_NUMBER = "11010519491231002X"
NEWCOMER_PHONE = "13711112222"
CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(1[3-9][0-9]{9}|[0-9]{17}[0-9Xx])(?![0-9A-Za-z])")
C = f"/v1/communities/{DEMO_SLUG}"


def numbers_in_clear(text: str) -> list[str]:
    """Every valid mainland mobile number or resident ID number written out in ``text``."""

    def real(found: str) -> bool:
        if len(found) == 11:
            return phonenumbers.is_valid_number(phonenumbers.parse(found, "CN"))
        return ric.is_valid(found)

    return sorted({found for found in CANDIDATE.findall(text) if real(found)})


def dump_sqlite(database_url: str) -> dict[str, str]:
    """Every table of the SQLite database, each as the text of all its rows."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {t: repr(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}


async def dump_postgres(database_url: str) -> dict[str, str]:
    """Every table of the PostgreSQL database's public schema, each as its rows' text."""
    db = await asyncpg.connect(database_url)
    try:
        tables = await db.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        dump = {}
        for (table,) in tables:
            rows = await db.fetch(f'SELECT t::text FROM "{table}" AS t')
            dump[table] = "\n".join(row[0] for row in rows)
        return dump
    finally:
        await db.close()


async def _sign_in(http, phone: str) -> dict[str, str]:
    frontend = await register_client("Resident app", redirect_uris=[REDIRECT])
    otp = await sign_in_code(http, phone)
    code, verifier = await authorization_code(
        http, frontend.client_id, phone=phone, otp=otp, community=DEMO_SLUG
    )
    issued = await exchange(http, frontend.client_id, code, verifier)
    return {"Authorization": f"Bearer {issued['access_token']}"}


async def resident_flows(running) -> None:
    """The demo, then the main resident flows on it, over HTTP."""
    http = running.client
    _, seeded = await seed_demo(running.platform)
    token = {m.display_name: {"Authorization": f"Bearer {m.token}"} for m in seeded}
    operator, leader = token["Operator Zhou"], token["Leader Wang (团长)"]
    chen_id = next(m.id for m in seeded if m.display_name == "Resident Chen")

    # a demo resident signs in by phone and is the seeded member, with their unit
    chen = await _sign_in(http, DEMO_PHONES["Resident Chen"][0])
    me = (await http.get(f"{C}/me", headers=chen)).json()
    assert (me["id"], me["verified"], me["unit"]) == (chen_id, True, "3-1201")
    assert me["phone"] == DEMO_PHONES["Resident Chen"][0]

    # a newcomer signs in, is invited to a unit and verified
    newcomer = await _sign_in(http, NEWCOMER_PHONE)
    units = (await http.get(f"{C}/units", headers=operator)).json()
    unit = next(u["id"] for u in units if (u["building"], u["room"]) == ("3", "1202"))
    invited = await http.post(f"{C}/invitations", json={"unit_id": unit}, headers=leader)
    redeemed = await http.post(
        f"{C}/verification/invitation", json={"code": invited.json()["code"]}, headers=newcomer
    )
    assert redeemed.status_code == 200, redeemed.text

    # consent, then the ID number
    consent = await http.post(f"{C}/me/consents", json={"purpose": "national_id"}, headers=chen)
    assert consent.status_code == 201, consent.text
    given = await http.put(f"{C}/me/national-id", json={"number": ID_NUMBER}, headers=chen)
    assert given.json() == {"national_id": "1****************X"}

    # module operations: a notice posted and read; a granted module shown the ID number
    posted = await http.post(
        f"{C}/modules/noticeboard/post-notice",
        json={"title": "Water off on Friday", "body": "Call the office."},
        headers={**leader, "Idempotency-Key": "notice-1"},
    )
    assert posted.status_code == 200, posted.text
    read = await http.get(f"{C}/modules/noticeboard/list-notices", headers=newcomer)
    assert read.status_code == 200, read.text
    granted = await http.put(
        f"{C}/member-scopes/scope_probe/members.national_id",
        headers={**operator, "Idempotency-Key": "grant-1"},
    )
    assert granted.status_code == 200, granted.text
    card = await http.get(
        f"{C}/modules/scope_probe/member-card",
        params={"member_id": chen_id, "purpose": "station appointment"},
        headers=operator,
    )
    assert card.json()["national_id"] == ID_NUMBER
    exported = (await http.get(f"{C}/me/export", headers=chen)).json()
    assert exported["account"]["national_id"] == ID_NUMBER
    assert [v["module"] for v in exported["national_id_views"]] == ["scope_probe"]


def every_table_name() -> set[str]:
    """The tables of the core and of every loaded module, as their Piccolo apps declare them."""
    return {
        table._meta.tablename
        for config in current_apps().app_configs.values()
        for table in config.table_classes
    }


def assert_nothing_in_clear(dump: dict[str, str], logs: list[str]) -> None:
    assert every_table_name() <= set(dump)  # every module's tables were searched
    for table in ("linli_identity_account", "linli_member", "linli_identity_national_id_view"):
        assert dump.get(table)  # the tables the flows wrote were read
    found = {table: numbers_in_clear(rows) for table, rows in dump.items()}
    assert {table: numbers for table, numbers in found.items() if numbers} == {}
    everything = "\n".join(dump.values())
    phones = [phone for phone, _ in DEMO_PHONES.values()] + [NEWCOMER_PHONE]
    assert [p for p in phones if p in everything] == [] and ID_NUMBER not in everything
    logged = "\n".join(logs)
    assert "sign-in code" in logged  # the demo SMS went to the log, the number masked
    assert numbers_in_clear(logged) == []


def test_the_scan_finds_numbers_in_clear_and_ignores_masks_and_other_digits():
    text = f"x {ID_NUMBER} 13600002468 136****2468 1****************X 12345678901 2026112203055"
    assert numbers_in_clear(text) == [ID_NUMBER, "13600002468"]


async def test_no_number_in_clear_after_the_demo_flows_on_sqlite(start_platform, database_url):
    async with start_platform() as running:
        with captured_logs() as logs:  # after the app is made: Litestar resets the root logger
            await resident_flows(running)
            dump = dump_sqlite(database_url)
    assert_nothing_in_clear(dump, logs.lines)


@pytest.mark.slow
async def test_no_number_in_clear_after_the_demo_flows_on_postgresql(start_platform, postgres_url):
    async with start_platform(database_url=postgres_url) as running:
        with captured_logs() as logs:
            await resident_flows(running)
            dump = await dump_postgres(postgres_url)
    assert_nothing_in_clear(dump, logs.lines)
