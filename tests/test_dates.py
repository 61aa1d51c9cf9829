import datetime as dt

import pytest

from graph.dates import DateError, normalise

WED = dt.date(2025, 2, 5)  # the seed article was published on Wednesday 2025-02-05


@pytest.mark.parametrize("phrase, expected", [
    ("on Monday", "2025-02-03"),
    ("Tuesday", "2025-02-04"),
    ("on Wednesday", "2025-02-05"),
    ("last Wednesday", "2025-01-29"),
    ("Sunday evening", "2025-02-02"),
    ("yesterday", "2025-02-04"),
    ("today", "2025-02-05"),
    ("last week", "2025-01-29"),
    ("in January", "2025-01-01"),
    ("in March", "2024-03-01"),
    ("January 20", "2025-01-20"),
    ("2025-02-03", "2025-02-03"),
])
def test_phrases_normalise_against_the_publication_date(phrase, expected):
    assert normalise(phrase, WED).isoformat() == expected


@pytest.mark.parametrize("bad", ["next blursday", "", "2025-13-01x", 42])
def test_unreadable_dates_say_what_to_write(bad):
    with pytest.raises(DateError, match="date"):
        normalise(bad, WED)
