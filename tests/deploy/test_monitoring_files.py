"""The monitoring files under deploy/: Prometheus's alert rules and scrape config, Grafana's
dashboard (docs/operations.md, Monitoring: Prometheus and Grafana).

promtool (Debian's `prometheus` package, scripts/install-promtool) checks the rules and the
config, runs the rules' unit tests (deploy/prometheus/alerts_test.yml: each alert fires on a
sample series and stays silent on a healthy one) and parses the dashboard's queries. Without
promtool those tests skip, unless SHOP_TEST_REQUIRE_PROMTOOL=1 (CI), where they fail.

Every metric a rule or a panel reads must be one the shop exports: the names are taken out of
the PromQL and compared with the families of a real GET /metrics, so a renamed metric fails
here rather than on an operator's empty dashboard.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient
from tests.docs.test_links import anchors

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS / "alerts.yml"
CONFIG = PROMETHEUS / "prometheus.yml"
RULES_TEST = PROMETHEUS / "alerts_test.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "shop.json"
OPERATIONS = ROOT / "docs" / "operations.md"
INSTALL_HINT = "run scripts/install-promtool (as root), or apt-get install prometheus"

# The series a scrape adds to every target, besides what /metrics answers.
SCRAPE_SERIES = {"up"}
# Only a single-process scrape has them: with PROMETHEUS_MULTIPROC_DIR, as the image and
# `make run-prod` run, /metrics answers without them, so no rule or panel may use them.
SINGLE_PROCESS_ONLY = ("process_", "python_")
# The series each type of family is scraped as.
SERIES_OF = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("", "_sum", "_count"),
    "info": ("_info",),
    "unknown": ("",),
}
PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan",
}  # fmt: skip
# Grafana's variables and what a query is checked with in their place.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$job": "shop", "${context}": ".+"}


def promtool() -> str:
    binary = shutil.which("promtool")
    if binary:
        return binary
    if os.environ.get("SHOP_TEST_REQUIRE_PROMTOOL") == "1":
        pytest.fail(
            f"promtool is required (SHOP_TEST_REQUIRE_PROMTOOL=1) but missing: {INSTALL_HINT}"
        )
    pytest.skip(f"needs promtool: {INSTALL_HINT}")


def run_promtool(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run([promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def rules() -> list[dict]:
    return [
        rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
    ]


def panel_queries() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    queries = [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            # label_values(selector, label): the selector is the query.
            call = re.fullmatch(r"label_values\((.*),\s*\w+\)", variable["query"]["query"])
            assert call, variable["query"]
            queries.append(call[1])
    return queries


def grafana_free(query: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        query = query.replace(variable, value)
    assert "$" not in query.replace('"$1"', ""), f"a Grafana variable left in {query}"
    return query


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (not its functions, labels or keywords)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings: label values, regexes
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    text = re.sub(
        r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text
    )  # label lists
    tokens = re.findall(r"(?<![\w:.$])([a-zA-Z_:][\w:]*)(\s*\()?", text)
    return {name for name, call in tokens if not call} - PROMQL_WORDS


def exported_series() -> set[str]:
    """The series names GET /metrics answers with, from the families a real scrape lists."""
    response = APIClient().get("/metrics")
    assert response.status_code == 200, response.content[:2000]
    series = set(SCRAPE_SERIES)
    for family in text_string_to_metric_families(response.content.decode()):
        if family.name.startswith(SINGLE_PROCESS_ONLY):
            continue
        series.update(family.name + suffix for suffix in SERIES_OF[family.type])
    return series


def test_the_alert_rules_pass_promtools_check():
    output = run_promtool("check", "rules", str(RULES.relative_to(ROOT)))
    assert f"SUCCESS: {len(rules())} rules found" in output


def test_the_example_scrape_config_and_the_rules_it_loads_pass_promtools_check(tmp_path):
    # rule_files are relative to the config's directory, wherever promtool runs.
    output = run_promtool("check", "config", str(CONFIG), cwd=tmp_path)
    assert "SUCCESS: 1 rule files found" in output
    assert f"SUCCESS: {len(rules())} rules found" in output


def test_each_alert_fires_on_its_sample_series_and_stays_silent_on_a_healthy_one():
    tested = {
        case["alertname"]
        for test in yaml.safe_load(RULES_TEST.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    }
    assert tested == {rule["alert"] for rule in rules()}
    run_promtool("test", "rules", str(RULES_TEST.relative_to(ROOT)))


def test_every_dashboard_query_is_valid_promql(tmp_path):
    # promtool parses each query as the expression of a recording rule.
    parsed = tmp_path / "dashboard_queries.yml"
    records = [
        {"record": f"dashboard:query_{index}", "expr": grafana_free(query)}
        for index, query in enumerate(panel_queries())
    ]
    parsed.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": records}]}))
    output = run_promtool("check", "rules", str(parsed))
    assert f"SUCCESS: {len(records)} rules found" in output


@pytest.mark.django_db(databases="__all__")
def test_every_metric_the_rules_and_the_dashboard_read_is_one_the_shop_exports(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    exported = exported_series()
    read = {
        source: metric_names(grafana_free(expr))
        for source, expr in [
            *((f"alerts.yml {rule['alert']}", rule["expr"]) for rule in rules()),
            *((f"shop.json {query}", query) for query in panel_queries()),
        ]
    }
    assert all(read.values()), [source for source, names in read.items() if not names]
    unknown = {
        source: sorted(names - exported) for source, names in read.items() if names - exported
    }
    assert unknown == {}, f"not in GET /metrics: {unknown}"


def test_the_dashboard_takes_its_data_source_from_a_variable():
    dashboard = json.loads(DASHBOARD.read_text())
    variables = {variable["name"]: variable for variable in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    uses = [
        item["datasource"]
        for panel in dashboard["panels"]
        if panel["type"] != "row"
        for item in [panel, *panel["targets"]]
    ] + [variable["datasource"] for variable in variables.values() if variable["type"] == "query"]
    assert uses and all(use == {"type": "prometheus", "uid": "${datasource}"} for use in uses)
    assert dashboard["id"] is None
    titles = [panel["title"] for panel in dashboard["panels"]]
    assert len(titles) == len(set(titles))


def test_every_alert_says_what_happened_and_links_its_runbook_section():
    headings = anchors(OPERATIONS)
    for rule in rules():
        annotations = rule["annotations"]
        assert annotations.get("summary") and annotations.get("description"), rule["alert"]
        page, _, anchor = annotations["runbook_url"].partition("#")
        assert (ROOT / page).resolve() == OPERATIONS.resolve(), rule["alert"]
        assert anchor in headings, f"{rule['alert']}: no heading #{anchor} in docs/operations.md"
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]


def test_metric_names_are_read_out_of_promql():
    expr = (
        'histogram_quantile(0.95, sum by (le, context) (label_replace(rate(a_seconds_bucket{job=~"shop",'
        ' handler=~"x[.].+"}[5m]), "context", "$1", "handler", "([^.]+)[.].+"))) / on (job) b_total'
        " > 0 and max without (instance) (c) offset 5m unless up == bool 1e3"
    )
    assert metric_names(expr) == {"a_seconds_bucket", "b_total", "c", "up"}
