"""The hand-over to the network: a saved call flow version as a ``selfservice.callflow/v1`` document.

The format is described by the JSON Schema ``numbering/schemas/callflow-v1.schema.json`` (published with the
repository, so the platform team can validate on their side; the validator is ``numbering.callflow_schema``).
Every export is checked before it leaves: ``problems`` answers with the schema's complaints and the flow's own
rules (``numbering.flows.check``, the same rules a save runs), [] when the export is valid.
"""

import zoneinfo
from typing import Any

from companies.models import Company
from numbering import callflow_schema, flows
from numbering.callflow_schema import SCHEMA_PATH, schema
from numbering.models import CallFlowVersion

__all__ = ["FORMAT", "MEDIA_TYPE", "SCHEMA_PATH", "export", "problems", "schema"]

FORMAT = "selfservice.callflow/v1"
MEDIA_TYPE = "application/vnd.selfservice.callflow.v1+json"


def export(version: CallFlowVersion, *, company: Company, main_number: str | None) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "company": {"name": company.name, "cvr": company.cvr},
        "main_number": main_number,
        "version": version.version,
        "saved_at": version.created_at.astimezone(zoneinfo.ZoneInfo(flows.TIMEZONE)).isoformat(),
        "flow": version.document,
    }


def problems(payload: Any, *, subscription_ids: set[int] | None = None) -> list[str]:
    """The places where ``payload`` breaks the format (``flow.destinations.menu.timeout: ...``): the schema's
    failures, then the flow's rules that the schema cannot say (a dangling target, a loop, a member who is not
    the company's when ``subscription_ids`` is given), each once."""
    root = schema()
    failures = callflow_schema.failures(payload, root, root)
    out = [str(failure) for failure in failures]
    flow = payload.get("flow") if isinstance(payload, dict) else None
    if isinstance(flow, dict):
        places = [f.path[1:] for f in failures if f.path[:1] == ("flow",)]
        for problem in flows.check(flow, subscription_ids=subscription_ids):
            if not problem.generic and not any(flows.covers(problem, *flows.schema_place(p)) for p in places):
                out.append(f"flow.{problem.where}: {problem.message}")
    return out
