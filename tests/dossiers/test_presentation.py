"""Answers read as people of the page's language write them; ISO dates stay in the stored data."""

import pytest
from django.utils import translation

from portal.dossiers.presentation import display_answer


@pytest.mark.parametrize(
    ("language", "written"), [("en", "May 1, 1990"), ("fr", "1 mai 1990"), ("de", "1. Mai 1990")]
)
def test_a_date_answer_is_written_in_the_readers_language(language, written):
    with translation.override(language):
        assert display_answer({"type": "date"}, "1990-05-01") == written


def test_a_stored_date_that_is_not_a_date_is_shown_as_it_is():
    assert display_answer({"type": "date"}, "sometime in May") == "sometime in May"
