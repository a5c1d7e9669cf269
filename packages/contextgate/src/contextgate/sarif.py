"""The gate's outcome as SARIF 2.1.0, the format code-scanning UIs read.

One rule per check (and one for the ratchet). New violations and stale ratchet entries
are errors; tolerated ones are kept as results suppressed by the ratchet, so a UI shows
them as accepted debt rather than hiding them.
"""

from __future__ import annotations

import json
from typing import Any

from contextgate import __version__, ratchet
from contextgate.gate import Outcome
from contextgate.reports import TOLERATED, statuses

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
GUIDE = "the README of contextgate (its Checks section)"


def as_sarif(outcome: Outcome) -> str:
    rules = [(check.id, check.title) for check in outcome.checks]
    rules.append((ratchet.CHECK, "Ratchet entries still match a violation"))
    index = {rule_id: n for n, (rule_id, _) in enumerate(rules)}
    results = []
    for status, violation in statuses(outcome):
        result: dict[str, Any] = {
            "ruleId": violation.check,
            "ruleIndex": index[violation.check],
            "level": "error",
            "message": {"text": f"{violation.message} Fix: {violation.hint}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": violation.file},
                        "region": {"startLine": max(violation.line, 1)},
                    }
                }
            ],
            "partialFingerprints": {
                "architectureKey/v1": "|".join((violation.context, *violation.key))
            },
            "properties": {"context": violation.context, "status": status},
        }
        if status == TOLERATED:
            result["suppressions"] = [
                {"kind": "external", "justification": f"listed in {ratchet.FILENAME}"}
            ]
        results.append(result)
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "contextgate",
                        "version": __version__,
                        "rules": [
                            {
                                "id": rule_id,
                                "name": rule_id,
                                "shortDescription": {"text": title},
                                "help": {
                                    "text": f"See {GUIDE} for what it catches and how to fix it."
                                },
                                "defaultConfiguration": {"level": "error"},
                            }
                            for rule_id, title in rules
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2)
