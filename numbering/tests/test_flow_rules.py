"""One rule set for saving and for the hand-over: what a save accepts, the ``callflow/v1`` export accepts, and
the other way round. Property-style: flows generated from a seeded random source (steps of every type, targets
among the flow's steps and beyond, hours, holidays, special days, each value usually sound and sometimes not)."""

import copy
import random

import pytest
from django.core.management import call_command
from django.utils import translation

from numbering import callflow_schema, export, flows
from numbering.models import CallFlowVersion
from numbering.tests.factories import CallFlowVersionFactory, SubscriptionFactory, flow_document

IDS = {11, 12, 13}
ENVELOPE = {
    "format": export.FORMAT,
    "company": {"name": "Alfa ApS", "cvr": "12345678"},
    "main_number": "+4533150000",
    "version": 1,
    "saved_at": "2026-12-06T10:00:00+01:00",
}
ABSENT = object()


def pick(rng: random.Random, good: list, bad: list, p_bad: float = 0.04):
    return rng.choice(bad) if bad and rng.random() < p_bad else rng.choice(good)


def periods(rng: random.Random) -> list:
    good = [[], [["08:00", "16:00"]], [["08:00", "12:00"], ["12:30", "16:00"]], [["00:00", "23:59"]]]
    bad = [
        [["8:00", "16:00"]],
        [["16:00", "08:00"]],
        [["08:00", "12:00"], ["11:00", "13:00"]],
        [["08:00"]],
        [["08:00", "16:00", "17:00"]],
        [["08.00", "16:00"]],
        "08:00-16:00",
        [["24:00", "24:30"]],
        [[800, 1600]],
    ]
    return copy.deepcopy(pick(rng, good, bad, 0.03))


def step(rng: random.Random, kind: str, keys: list[str]) -> dict:
    target = lambda: pick(rng, keys, ["", "nowhere", None, 5, "Bad Key", ["x"]])  # noqa: E731
    optional_target = lambda: pick(rng, [*keys, ""], ["nowhere", None, 7])  # noqa: E731
    dest: dict = {"type": pick(rng, [kind], ["teleport", None], 0.02), "name": pick(rng, ["Reception", ""], [5, None])}
    if kind == "ring_group":
        dest |= {
            "members": pick(rng, [[11], [11, 12], [13, 12, 11]], [[], [11, 999], [True], ["11"], [11, 11], [0], 11]),
            "strategy": pick(rng, ["simultaneous", "in_order", "round_robin"], ["random", None, ""]),
            "ring_time": pick(rng, [5, 20, 300], [4, 301, True, "20", None, 2.5]),
            "overflow": optional_target(),
        }
    elif kind == "ivr":
        digits = rng.sample(["1", "2", "3", "9", "0", "*", "#"], rng.randint(1, 3))
        dest |= {
            "greeting": pick(rng, ["Tast 1 for salg"], ["", "   ", 5, None]),
            "options": pick(
                rng,
                [{d: rng.choice(keys) for d in digits}],
                [{}, {"12": keys[0]}, {"a": keys[0]}, {"1": ""}, {"1": "nowhere"}, {"1": 3}, [keys[0]]],
            ),
            "timeout": pick(rng, [1, 5, 60], [0, 61, True, "5", None]),
            "max_tries": pick(rng, [1, 3, 5, ABSENT], [0, 6, False, "2"]),
            "timeout_dest": target(),
            "invalid_dest": pick(rng, [*keys, "", ABSENT], ["nowhere", None, 7]),
        }
    elif kind == "voicemail":
        dest["email"] = pick(
            rng,
            ["post@alfa.dk", "it@alfa.dk"],
            ["not-an-email", '"a b"@alfa.dk', '"a@b"@alfa.dk', "a@b@c.dk", 5, "", " post@alfa.dk"],
        )
    elif kind == "announcement":
        dest["text"] = pick(rng, ["Vi har lukket."], ["", "  ", None, 5])
    elif kind == "forward":
        dest["number"] = pick(
            rng,
            ["+4520123456", "+4570101010", "4520123456"],
            ["20 12 34 56", "12", "+45 20123456", 4520123456, "+4500000000", "+4520123456\n"],
        )
    elif kind == "time_condition":
        dest |= {route: target() for route, _label in flows.ROUTES}
    return {k: v for k, v in dest.items() if v is not ABSENT}


def generate(rng: random.Random) -> dict:
    count = rng.randint(1, 6)
    keys = [pick(rng, [f"step-{i}"], ["Bad Key", "menu\n", "-x", ""], 0.02) for i in range(count)]
    kinds = [rng.choice(list(flows.DESTINATION_CHECKS)) for _ in keys]
    document = {
        "timezone": pick(rng, [flows.TIMEZONE], ["Europe/Oslo", None], 0.02),
        "hours": {str(d): periods(rng) for d in range(7)},
        "holidays": pick(
            rng,
            [{"observe": True, "off": []}, {"observe": False, "off": ["2026-05-14"], "on": ["2026-12-24"]}],
            [
                {"off": []},
                {"observe": "yes"},
                {"observe": True, "off": ["2026-5-14"]},
                {"observe": True, "on": "2026-12-24"},
                [],
            ],
            0.03,
        ),
        "special_days": pick(
            rng,
            [
                [],
                [{"date": "2026-12-23", "label": "Lillejuleaften", "periods": [["08:00", "12:00"]]}],
                [{"date": "2026-12-31", "periods": []}],
            ],
            [
                ABSENT,
                [{"date": "20261223", "periods": []}],
                [{"date": "2026-12-23"}],
                [{"date": "2026-12-23", "label": 5, "periods": []}],
                [{"date": "2026-12-23", "periods": []}, {"date": "2026-12-23", "periods": []}],
                [{"date": "2026-13-01", "periods": []}],
                {},
            ],
            0.03,
        ),
        "routes": {route: pick(rng, keys, ["", "nowhere", None, ["x"]], 0.03) for route, _label in flows.ROUTES},
        "destinations": {key: step(rng, kind, keys) for key, kind in zip(keys, kinds, strict=True)},
    }
    if rng.random() < 0.02:
        document.pop(rng.choice(list(document)))
    if rng.random() < 0.01:
        document["hours"].pop("6", None)
    return {k: v for k, v in document.items() if v is not ABSENT}


