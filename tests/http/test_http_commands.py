"""What a core command's ``Idempotency-Key`` is bound to: the request itself.

The route, its path and query parameters and the body as the route's input model reads it
(`linli.http.commands.request_identity`). The same request sent again replays the first answer
even when its JSON is spelled differently; the key sent to another route, or for another
resource of the same route, is refused and nothing is written.
"""

from __future__ import annotations

UNITS = "/v1/communities/home/units"
EMERGENCIES = "/v1/communities/home/emergencies"


async def test_the_same_input_spelled_differently_replays_the_first_answer(start_platform):
    async with start_platform() as running:
        http = running.client
        operator = {**running.auth("operator"), "Content-Type": "application/json"}
        keyed = {**operator, "Idempotency-Key": "unit-7-701"}
        first = await http.post(UNITS, content='{"building": "7", "room": "701"}', headers=keyed)
        again = await http.post(UNITS, content='{"room":"701",\n"building":"7"}', headers=keyed)
        assert first.status_code == again.status_code == 201, again.text
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"

        keyed = {**operator, "Idempotency-Key": "declare-1"}
        declared = await http.post(EMERGENCIES, json={"kind": "epidemic"}, headers=keyed)
        spelled_out = {"kind": "epidemic", "notes": "", "reference": None}
        redeclared = await http.post(EMERGENCIES, json=spelled_out, headers=keyed)
        assert declared.status_code == redeclared.status_code == 201, redeclared.text
        assert redeclared.headers["idempotent-replayed"] == "true"
        assert redeclared.json() == declared.json()

        listed = await http.get(UNITS, headers=operator)
        assert [unit["room"] for unit in listed.json()] == ["701"]
        emergencies = await http.get(EMERGENCIES + "/", headers=operator)
        assert len(emergencies.json()) == 1


async def test_a_key_sent_to_another_route_or_resource_is_refused(start_platform):
    async with start_platform() as running:
        http = running.client
        operator = running.auth("operator")
        keyed = {**operator, "Idempotency-Key": "k-1"}
        made = await http.post(UNITS, json={"building": "7", "room": "701"}, headers=keyed)
        assert made.status_code == 201, made.text

        another_route = await http.post(EMERGENCIES, json={"kind": "epidemic"}, headers=keyed)
        assert another_route.status_code == 422, another_route.text
        assert another_route.json()["field"] == "Idempotency-Key"
        current = await http.get(EMERGENCIES + "/current", headers=operator)
        assert current.status_code == 404  # nothing was declared

        declared = await http.post(EMERGENCIES, json={"kind": "flood"}, headers=operator)
        assert declared.status_code == 201, declared.text
        ended = {**operator, "Idempotency-Key": "end-1"}
        end = f"{EMERGENCIES}/{declared.json()['id']}/end"
        assert (await http.post(end, headers=ended)).status_code == 200
        # the same route for another emergency: refused before the handler looks for it
        other = await http.post(f"{EMERGENCIES}/elsewhere/end", headers=ended)
        assert other.status_code == 422, other.text
        assert other.json()["field"] == "Idempotency-Key"
