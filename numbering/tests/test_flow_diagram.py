"""The diagram's layout: pure, no database."""

from numbering import flow_diagram, flows
from numbering.tests.factories import flow_document


def test_every_arrow_points_down_except_a_cycle_the_caller_chooses():
    document = flow_document([1, 2])
    diagram = flow_diagram.layout(document)
    y = {n.key: n.y for n in diagram.nodes}
    # Voicemail is reached from the hours and from the ring group: it sits below both.
    assert y["voicemail"] > y["sales"] > y["menu"] > y[flow_diagram.HOURS] > y[flow_diagram.CALL]
    upward = [(e.source, e.target) for e in diagram.edges if y[e.target] < y[e.source]]
    assert upward == []
    assert ("menu", "menu") in {(e.source, e.target) for e in diagram.edges}  # a wrong key plays it again


def test_an_unreachable_step_sits_in_a_last_row_marked():
    document = flow_document([1])
    document["destinations"]["orphan"] = {"type": "announcement", "name": "Gammel", "text": "x"}
    diagram = flow_diagram.layout(document)
    orphan = diagram.node("orphan")
    assert orphan is not None and orphan.unreachable
    assert orphan.y == max(n.y for n in diagram.nodes)


def test_a_simulated_call_is_numbered_in_its_order():
    document = flow_document([1])
    import datetime

    path = flows.simulate(document, datetime.datetime(2026, 12, 1, 10, 0), "1")
    diagram = flow_diagram.highlight(flow_diagram.layout(document), path)
    visits = {n.key: n.visit for n in diagram.nodes if n.visit}
    assert visits == {"__call__": [1], "__hours__": [2], "menu": [3], "sales": [4], "voicemail": [5]}
    assert {(e.source, e.target) for e in diagram.edges if e.taken} == {
        ("__call__", "__hours__"),
        ("__hours__", "menu"),
        ("menu", "sales"),
        ("sales", "voicemail"),
    }
