from graph.textspan import find_span

TEXT = 'He said "yes." Later he said "yes." She said \u201cno.\u201d'


def test_single_occurrence_gives_offsets():
    start, end = find_span(TEXT, "no.")
    assert TEXT[start:end] == "no."


def test_two_occurrences_need_a_hint():
    message = find_span(TEXT, "yes.")
    assert "occurs 2 times" in message and "occurrence" in message


def test_occurrence_and_after_pick_the_right_one():
    second = find_span(TEXT, "yes.", occurrence=2)
    assert second == find_span(TEXT, "yes.", after="Later")
    assert second[0] == TEXT.rindex("yes.")


def test_missing_words_explain_the_likely_cause():
    assert "quotation marks" in find_span(TEXT, '\u201cyes.\u201d'.replace("yes", "no").replace("\u201c", '"').replace("\u201d", '"'))
    assert "spacing" in find_span(TEXT, "Later  he said")
    assert find_span(TEXT, "absent words") == "not found"