CASES = 800


@pytest.mark.parametrize("language", ["en", "da"])
def test_saving_and_the_export_accept_the_same_generated_flows(language):
    rng = random.Random(20261206)
    valid = 0
    with translation.override(language):
        for n in range(CASES):
            document = generate(rng)
            problems = flows.check(document, subscription_ids=IDS)
            exported = export.problems({**ENVELOPE, "flow": document}, subscription_ids=IDS)
            assert (problems == []) == (exported == []), (n, document, problems, exported)
            # The rules word everything the schema refuses: no problem is left to the schema's plain wording...
            assert [p for p in problems if p.generic] == [], (n, document, problems)
            # ... and the schema alone is never stricter than the rules.
            if not problems:
                assert callflow_schema.flow_failures(document) == [], (n, document)
            valid += not problems
    # Not a vacuous property: both sides of it are generated often.
    assert CASES * 0.15 < valid < CASES * 0.85, valid


def test_every_problem_is_on_its_step_and_field():
    document = flow_document([11, 12])
    document["destinations"]["menu"]["timeout"] = True  # an integer to Python, not to the schema
    document["destinations"]["mobile"]["number"] = "20 12 34 56"
    document["destinations"]["voicemail"]["email"] = '"post box"@alfa.dk'
    document["hours"]["2"] = [["8:00", "16:00"]]
    document["holidays"] = {"off": []}
    places = {(p.step, p.field) for p in flows.check(document, subscription_ids={11, 12})}
    assert places == {
        ("menu", "timeout"),
        ("mobile", "number"),
        ("voicemail", "email"),
        (None, "hours.2"),
        (None, "holidays"),
    }
    problems = flows.step_problems(document, subscription_ids={11, 12})
    assert problems.fields["mobile"]["number"] == ["Forward “Vagt” needs a valid phone number."]
    with translation.override("da"):
        danish = flows.step_problems(document, subscription_ids={11, 12})
    assert danish.fields["mobile"]["number"] != problems.fields["mobile"]["number"]
    assert "Vagt" in danish.fields["mobile"]["number"][0]


def test_the_export_names_the_place_of_a_rule_the_schema_cannot_say():
    document = flow_document([11, 12])
    document["destinations"]["sales"]["overflow"] = "gone"  # a valid key to the schema, but no such step
    payload = {**ENVELOPE, "flow": document}
    assert callflow_schema.failures(payload, export.schema(), export.schema()) == []
    assert export.problems(payload) == [
        "flow.destinations.sales.overflow: “Salg” leads to “gone” (overflow), which does not exist."
    ]
    document["destinations"]["sales"]["overflow"] = "voicemail"
    assert export.problems(payload) == []
    assert export.problems(payload, subscription_ids={11}) == [
        "flow.destinations.sales.members: Ring group “Salg” rings a subscription that is not your company's."
    ]


@pytest.mark.django_db
def test_provisioning_refuses_to_send_an_export_the_rules_refuse(personas, settings):
    settings.CALLFLOW_PLATFORM = "numbering.tests.test_flow_rules.record"
    RECORDED.clear()
    member = SubscriptionFactory(company=personas.company_a)
    document = flow_document([member.pk])
    document["destinations"]["mobile"]["number"] = "20 12 34 56"  # saved before the rules were this strict
    version = CallFlowVersionFactory(company=personas.company_a, document=document)
    from numbering.provisioning import provision

    assert provision(version.pk) == "failed"
    version.refresh_from_db()
    assert RECORDED == []  # nothing reached the platform
    assert version.provisioning_reason.startswith("Not sent: the export does not pass the selfservice.callflow/v1")
    assert "flow.destinations.mobile.number" in version.provisioning_reason


RECORDED: list = []


def record(payload):
    RECORDED.append(payload)


@pytest.mark.django_db
def test_provisioning_sends_a_valid_export(personas, settings):
    settings.CALLFLOW_PLATFORM = "numbering.tests.test_flow_rules.record"
    RECORDED.clear()
    member = SubscriptionFactory(company=personas.company_a)
    version = CallFlowVersionFactory(company=personas.company_a, document=flow_document([member.pk]))
    from numbering.provisioning import provision

    assert provision(version.pk) == "active"
    assert [p["version"] for p in RECORDED] == [version.version]


@pytest.mark.django_db
def test_no_saved_flow_in_the_demo_breaks_the_rules(capsys):
    call_command("seed_demo", "--tickets", "2", "--subscriptions", "5", "--quiet-logins", stdout=None)
    assert CallFlowVersion.all_companies.exists()
    call_command("check_call_flows")
    assert "All saved call flows pass the rules" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_data_check_lists_a_saved_flow_the_rules_refuse(personas):
    from django.core.management.base import CommandError

    document = flow_document([SubscriptionFactory(company=personas.company_a).pk])
    document["destinations"]["voicemail"]["email"] = '"post box"@alfa.dk'
    CallFlowVersionFactory(company=personas.company_a, document=document)
    with pytest.raises(CommandError, match="1 saved call flow"):
        call_command("check_call_flows")
