"""The cycle collector is paused while a cohort read builds its records, and put back as it was found."""

import gc

import pytest

from ari_desktop.store.bulk import cohort_read


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_a_cohort_read_pauses_the_collector_and_turns_it_back_on(collector_on):
    with cohort_read():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_read_inside_another_leaves_the_collector_paused_for_the_outer_one(collector_on):
    with cohort_read():
        with cohort_read():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_read_that_fails_still_turns_the_collector_back_on(collector_on):
    with pytest.raises(ValueError), cohort_read():
        raise ValueError("a read that fails")
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused(collector_on):
    gc.disable()
    with cohort_read():
        pass
    assert not gc.isenabled()
