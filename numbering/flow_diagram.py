"""The call flow as a picture: a layered diagram (server-rendered SVG) and the same flow as a text outline.

``layout`` places the steps top-down in the order a call meets them: the incoming call, the opening hours,
then each step one row below the first step that leads to it. Steps no call reaches go in a last row, marked.
Edges going down are curves; edges going back up (a menu played again, a loop) run along the right-hand side.
``highlight`` marks a simulated call's path (numbered in the order the call takes it).

Pure Python, no database: the view passes the document, the members' names and the simulated path.
"""

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from numbering import flows

NODE_W = 184
NODE_H = 58
GAP_X = 28
GAP_Y = 78
MARGIN = 16
SIDE = 72  # room on the right for edges that go back up
MAX_LABEL = 24

CALL = "__call__"
HOURS = "__hours__"

EDGE_LABELS = {
    "overflow": gettext_lazy("no answer"),
    "timeout": gettext_lazy("no choice"),
    "invalid": gettext_lazy("wrong key"),
    "open": gettext_lazy("open"),
    "closed": gettext_lazy("closed"),
    "holiday": gettext_lazy("holiday"),
}


def edge_label(field_name: str) -> str:
    if field_name in EDGE_LABELS:
        return str(EDGE_LABELS[field_name])
    return _("key %(digit)s") % {"digit": field_name}


def short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


@dataclass
class Node:
    key: str
    label: str
    kind: str  # a destination type, or "call" / "hours"
    kind_label: str
    x: int = 0
    y: int = 0
    unreachable: bool = False
    problems: int = 0
    visit: list[int] = field(default_factory=list)  # the simulated call's step numbers here

    @property
    def short_label(self) -> str:
        return short(self.label)

    @property
    def cx(self) -> int:
        return self.x + NODE_W // 2

    @property
    def visit_text(self) -> str:
        return ", ".join(str(n) for n in self.visit)


@dataclass
class Edge:
    source: str
    target: str
    label: str
    path: str = ""
    label_x: int = 0
    label_y: int = 0
    anchor: str = "middle"  # the label's text-anchor
    taken: bool = False


@dataclass
class Diagram:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int
    node_w: int = NODE_W
    node_h: int = NODE_H

    def node(self, key: str) -> Node | None:
        return next((n for n in self.nodes if n.key == key), None)


