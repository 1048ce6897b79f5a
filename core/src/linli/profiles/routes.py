"""The profiles' HTTP routes for residents, under ``/v1/communities/{community}/profile``.

The resident gives or withdraws consent to personalisation, lists their tags with the
explanations, corrects a tag (its cycle, or "not for me"), deletes one, or erases everything
profiles keep of them. Commands take an ``Idempotency-Key``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from linli_sdk import Community
from litestar import Request, Response
from litestar.params import Body, FromPath

from linli.http.handlers import delete, get, patch, post

from ..http.access import Access
from ..http.commands import Command
from ..http.community import COMMUNITY, AsCommand, CommunityController, Myself, Person
from ..http.problems import problem_responses
from ..platform import Platform
from .schemas import ConsentOut, Correction, Erased, TagList, TagOut
from .service import Profiles

__all__ = ["ProfilesController", "routes"]

_MEMBER = Access.person("profile").opt


def _profiles(request: Request[Any, Any, Any]) -> Profiles:
    platform: Platform = request.app.state.platform
    return platform.profiles


async def _consent_command(
    command: Command,
    person: Person,
    change: Callable[[Profiles, Community, int], Awaitable[dict[str, Any]]],
) -> Response[ConsentOut]:
    """The caller's consent changed by ``change`` as one command."""
    where, member = person
    profiles = _profiles(command.request)

    return await command.answer_row(ConsentOut, lambda: change(profiles, where, member))


class ProfilesController(CommunityController):
    """The profiles' community routes."""

    path = COMMUNITY + "/profile"
    tags = ["profiles"]

    @get(
        "/consent",
        summary="My consent to personalisation",
        responses=problem_responses(401, 403),
        opt=_MEMBER,
    )
    async def my_consent(self, request: Request[Any, Any, Any], person: Myself) -> ConsentOut:
        """Whether the caller consented, the wording, and every consent they gave here."""
        where, member = person
        profiles = _profiles(request)
        return ConsentOut(**await profiles.consent(where, member))

    @post(
        "/consent",
        summary="Give consent to personalisation (tags and reminders)",
        status_code=200,
        responses=problem_responses(401, 403),
        opt=_MEMBER,
    )
    async def give_consent(self, command: AsCommand, person: Myself) -> Response[ConsentOut]:
        """Consent (separately from anything else); the caller's tags are derived at once."""
        return await _consent_command(command, person, Profiles.give_consent)

    @delete(
        "/consent",
        summary="Withdraw consent to personalisation; every tag is deleted",
        status_code=200,
        responses=problem_responses(401, 403, 404),
        opt=_MEMBER,
    )
    async def withdraw_consent(self, command: AsCommand, person: Myself) -> Response[ConsentOut]:
        """Withdraw consent: tags and reminder records go; prices and services stay the same."""
        return await _consent_command(command, person, Profiles.withdraw_consent)

    @get(
        "/tags",
        summary="My tags, each with its explanation",
        responses=problem_responses(401, 403),
        opt=_MEMBER,
    )
    async def my_tags(self, request: Request[Any, Any, Any], person: Myself) -> TagList:
        """The caller's tags: item, cycle, confidence, last purchase, the orders and why."""
        where, member = person
        profiles = _profiles(request)
        return TagList(items=[TagOut(**t) for t in await profiles.tags(where, member)])

    @patch(
        "/tags/{item:str}",
        summary="Correct a tag: set its cycle, or mark it not for me",
        responses=problem_responses(401, 403, 404, 409, 422),
        opt=_MEMBER,
    )
    async def correct_tag(
        self,
        command: AsCommand,
        request: Request[Any, Any, Any],
        person: Myself,
        item: FromPath[str],
        data: Annotated[Correction, Body()],
    ) -> Response[TagOut]:
        """The caller's correction wins over the estimate; "not for me" stops its reminders."""
        where, member = person
        profiles = _profiles(request)

        async def work() -> TagOut:
            fields = data.model_dump()
            return TagOut(**await profiles.correct(where, member, item, **fields))

        return await command.answer(work)

    @delete(
        "/tags/{item:str}",
        summary="Delete a tag and the purchases it came from",
        status_code=200,
        responses=problem_responses(401, 403, 404),
        opt=_MEMBER,
    )
    async def delete_tag(
        self,
        command: AsCommand,
        request: Request[Any, Any, Any],
        person: Myself,
        item: FromPath[str],
    ) -> Response[Erased]:
        """Delete one tag; the caller's purchase facts of that item are erased with it."""
        where, member = person
        profiles = _profiles(request)

        async def work() -> Erased:
            return Erased(tags=1, facts=await profiles.delete_tag(where, member, item))

        return await command.answer(work)

    @delete(
        "",
        summary="Erase my profile: purchase facts, tags, reminders and consents",
        status_code=200,
        responses=problem_responses(401, 403),
        opt=_MEMBER,
    )
    async def erase_profile(
        self,
        command: AsCommand,
        request: Request[Any, Any, Any],
        person: Myself,
    ) -> Response[Erased]:
        """Erase everything profiles keep of the caller in this community."""
        where, member = person
        profiles = _profiles(request)

        return await command.answer_row(Erased, lambda: profiles.erase(where.id, member))


def routes(platform: Platform) -> list[Any]:
    """The profiles' routes: its controller."""
    return [ProfilesController]
