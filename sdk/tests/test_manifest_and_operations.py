"""Manifest validation and the `command` / `query` decorators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import linli_sdk
import pytest
from linli_sdk import (
    Caller,
    Community,
    Context,
    CreditEventSpec,
    Empty,
    Manifest,
    Operation,
    OperationKind,
    Role,
    command,
    query,
)
from linli_sdk.testing import InMemoryHost
from pydantic import BaseModel, Field, ValidationError


class Settings(BaseModel):
    limit: int = 3


class NoDefaults(BaseModel):
    limit: int


class In(BaseModel):
    text: str = ""


class Out(BaseModel):
    text: str


class Other(BaseModel):
    text: str = "other"


@command(Role.LEADER)
async def post_notice(ctx: Context[Any], data: In) -> Out:
    """Post a notice to the board.

    Pinned notices stay on top.

    At most three may be pinned.
    """
    return Out(text=data.text)


@query(Role.MEMBER)
async def list_notices(ctx: Context[Any], data: Empty) -> Out:
    return Out(text="")


def manifest(**overrides: Any) -> Manifest:
    fields: dict[str, Any] = {
        "name": "noticeboard",
        "version": "1.2.3",
        "sdk": ">=1.0,<2",
        "title": "Notice board",
        "settings": Settings,
        "operations": (post_notice, list_notices),
    }
    fields.update(overrides)
    return Manifest(**fields)


def message(raised: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(str(error["msg"]) for error in raised.value.errors())


# --- Manifest ---------------------------------------------------------------------------


def test_a_valid_manifest_keeps_what_it_declares() -> None:
    m = manifest()
    assert m.name == "noticeboard"
    assert m.settings is Settings
    assert m.operation("post-notice") is post_notice
    assert m.operation("nope") is None
    assert m.revenue_share is None
    assert m.settings_schema()["properties"]["limit"]["default"] == 3


def test_a_minimal_manifest_takes_no_settings() -> None:
    m = Manifest(name="tiny", version="0.1.0", sdk=">=0.1", title="Tiny")
    assert m.settings is Empty
    assert m.operations == ()
    assert m.credit_events == ()


def test_a_manifest_is_frozen_and_refuses_unknown_fields() -> None:
    m = manifest()
    with pytest.raises(ValidationError):
        m.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="colour"):
        manifest(colour="red")


@pytest.mark.parametrize(
    "name", ["Noticeboard", "notice-board", "1board", "n", "", "x" * 41, "公告栏"]
)
def test_a_bad_module_name_is_refused(name: str) -> None:
    with pytest.raises(ValidationError) as raised:
        manifest(name=name)
    assert f"invalid module name {name!r}" in message(raised)


@pytest.mark.parametrize("name", ["nb", "notice_board", "gov_services2", "x" * 40])
def test_good_module_names_pass(name: str) -> None:
    assert manifest(name=name).name == name


@pytest.mark.parametrize("version", ["one", "1.0.0-beta-x-y", "", "v1..0"])
def test_a_bad_version_is_refused(version: str) -> None:
    with pytest.raises(ValidationError) as raised:
        manifest(version=version)
    assert f"invalid version {version!r}" in message(raised)


@pytest.mark.parametrize("sdk", ["0.1", "latest", ">=0.1,<<0.2", "=>0.1", "", " "])
def test_a_bad_sdk_range_is_refused(sdk: str) -> None:
    with pytest.raises(ValidationError) as raised:
        manifest(sdk=sdk)
    assert f"invalid SDK range {sdk!r}" in message(raised)


def test_a_settings_model_without_defaults_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        manifest(settings=NoDefaults)
    assert "settings model NoDefaults needs a default for every field" in message(raised)


def test_duplicate_operation_names_are_refused() -> None:
    @query(Role.MEMBER, name="post-notice")
    async def shadow(ctx: Context[Any], data: Empty) -> Out:
        return Out(text="")

    with pytest.raises(ValidationError) as raised:
        manifest(operations=(post_notice, list_notices, shadow))
    assert "duplicate operation names: post-notice" in message(raised)


def test_duplicate_credit_event_names_are_refused() -> None:
    spec = CreditEventSpec(name="on_time", min_weight=0, max_weight=3, description="On time.")
    with pytest.raises(ValidationError) as raised:
        manifest(credit_events=(spec, spec))
    assert "duplicate credit event names: on_time" in message(raised)


def test_credit_event_bounds_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="no_show: min_weight exceeds max_weight"):
        CreditEventSpec(name="no_show", min_weight=0, max_weight=-5, description="No show.")


def test_credit_events_are_looked_up_by_name() -> None:
    spec = CreditEventSpec(name="on_time", min_weight=0, max_weight=3, description="On time.")
    m = manifest(credit_events=(spec,))
    assert m.credit_event("on_time") is spec
    assert m.credit_event("late") is None


@pytest.mark.parametrize(
    ("sdk", "version", "supported"),
    [
        (">=1.0,<2", "1.0.0", True),
        (">=1.0,<2", "1.9.3", True),
        (">=1.0,<2", "2.0.0", False),
        (">=1.0,<2", "0.1.0", False),
        (">=1.0,<2", "1.1.0rc1", True),  # pre-releases count
        (">=0.1,<0.2", "1.0.0", False),  # a 0.x module does not load on 1.0
        ("~=1.2", "1.9", True),
        ("~=1.2", "2.0", False),
        ("==0.1.*", "0.1.5", True),
    ],
)
def test_supports_checks_the_sdk_range(sdk: str, version: str, supported: bool) -> None:
    assert manifest(sdk=sdk).supports(version) is supported


def test_the_sdk_supports_its_own_plugins() -> None:
    assert manifest().supports(linli_sdk.__version__)


# --- command / query ---------------------------------------------------------------------


def test_command_infers_everything_from_the_handler() -> None:
    op = post_notice
    assert isinstance(op, Operation)
    assert op.name == "post-notice"
    assert op.kind is OperationKind.COMMAND
    assert op.input is In
    assert op.output is Out
    assert op.roles == {Role.LEADER}
    assert op.scope == "write"
    assert op.summary == "Post a notice to the board."
    assert op.description == "Pinned notices stay on top.\n\nAt most three may be pinned."


def test_query_defaults_to_the_read_scope_and_the_name_as_summary() -> None:
    op = list_notices
    assert op.kind is OperationKind.QUERY
    assert op.scope == "read"
    assert op.input is Empty
    assert op.summary == "list-notices"
    assert op.description == ""


def test_roles_scope_and_name_can_be_given() -> None:
    @command(Role.OPERATOR, Role.AUDITOR, scope="notices:admin", name="purge")
    async def purge_everything(ctx: Context[Any], data: Empty) -> Out:
        """Purge."""
        return Out(text="")

    assert purge_everything.name == "purge"
    assert purge_everything.roles == {Role.OPERATOR, Role.AUDITOR}
    assert purge_everything.scope == "notices:admin"


def test_an_operation_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        command()
    with pytest.raises(ValueError, match="at least one role"):
        query()


def test_a_handler_must_be_async() -> None:
    with pytest.raises(TypeError, match="'sync_handler' must be 'async def'"):

        @command(Role.MEMBER)  # type: ignore[arg-type]
        def sync_handler(ctx: Context[Any], data: In) -> Out:
            return Out(text="")


def test_a_handler_must_annotate_its_input() -> None:
    with pytest.raises(TypeError, match="the input type must be a pydantic model"):

        @command(Role.MEMBER)
        async def no_input_type(ctx, data) -> Out:  # type: ignore[no-untyped-def]
            return Out(text="")


def test_a_handler_must_annotate_its_return() -> None:
    with pytest.raises(TypeError, match="the return type must be a pydantic model"):

        @command(Role.MEMBER)
        async def no_return_type(ctx: Context[Any], data: In):  # type: ignore[no-untyped-def]
            return Out(text="")


@pytest.mark.parametrize("bad", [int, dict, str])
def test_types_must_be_pydantic_models(bad: type) -> None:
    async def wrong_input(ctx: Context[Any], data: Any) -> Out:
        return Out(text="")

    async def wrong_output(ctx: Context[Any], data: In) -> Any:
        return Out(text="")

    wrong_input.__annotations__["data"] = bad
    wrong_output.__annotations__["return"] = bad
    with pytest.raises(TypeError, match="the input type must be a pydantic model"):
        query(Role.MEMBER)(wrong_input)
    with pytest.raises(TypeError, match="the return type must be a pydantic model"):
        query(Role.MEMBER)(wrong_output)


def test_a_handler_takes_exactly_ctx_and_data() -> None:
    with pytest.raises(TypeError, match=r"expected \(ctx, data\)"):

        @command(Role.MEMBER)  # type: ignore[arg-type]
        async def three(ctx: Context[Any], data: In, extra: In) -> Out:
            return Out(text="")


def test_unresolvable_annotations_are_reported_clearly() -> None:
    class Local(BaseModel):
        x: int = 0

    with pytest.raises(TypeError, match="cannot resolve its annotations"):

        @command(Role.MEMBER)
        async def uses_local(ctx: Context[Any], data: Local) -> Out:
            return Out(text="")


@pytest.mark.parametrize("name", ["Post", "post_notice", "-post", "1post", "post notice", ""])
def test_a_bad_operation_name_is_refused(name: str) -> None:
    # An empty name falls back to the function's, so give one that is bad too.
    async def Bad_Handler(ctx: Context[Any], data: In) -> Out:
        return Out(text="")

    with pytest.raises(ValueError, match="invalid operation name"):
        command(Role.MEMBER, name=name)(Bad_Handler)


def test_a_function_name_that_cannot_become_an_operation_name_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid operation name 'Upper-Case'"):

        @command(Role.MEMBER)
        async def Upper_Case(ctx: Context[Any], data: In) -> Out:
            return Out(text="")


def _ctx() -> Context[Any]:
    m = manifest()
    community = Community(id=1, slug="c", name="C")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Context(
        community=community,
        module=m.name,
        caller=Caller(member_id=1),
        settings=Settings(),
        host=InMemoryHost(m, community, lambda: now),
        now=now,
    )


async def test_calling_an_operation_runs_its_handler() -> None:
    assert await post_notice(_ctx(), In(text="hi")) == Out(text="hi")


async def test_a_handler_returning_the_wrong_type_raises_type_error() -> None:
    @query(Role.MEMBER)
    async def liar(ctx: Context[Any], data: Empty) -> Out:
        return Other()  # type: ignore[return-value]

    with pytest.raises(TypeError, match="operation 'liar' returned Other, declared Out"):
        await liar(_ctx(), Empty())


async def test_a_subclass_of_the_output_is_accepted() -> None:
    class MoreOut(Out):
        extra: int = Field(default=1)

    @query(Role.MEMBER)
    async def richer(ctx: Context[Any], data: Empty) -> Out:
        return MoreOut(text="x")

    assert isinstance(await richer(_ctx(), Empty()), MoreOut)
