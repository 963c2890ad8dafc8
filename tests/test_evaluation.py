"""The strict/lax protocol on examples computed by hand."""

import pytest

from aligners.evaluation import (
    LinkFormatError,
    format_link,
    parse_links,
    read_links,
    score_documents,
)


def test_perfect_alignment_scores_one():
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), ())]
    scores = score_documents([(gold, gold)])
    assert scores.strict_f1 == 1.0 and scores.lax_f1 == 1.0


def test_hand_computed_counts():
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,))]
    # [0]:[0] right; [1]:[1] wrong strictly but overlaps gold target of src 1 (lax right);
    # [2]:[] a deletion, wrong both ways; [3]:[2] right.
    predicted = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), (2,))]
    scores = score_documents([(gold, predicted)])
    assert scores.strict_precision == pytest.approx(2 / 4)
    assert scores.lax_precision == pytest.approx(3 / 4)
    # Recall: gold links judged against predicted links without deletions:
    # [0]:[0] right, [1,2]:[1] lax only, [3]:[2] right.
    assert scores.strict_recall == pytest.approx(2 / 3)
    assert scores.lax_recall == pytest.approx(3 / 3)


def test_deletions_never_help_recall():
    gold = [((0,), (0,)), ((1,), ())]
    predicted = [((0,), (0,)), ((1,), ())]
    scores = score_documents([(gold, predicted)])
    assert scores.strict_recall == 1.0  # the recall side only sees the 1-1 link
    assert scores.strict_precision == 1.0


def test_counts_are_pooled_before_ratios():
    doc_a = ([((0,), (0,))], [((0,), (0,))])
    doc_b = ([((0,), (0,)), ((1,), (1,)), ((2,), (2,))], [((0, 1, 2), (0, 1, 2))])
    scores = score_documents([doc_a, doc_b])
    assert scores.strict_precision == pytest.approx(1 / 2)  # pooled 1 of 2, not mean(1, 0)
    assert scores.strict_recall == pytest.approx(1 / 4)


def test_parse_and_format_round_trip():
    links = parse_links(["[0, 1]:[2]:0.75", "[3]:[]", "", "[]:[4]"])
    assert links == [((0, 1), (2,)), ((3,), ()), ((), (4,))]
    assert format_link((0, 1), (2,)) == "[0, 1]:[2]"
    assert format_link((3,), (), 0.5) == "[3]:[]:0.5000"


def test_bad_link_line_names_the_line():
    with pytest.raises(LinkFormatError, match="gold.txt:2"):
        parse_links(["[0]:[0]", "zero to one"], "gold.txt")


def test_a_links_file_that_is_not_utf8_is_a_format_error_naming_it(tmp_path):
    path = tmp_path / "pred.txt"
    path.write_bytes(b"\xff\xfe[0]:[0]\n")
    with pytest.raises(LinkFormatError, match=r"pred\.txt: not UTF-8 text \(byte 0\)"):
        read_links(path)


@pytest.mark.parametrize("line", ["[1e400]:[0]", "[0.7]:[0]", "[-1]:[0]", "['a']:[0]"])
def test_sentence_ids_must_be_whole_numbers(line):
    """'[1e400]' used to crash with OverflowError and '[0.7]' was read as sentence 0."""
    with pytest.raises(LinkFormatError, match=r"pred\.txt:1: unreadable link"):
        parse_links([line], "pred.txt")


def test_an_error_about_a_huge_line_shows_only_its_start():
    with pytest.raises(LinkFormatError) as caught:
        parse_links(["a" * 100_000], "pred.txt")
    assert len(str(caught.value)) < 200
    assert str(caught.value).startswith("pred.txt:1: expected [src ids]:[tgt ids], got 'aaa")


def test_spacing_and_a_trailing_comma_in_ids_still_read():
    assert parse_links([" [ 0 ,1, ]:[]:0.5"]) == [((0, 1), ())]
