"""The language-id model read from its unpacked copy (language_model.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from py3langid import langid, modelio

from newsweave import language_model

TEXTS = [
    "The council approved the harbour budget on Monday after a long debate about the pier.",
    "Der Stadtrat hat am Montag nach langer Debatte den Haushalt für den Hafen beschlossen.",
    "Le conseil municipal a approuvé lundi le budget du port après un long débat.",
    "Il consiglio comunale ha approvato lunedì il bilancio del porto dopo un lungo dibattito.",
]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """No identifier loaded, an empty cache; the count of py3langid's own (slow) loads."""
    monkeypatch.setenv(language_model.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(langid, "IDENTIFIER", None)
    loads: list[int] = []
    real = modelio.load_model

    def counted(path: Any) -> Any:
        loads.append(1)
        return real(path)

    monkeypatch.setattr(modelio, "load_model", counted)
    return loads


def test_the_model_is_unpacked_once_and_classifies_as_py3langid_does(fresh: list[int]) -> None:
    own = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)  # py3langid's own
    language_model.load()
    assert len(fresh) == 1  # the first load unpacks ...
    langid.IDENTIFIER = None
    language_model.load()
    assert len(fresh) == 1  # ... the next reads the copy
    for text in TEXTS:
        assert language_model.classify(text) == own.classify(text)
    assert [language_model.classify(t)[0] for t in TEXTS] == ["en", "de", "fr", "it"]


def test_a_torn_copy_is_made_again(fresh: list[int], tmp_path: Path) -> None:
    language_model.load()
    (folder,) = (tmp_path / "cache").iterdir()
    (folder / "nextmove.npy").write_bytes(b"torn")
    langid.IDENTIFIER = None
    language_model.load()
    assert len(fresh) == 2  # unpacked again
    assert language_model.classify(TEXTS[1])[0] == "de"
    langid.IDENTIFIER = None
    language_model.load()
    assert len(fresh) == 2


def test_a_fast_path_that_fails_leaves_py3langid_to_load_its_own_model(
    fresh: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def changed() -> Any:
        raise AttributeError("module 'py3langid.modelio' has no attribute '_to_array'")

    monkeypatch.setattr(language_model, "_identifier", changed)
    assert language_model.classify(TEXTS[1])[0] == "de"
    assert langid.IDENTIFIER is not None  # py3langid's own, loaded by its `classify`
