"""Shared machinery of the grader catalogues: every wrong answer rejected, every right one accepted."""

import pytest

ANSWER_KEY = "answer key: "  # a wrong answer so named calls the course's own implementation


def stub(*args, **kwargs):
    """The learner's untouched exercise."""
    raise NotImplementedError()


def assert_rejected(report):
    """Rejected for a reason the learner can read -- not because the grader itself broke."""
    assert not report.passed and report.first_failure, str(report)
    assert report.status != "error", str(report)


def catalogue(check, wrong: dict, right: dict):
    """Two parametrized tests for a grader: ``test_rejects`` over `wrong`, ``test_accepts`` over `right`.

    A wrong answer whose name starts with `ANSWER_KEY` must be told it calls a ready-made answer.
    """

    @pytest.mark.parametrize("name", list(wrong))
    def test_rejects(name):
        report = check(wrong[name])
        assert_rejected(report)
        if wrong[name] is stub:
            assert report.status == "not implemented" and "not implemented" in report.first_failure
        if name.startswith(ANSWER_KEY):
            assert "ready-made answer" in report.first_failure, str(report)

    @pytest.mark.parametrize("name", list(right))
    def test_accepts(name):
        report = check(right[name])
        assert report.passed, str(report)

    return test_rejects, test_accepts