def _edges(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(source, target, label) of every edge, same source and target merged into one label."""
    destinations = document.get("destinations") or {}
    raw: list[tuple[str, str, str]] = [(CALL, HOURS, "")]
    for route, _label in flows.ROUTES:
        target = str((document.get("routes") or {}).get(route) or "")
        if target in destinations:
            raw.append((HOURS, target, edge_label(route)))
    for key, dest in destinations.items():
        for field_name, target, _choice in flows._targets(dest if isinstance(dest, dict) else {}):
            if target in destinations:
                raw.append((key, target, edge_label(field_name)))
    merged: dict[tuple[str, str], list[str]] = {}
    for source, target, label in raw:
        merged.setdefault((source, target), [])
        if label and label not in merged[(source, target)]:
            merged[(source, target)].append(label)
    return [(s, t, ", ".join(labels)) for (s, t), labels in merged.items()]


def _forward_edges(order: list[str], edges: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """The edges less those that close a cycle (found depth first: an edge back to a step on the current path)."""
    outgoing: dict[str, list[str]] = {k: [] for k in order}
    for source, target, _label in edges:
        if source in outgoing and target in outgoing and source != target:
            outgoing[source].append(target)
    forward: list[tuple[str, str]] = []
    state: dict[str, int] = {}

    def visit(node: str) -> None:
        state[node] = 1
        for target in outgoing[node]:
            if state.get(target) != 1:
                forward.append((node, target))
                if target not in state:
                    visit(target)
        state[node] = 2

    visit(CALL)
    return forward


def _rows(document: dict[str, Any], edges: list[tuple[str, str, str]]) -> dict[int, list[str]]:
    """Each step one row below the lowest step that leads to it (longest path, so arrows point down); within a
    row, steps sit under the steps that lead to them (fewer crossings). The unreachable steps: a last row."""
    order = [CALL, HOURS, *flows.reachable(document)]
    forward = _forward_edges(order, edges)
    row = {CALL: 0}
    for _round in range(len(order)):  # longest path over the acyclic edges (a few dozen steps: relaxation)
        longer = [(s, t) for s, t in forward if s in row and row.get(t, -1) < row[s] + 1]
        for source, target in longer:
            row[target] = max(row.get(target, -1), row[source] + 1)
        if not longer:
            break
    rows: dict[int, list[str]] = {}
    for key in order:
        rows.setdefault(row.get(key, 1), []).append(key)
    position: dict[str, float] = {}
    for r in sorted(rows):
        parents = {k: [position[s] for s, t in forward if t == k and s in position] for k in rows[r]}
        rows[r].sort(key=lambda k: sum(parents[k]) / len(parents[k]) if parents[k] else 0)
        position |= {key: i - (len(rows[r]) - 1) / 2 for i, key in enumerate(rows[r])}
    unreachable = [k for k in (document.get("destinations") or {}) if k not in row]
    if unreachable:
        rows[max(rows) + 1] = unreachable
    return rows


def layout(document: dict[str, Any], *, problems: dict[str, list[str]] | None = None) -> Diagram:
    destinations = document.get("destinations") or {}
    types = dict(flows.DESTINATION_TYPES)
    names = flows.destination_names(document)
    edges = _edges(document)
    rows = _rows(document, edges)
    unreachable = [k for k in destinations if k not in flows.reachable(document)]
    widest = max(len(keys) for keys in rows.values())
    inner = widest * NODE_W + (widest - 1) * GAP_X
    width = inner + 2 * MARGIN + SIDE
    nodes: dict[str, Node] = {}
    for r, keys in sorted(rows.items()):
        span = len(keys) * NODE_W + (len(keys) - 1) * GAP_X
        left = MARGIN + (inner - span) // 2
        for i, key in enumerate(keys):
            if key == CALL:
                node = Node(key, _("Incoming call"), "call", _("Main number"))
            elif key == HOURS:
                node = Node(key, _("Opening hours"), "hours", _("Open, closed or holiday?"))
            else:
                dest = destinations[key] if isinstance(destinations[key], dict) else {}
                kind = str(dest.get("type", ""))
                node = Node(key, names.get(key, key), kind, str(types.get(kind, "?")))
                node.unreachable = key in unreachable
                node.problems = len((problems or {}).get(key, []))
            node.x, node.y = left + i * (NODE_W + GAP_X), MARGIN + r * (NODE_H + GAP_Y)
            nodes[key] = node
    height = MARGIN * 2 + (max(rows) + 1) * (NODE_H + GAP_Y) - GAP_Y
    placed, lanes = [], 0
    for s, t, label in edges:
        placed.append(_route(nodes[s], nodes[t], label, inner + MARGIN, lanes))
        lanes += int(nodes[t].y < nodes[s].y or (nodes[t].y == nodes[s].y and s != t))
    return Diagram(nodes=list(nodes.values()), edges=placed, width=width, height=height)


def _route(a: Node, b: Node, label: str, right: int, lane_index: int = 0) -> Edge:
    edge = Edge(a.key, b.key, label)
    if b.y > a.y:  # downwards: a curve from the bottom of a to the top of b
        x1, y1, x2, y2 = a.cx, a.y + NODE_H, b.cx, b.y
        bend = (y2 - y1) / 2
        edge.path = f"M{x1},{y1} C{x1},{y1 + bend:.0f} {x2},{y2 - bend:.0f} {x2},{y2 - 6}"
        # The label sits a third of the way down, where the curves from one step still run apart.
        t = 0.5
        edge.label_x = round(_bezier(x1, x1, x2, x2, t))
        edge.label_y = round(_bezier(y1, y1 + bend, y2 - bend, y2, t))
        return edge
    if a.key == b.key:  # to itself (a menu played again): a small loop over its top right corner
        x1, x2, y = a.x + NODE_W - 56, a.x + NODE_W - 20, a.y
        edge.path = f"M{x1},{y} C{x1},{y - 34} {x2},{y - 34} {x2},{y - 6}"
        edge.label_x, edge.label_y, edge.anchor = x2 + 6, y - 20, "start"
        return edge
    # Back up (a cycle the caller chooses): out of a's right side, up the right margin, into b from above.
    lane = right + 20 + 10 * lane_index
    x1, y1 = a.x + NODE_W, a.y + NODE_H // 2
    tx, ty = b.x + NODE_W - 24, b.y - 18
    edge.path = f"M{x1},{y1} L{lane},{y1} L{lane},{ty} L{tx},{ty} L{tx},{b.y - 6}"
    edge.label_x, edge.label_y = lane - 8, round((y1 + ty) / 2)
    return edge


def _bezier(p0: float, p1: float, p2: float, p3: float, t: float) -> float:
    u = 1 - t
    return u**3 * p0 + 3 * u**2 * t * p1 + 3 * u * t**2 * p2 + t**3 * p3


def highlight(diagram: Diagram, path: flows.CallPath | None) -> Diagram:
    """Marks the steps and edges a simulated call takes, numbering the steps in its order."""
    if path is None:
        return diagram
    visited = [CALL, HOURS]
    for step in path.steps:
        if step.destination != visited[-1]:
            visited.append(step.destination)
    for number, key in enumerate(visited, start=1):
        node = diagram.node(key)
        if node is not None:
            node.visit.append(number)
    taken = set(itertools.pairwise(visited))
    for edge in diagram.edges:
        edge.taken = (edge.source, edge.target) in taken
    return diagram


def path_keys(path: flows.CallPath | None) -> list[str]:
    """The steps a simulated call visits, in order, each once per visit."""
    keys: list[str] = []
    for step in path.steps if path else []:
        if not keys or keys[-1] != step.destination:
            keys.append(step.destination)
    return keys


# -- the text outline -------------------------------------------------------------------------------------


@dataclass
class OutlineStep:
    key: str
    name: str
    kind: str
    detail: str
    leads: list[tuple[str, str, str]]  # (edge label, target key, target name)
    unreachable: bool = False


def outline(document: dict[str, Any], member_names: dict[int, str]) -> list[OutlineStep]:
    """The steps in the order a call meets them (the unreachable last), each with what it does and where it leads."""
    from numbering.flow_document import describe_destinations

    destinations = document.get("destinations") or {}
    names = flows.destination_names(document)
    rows = {r["key"]: r for r in describe_destinations(document, member_names)}
    order = flows.reachable(document)
    missing = [k for k in destinations if k not in order]
    steps = []
    for key in [*order, *missing]:
        dest = destinations[key] if isinstance(destinations[key], dict) else {}
        leads = [(edge_label(f), t, names.get(t, t)) for f, t, _c in flows._targets(dest)]
        row = rows.get(key, {})
        steps.append(
            OutlineStep(
                key, names.get(key, key), str(row.get("type", "")), str(row.get("detail", "")), leads, key in missing
            )
        )
    return steps


def entry(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(route in words, target key, target name) for open, closed and holiday."""
    names = flows.destination_names(document)
    routes = document.get("routes") or {}
    return [(str(label), routes.get(r, ""), names.get(routes.get(r, ""), "")) for r, label in flows.ROUTES]
