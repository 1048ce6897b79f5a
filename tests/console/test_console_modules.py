"""The console's modules page: enabling a module with generated settings, its revenue share."""

from __future__ import annotations

from console_helpers import HOME_OPERATOR_PHONE, console_sign_in, csrf_of, give_phones

MODULES = "/console/c/home/modules"


async def test_an_operator_enables_group_buying_with_settings_and_sees_refusals(start_platform):
    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        http = running.client
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        page = (await http.get(MODULES)).text
        assert 'name="uncollected_days" type="number"' in page
        assert 'name="claim_monthly_limit.amount"' in page  # money, in minor units
        assert "<option selected>refund</option>" in page  # an enum is a choice
        csrf = csrf_of(page)
        form = {
            "csrf": csrf,
            "enabled": "on",
            "claim_window_hours": "48",
            "claim_monthly_limit.amount": "5000",
            "uncollected_days": "99",
            "uncollected_policy": "keep",
            "max_campaign_days": "7",
        }
        refused = await http.post(f"{MODULES}/group_buying", data=form)
        assert refused.status_code == 422
        assert "uncollected_days" in refused.text and "less than or equal to 30" in refused.text
        saved = await http.post(f"{MODULES}/group_buying", data={**form, "uncollected_days": "2"})
        assert saved.status_code == 303
        from linli.modules.enablement import module_state

        state = await module_state(running.home, running.platform.registry.get("group_buying"))
        assert state.enabled
        assert state.settings.model_dump(mode="json") == {
            "claim_window_hours": 48,
            "claim_monthly_limit": {"amount": 5000, "currency": "CNY"},
            "uncollected_days": 2,
            "uncollected_policy": "keep",
            "max_campaign_days": 7,
        }
        assert "Group" in (await http.get(MODULES)).text


async def test_revenue_share_overrides_stay_inside_the_declared_bounds(start_platform):
    async with start_platform(dispatch_worker=False) as running:
        await give_phones(running)
        http = running.client
        await console_sign_in(http, HOME_OPERATOR_PHONE)
        page = (await http.get(MODULES)).text
        assert (
            'name="share.platform"' in page
            and 'name="share.community_fund"'
            not in page.split('id="module-group_buying"')[1].split("</section>")[0]
        )  # declared 100-100 bp: not adjustable
        csrf = csrf_of(page)
        share = f"{MODULES}/group_buying/revenue-share"
        out = await http.post(share, data={"csrf": csrf, "share.leader": "2000"})
        assert out.status_code == 422 and "Share out of bounds" in out.text
        ok = await http.post(
            share, data={"csrf": csrf, "share.leader": "1200", "share.pickup_host": "80"}
        )
        assert ok.status_code == 303
        rules = await running.platform.settlement.rules_for(running.home.id, "group_buying")
        by_party = {s.party: s for s in rules.shares}
        assert by_party["leader"].basis_points == 1200
        assert by_party["pickup_host"].fixed.amount == 80
        assert 'value="1200"' in (await http.get(MODULES)).text
