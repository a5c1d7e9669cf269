"""shadow_report: pairs both sides' answers by request id and decides go or no-go."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shop.platform.shadow.normalise import digest, normalised
from shop.platform.shadow.report import compare


def record(request_id, role, body, status=200, service=None):
    body = normalised(body)
    return {
        "request_id": request_id,
        "role": role,
        "service": service or ("billing" if role == "shadow" else "shop"),
        "method": "GET",
        "path": f"/api/v1/invoices?order={request_id}",
        "status": status,
        "digest": digest(status, body),
        "body": body,
        "at": 0,
    }


INVOICE = {
    "id": "0b6c1b8e-3f0e-4c36-9a0e-2b1f4f6c7d10",
    "amount": {"amount": "25.00", "currency": "EUR"},
    "status": "paid",
    "issued_at": "2026-12-01T12:00:00.123456Z",
}


def write(directory, *lines, name="shop-1.jsonl"):
    with (directory / name).open("a") as out:
        for line in lines:
            out.write((line if isinstance(line, str) else json.dumps(line)) + "\n")


def report(directory, *args):
    out = StringIO()
    try:
        call_command("shadow_report", str(directory), *args, stdout=out)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, out.getvalue()


def test_answers_that_differ_only_in_times_and_ids_match():
    other = {
        **INVOICE,
        "id": "7e0e9a44-1d55-4a4e-8f53-5b0f0f7f2a01",
        "issued_at": "2026-12-01T12:00:01Z",
    }
    assert normalised(INVOICE) == normalised(other)
    result = compare([record("a", "primary", INVOICE), record("a", "shadow", other)])
    assert (result.matched, result.go) == (1, True)


@pytest.mark.parametrize(
    "changed",
    [
        {**INVOICE, "status": "open"},  # a value
        {k: v for k, v in INVOICE.items() if k != "status"} | {"state": "paid"},  # a renamed field
        {**INVOICE, "amount": {"amount": 25, "currency": "EUR"}},  # a retyped field
    ],
)
def test_any_other_difference_is_a_mismatch(changed):
    result = compare([record("a", "primary", INVOICE), record("a", "shadow", changed)])
    assert (result.matched, len(result.mismatches), result.go) == (0, 1, False)


def test_the_report_says_go_when_every_shadowed_request_matched(tmp_path):
    write(tmp_path, record("a", "primary", INVOICE), record("b", "primary", INVOICE))
    write(
        tmp_path,
        record("b", "shadow", INVOICE),
        record("a", "shadow", INVOICE),
        name="billing-2.jsonl",
    )
    status, out = report(tmp_path)
    assert status == 0, out
    assert "compared 2: matched 2 (100.0%), mismatched 0, without a shadow answer 0" in out
    assert out.rstrip().endswith("go: all 2 shadowed requests matched")


def test_a_planted_difference_is_listed_with_both_bodies_and_fails_the_report(tmp_path):
    planted = {**INVOICE, "amount": {"amount": "26.00", "currency": "EUR"}}
    write(
        tmp_path,
        record("a", "primary", INVOICE),
        record("a", "shadow", INVOICE),
        record("b", "primary", INVOICE),
        record("b", "shadow", planted),
        record("c", "primary", INVOICE),  # the mirror never answered
    )
    status, out = report(tmp_path)
    assert status == 1
    assert "compared 3: matched 1 (33.3%), mismatched 1, without a shadow answer 1" in out
    assert "MISMATCH b GET /api/v1/invoices?order=b" in out
    mismatch = out[out.index("MISMATCH b") :]
    assert mismatch.count('"amount": "25.00"') == 2  # the primary's body, and the diff's line
    assert mismatch.count('"amount": "26.00"') == 2  # the shadow's body, and the diff's line
    assert '-    "amount": "25.00",' in mismatch and '+    "amount": "26.00",' in mismatch
    assert "NO SHADOW ANSWER c" in out
    assert out.rstrip().endswith("no-go: 1 mismatched, 1 without a shadow answer of 3")


def test_the_json_report_carries_the_same_counts(tmp_path):
    write(
        tmp_path,
        record("a", "primary", INVOICE),
        record("a", "shadow", {**INVOICE, "status": "void"}),
    )
    status, out = report(tmp_path, "--format", "json")
    found = json.loads(out)
    assert status == 1
    assert (found["compared"], found["matched"], found["mismatched"], found["go"]) == (
        1,
        0,
        1,
        False,
    )
    assert found["mismatches"][0]["shadow"]["body"]["status"] == "void"


def test_no_records_is_no_go_and_unreadable_lines_are_named(tmp_path):
    write(tmp_path, "not json", record("x", "shadow", INVOICE))
    status, out = report(tmp_path)
    assert status == 1
    assert "unreadable lines (ignored): shop-1.jsonl:1" in out
    assert "shadow answers without a primary record (ignored): 1" in out
    assert out.rstrip().endswith("no-go: no shadowed request was recorded")


def test_a_missing_directory_is_one_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"no shadow records at .*nowhere: not a directory"):
        call_command("shadow_report", str(tmp_path / "nowhere"))
