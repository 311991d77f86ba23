"""Pacing maths: concurrency, smooth per-minute spacing and the account's CPS, on any timing."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.pacing import Limits, Pacer


def test_spacing_and_concurrency():
    pacer = Pacer(cps=10)
    limits = Limits(concurrency=2, per_minute=6)  # one start every 10 s
    assert pacer.may_start(1, limits, 0.0)
    pacer.started(1, 0.0)
    assert pacer.next_start(1, limits) == float("inf")  # create in flight
    pacer.sent(1, 0.2)
    assert pacer.next_start(1, limits) == pytest.approx(10.2)  # from the provider's answer
    assert not pacer.may_start(1, limits, 10.19)  # a timer firing 10 ms early is refused
    pacer.started(1, 10.2)
    pacer.sent(1, 10.2)
    assert pacer.next_start(1, limits) is None  # both lines busy
    pacer.ended(1)
    assert pacer.next_start(1, limits) == pytest.approx(20.2)


def test_account_cps_is_shared_between_campaigns():
    pacer = Pacer(cps=2)
    fast = Limits(concurrency=10, per_minute=6000)
    pacer.started(1, 0.0)
    pacer.sent(1, 0.0)
    assert pacer.next_start(2, fast) == pytest.approx(0.5)


def test_limit_changes_apply_to_the_next_decision():
    pacer = Pacer(cps=100)
    pacer.started(1, 0.0)
    pacer.sent(1, 0.0)
    assert pacer.next_start(1, Limits(5, 60)) == pytest.approx(1.0)
    assert pacer.next_start(1, Limits(5, 6)) == pytest.approx(10.0)
    assert pacer.next_start(1, Limits(1, 6)) is None


def test_bad_limits():
    with pytest.raises(ValueError):
        Limits(0, 10)
    with pytest.raises(ValueError):
        Pacer(cps=0)
    pacer = Pacer()
    with pytest.raises(RuntimeError):
        pacer.ended(1)


step = st.tuples(
    st.floats(0, 30, allow_nan=False),  # time passing
    st.floats(-0.005, 0.0, allow_nan=False),  # timer firing early
    st.integers(0, 1),  # campaign
    st.sampled_from(["try", "end", "limits"]),
    st.integers(1, 5),
    st.sampled_from([1, 3, 10, 60, 600]),
    st.floats(0, 0.5, allow_nan=False),  # create latency
)


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(step, max_size=120), cps=st.sampled_from([0.5, 1.0, 5.0]))
def test_no_sequence_of_events_breaks_the_limits(steps, cps):
    pacer = Pacer(cps=cps)
    limits = {0: Limits(2, 10), 1: Limits(3, 60)}
    now = 0.0
    live = {0: 0, 1: 0}
    starts: dict[int, list[tuple[float, Limits]]] = {0: [], 1: []}
    every: list[float] = []
    for passing, early, campaign, kind, n, p, latency in steps:
        now += passing
        if kind == "limits":
            limits[campaign] = Limits(n, p)
        elif kind == "end":
            if live[campaign]:
                pacer.ended(campaign)
                live[campaign] -= 1
        elif pacer.may_start(campaign, limits[campaign], now + early):
            pacer.started(campaign, now + early)
            live[campaign] += 1
            assert live[campaign] <= limits[campaign].concurrency
            now += latency
            pacer.sent(campaign, now)  # the provider saw it at the latest now
            starts[campaign].append((now, limits[campaign]))
            every.append(now)
    for a, b in itertools.pairwise(every):
        assert b - a >= 1 / cps - 1e-9
    for seq in starts.values():
        for (a, _), (b, lim) in itertools.pairwise(seq):
            assert b - a >= lim.spacing_s - 1e-9
