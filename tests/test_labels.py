"""Label catalogues: a language missing a label falls back to English, with one warning per
missing key, as Quarto's and mkdocs' catalogues do."""

from __future__ import annotations

import warnings

import pytest

from report.words.labels import Labels, MissingLabel

from .conftest import DATA


def test_a_partial_catalogue_falls_back_to_english_with_one_warning_per_key():
    zh = Labels("zh", folder=DATA / "labels")
    english = Labels()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert zh("none") == "无"  # translated
        assert zh("date.from", date="2024") == "自2024"
        assert zh("table.notes") == english("table.notes")  # missing: English
        assert zh("table.notes") == english("table.notes")
        assert zh("cover.title_many", n=3) == english("cover.title_many", n=3)
    missing = [str(w.message) for w in caught if issubclass(w.category, MissingLabel)]
    assert missing == ["no label 'table.notes' in the zh catalogue; the English one is used",
                       "no label 'cover.title_many' in the zh catalogue; the English one "
                       "is used"]


def test_a_label_missing_in_english_too_is_an_error():
    with pytest.raises(KeyError, match="no label 'no.such.key'"):
        Labels("zh", folder=DATA / "labels")("no.such.key")


def test_the_english_catalogue_warns_of_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Labels()("none")
