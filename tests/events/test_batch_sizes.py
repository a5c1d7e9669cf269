"""The event worker's inbox batches take about what fits in batch_seconds (inbox.BatchSizes),
and a taken row's envelope is decoded only when read (due.DueRow)."""

from __future__ import annotations

from shop.platform.events.due import DueRow
from shop.platform.events.inbox import BatchSizes


def test_a_batch_cut_short_by_the_deadline_sizes_the_next_at_twice_what_it_handled():
    sizes = BatchSizes()
    assert sizes.size("inventory", 500) == 500  # nothing learnt yet: the configured limit
    sizes.ran("inventory", taken=500, handled=30, cut=True)
    assert sizes.size("inventory", 500) == 60
    assert sizes.size("billing", 500) == 500  # per store


def test_a_batch_that_ran_every_row_doubles_the_next_up_to_the_limit():
    sizes = BatchSizes()
    sizes.ran("inventory", taken=500, handled=3, cut=True)
    assert sizes.size("inventory", 500) == BatchSizes.floor  # never below the floor
    sizes.ran("inventory", taken=16, handled=16, cut=False)
    assert sizes.size("inventory", 500) == 32
    for _ in range(10):
        sizes.ran("inventory", taken=sizes.size("inventory", 500), handled=1, cut=False)
    assert sizes.size("inventory", 500) == 500
    assert sizes.size("inventory", 7) == 7  # a smaller limit wins


def test_a_batch_with_fewer_rows_than_its_size_leaves_the_size_alone():
    sizes = BatchSizes()
    sizes.ran("inventory", taken=500, handled=50, cut=True)
    sizes.ran("inventory", taken=4, handled=4, cut=False)  # the backlog is gone
    assert sizes.size("inventory", 500) == 100


def test_an_envelope_is_decoded_when_read_and_once():
    row = DueRow(
        1, "h", "catalog", "K-1", 1, '{"id": "e-1"}', "pending", 0, "", None, None, None, None
    )
    assert row._envelope is None
    assert row.envelope == {"id": "e-1"}
    assert row.envelope is row.envelope
