"""JUnit XML of a scenario report, for CI test-report viewers.

One ``<testcase>`` per (scenario, check): ``classname`` is the scenario,
``name`` the check (``planned`` when no ``--fail-if`` was given: it passes when
the scenario could be planned). A failing check carries a ``<failure>`` with
the message naming the breach.
"""

from __future__ import annotations

from xml.etree import ElementTree

SUITE_NAME = "pmo-tui scenarios"


def render_junit(document: dict) -> str:
    """The report's checks as a JUnit XML document (UTF-8 text with declaration)."""
    checks = document["checks"]
    failures = sum(1 for check in checks if not check["passed"])
    suites = ElementTree.Element("testsuites", name=SUITE_NAME)
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name=SUITE_NAME,
        tests=str(len(checks)),
        failures=str(failures),
        errors="0",
        skipped="0",
        timestamp=document["generated_at"],
    )
    properties = ElementTree.SubElement(suite, "properties")
    ElementTree.SubElement(
        properties, "property", name="solver_version", value=document["solver_version"]
    )
    for table, values in document["settings"].items():
        for key, value in values.items():
            ElementTree.SubElement(properties, "property", name=f"{table}.{key}", value=str(value))
    for check in checks:
        case = ElementTree.SubElement(
            suite, "testcase", classname=check["scenario"], name=check["check"], time="0"
        )
        if not check["passed"]:
            failure = ElementTree.SubElement(
                case, "failure", message=check["message"], type="threshold"
            )
            failure.text = check["message"]
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        suites, encoding="unicode"
    )
