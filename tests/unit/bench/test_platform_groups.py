"""The bench refuses a consumer group its platform joined but does not know (it would replay history
during the loads): which groups count as the run's, and which are missing."""

from bench.platform import consumer_groups, unknown_groups

BASES = ["enforcement-bench-1a2b", "gateway-bench-3c4d"]


def test_a_group_named_after_a_run_group_and_not_known_is_reported() -> None:
    present = [
        "enforcement-bench-1a2b",
        "enforcement-bench-1a2b-targets",
        "enforcement-bench-1a2b-escalations",  # a consumer someone added
        "gateway-bench-3c4d-indexer",
    ]
    known = [*consumer_groups("enforcement", BASES[0]), *consumer_groups("gateway", BASES[1])]
    assert unknown_groups(present, BASES, known) == ["enforcement-bench-1a2b-escalations"]


def test_groups_of_other_runs_and_of_tests_are_not_the_runs() -> None:
    present = ["enforcement-bench-9f9f-targets", "srch117-indexer", "permits-bench-1a2b"]
    assert unknown_groups(present, BASES, []) == []


def test_every_known_group_present_reports_nothing() -> None:
    known = consumer_groups("enforcement", BASES[0])
    assert unknown_groups(list(known), BASES, known) == []
