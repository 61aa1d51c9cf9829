"""graph/rowtools.py: each distinct value made once; the cyclic collector paused in a block only."""

from __future__ import annotations

import pytest

from graph.rowtools import Memo, gc_paused


def test_a_memo_makes_each_distinct_value_once_and_keeps_none():
    made = []
    memo = Memo(lambda value: made.append(value) or value.upper())
    assert [memo[v] for v in ("a", "b", "a", None, "b")] == ["A", "B", "A", None, "B"]
    assert made == ["a", "b"]


def test_the_collector_is_paused_in_the_block_only():
    import gc

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it off: it stays off
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with gc_paused():
            raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable()
