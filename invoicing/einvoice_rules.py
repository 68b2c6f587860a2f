"""Runs the official EN 16931 and Peppol BIS Billing 3.0 rules (compiled Schematron, XSLT 2.0).

The stylesheets are vendored in ``invoicing/standards/peppol`` (provenance in its README).
XSLT 2.0 needs Saxon: ``saxonche`` from PyPI when installed, else Debian's Saxon-HE jar
(``apt-get install libsaxonhe-java``) run by Java, one JVM for a whole batch of documents
(compiling the stylesheets is most of the cost).
"""

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

STANDARDS = Path(__file__).parent / "standards" / "peppol"
RULE_SETS = {
    "EN 16931 1.3.16": STANDARDS / "EN16931-UBL-validation.xslt",
    "Peppol BIS 3.0.19": STANDARDS / "PEPPOL-EN16931-UBL.xslt",
}
SAXON_JARS = (Path("/usr/share/java/Saxon-HE.jar"),)
SVRL = "http://purl.oclc.org/dsdl/svrl"


@dataclass(frozen=True)
class Failure:
    rule_set: str
    rule: str
    flag: str  # "fatal" or "warning"
    location: str
    text: str

    def __str__(self) -> str:
        return f"[{self.rule_set}] {self.flag} {self.rule} at {self.location}: {self.text}"


def _saxonche() -> Any:
    try:
        import saxonche
    except ImportError:
        return None
    return saxonche


def _saxon_jar() -> Path | None:
    if shutil.which("java") is None:
        return None
    return next((jar for jar in SAXON_JARS if jar.exists()), None)


def runtime() -> str | None:
    """Which XSLT 2.0 runtime is available ("saxonche", "java"), or None."""
    if _saxonche() is not None:
        return "saxonche"
    if _saxon_jar() is not None:
        return "java"
    return None


def count_rules() -> dict[str, int]:
    """How many assertions (rules) each rule set checks."""
    counts = {}
    for name, path in RULE_SETS.items():
        tree = etree.parse(str(path))
        counts[name] = len(tree.xpath("//svrl:failed-assert", namespaces={"svrl": SVRL}))
    return counts


def _failures(rule_set: str, svrl: bytes) -> list[Failure]:
    report = etree.fromstring(svrl)
    found = []
    for element in report.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        found.append(
            Failure(
                rule_set=rule_set,
                rule=element.get("id", ""),
                flag=element.get("flag", "fatal"),
                location=element.get("location", ""),
                text=" ".join(element.findtext(f"{{{SVRL}}}text", "").split()),
            )
        )
    return found


def validate_many(documents: dict[str, bytes]) -> dict[str, list[Failure]]:
    """Every rule set over every document: {name: failures}. RuntimeError without a runtime."""
    results: dict[str, list[Failure]] = {name: [] for name in documents}
    kind = runtime()
    if kind is None:
        raise RuntimeError("No XSLT 2.0 runtime: pip install saxonche, or apt-get install libsaxonhe-java")
    if kind == "saxonche":
        saxonche = _saxonche()
        with saxonche.PySaxonProcessor(license=False) as processor:
            xslt = processor.new_xslt30_processor()
            for rule_set, path in RULE_SETS.items():
                executable = xslt.compile_stylesheet(stylesheet_file=str(path))
                for name, content in documents.items():
                    node = processor.parse_xml(xml_text=content.decode("utf-8"))
                    output = executable.transform_to_string(xdm_node=node)
                    results[name] += _failures(rule_set, output.encode("utf-8"))
        return results
    jar = _saxon_jar()
    with tempfile.TemporaryDirectory(prefix="einvoice-rules-") as tmp:
        source = Path(tmp) / "in"
        source.mkdir()
        for index, content in enumerate(documents.values()):
            (source / f"{index:05d}.xml").write_bytes(content)
        for number, (rule_set, path) in enumerate(RULE_SETS.items()):
            target = Path(tmp) / f"out{number}"
            target.mkdir()
            subprocess.run(
                [
                    "java",
                    "-cp",
                    str(jar),
                    "net.sf.saxon.Transform",
                    f"-s:{source}",
                    f"-xsl:{path}",
                    f"-o:{target}",
                    "-warnings:silent",
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
            for index, name in enumerate(documents):
                results[name] += _failures(rule_set, (target / f"{index:05d}.xml").read_bytes())
    return results


def validate(document: bytes) -> list[Failure]:
    return validate_many({"document": document})["document"]
