"""The language-id model (py3langid), loaded from an unpacked copy in the user's cache directory.

py3langid ships its model as an LZMA-compressed archive and decompresses it on every load:
about 0.7 s of CPU, once per `add` (pipeline.py loads it before its workers fork), a fifth of
what adding 200 articles costs beside the embedding model. Unpacked, the same arrays load in a
few milliseconds, most of them as a memory map. The copy is made on the first load and named by
the compressed file's hash, so another py3langid model gets a copy of its own; a copy that
cannot be read or written (no cache directory, a torn file) falls back to py3langid's own load.
The identifier is py3langid's own class, given the same arrays: it classifies alike.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

CACHE_ENV = "NEWSWEAVE_CACHE"  # the cache directory, else the per-user one
_ARRAYS = ("ptc", "pc", "nextmove", "row", "output")


def cache_dir() -> Path:
    found = os.environ.get(CACHE_ENV)
    if found:
        return Path(found)
    import platformdirs

    return Path(platformdirs.user_cache_dir("newsweave"))


def classify(text: str) -> tuple[str, float]:
    """py3langid's `classify`, its model loaded through the unpacked copy."""
    from py3langid import langid

    load()
    language, score = langid.classify(text)
    return str(language), float(score)


def load() -> None:
    """py3langid's identifier, made now unless it is already loaded."""
    from py3langid import langid

    if langid.IDENTIFIER is None:
        try:
            langid.IDENTIFIER = _identifier()
        except Exception:
            # The fast path reads py3langid's inner layout; should a release change it,
            # py3langid loads its own model on the first `classify`, as it always did.
            langid.IDENTIFIER = None


def _identifier() -> Any:
    from py3langid import langid

    model = Path(langid.MODEL_DIR) / langid.MODEL_FILE
    try:
        digest = hashlib.sha256(model.read_bytes()).hexdigest()[:16]
        folder = cache_dir() / f"langid-{digest}"
        arrays = _read(folder) if folder.is_dir() else None
    except (OSError, ValueError):
        return langid._load_identifier()
    if arrays is None:
        from py3langid import modelio

        arrays = modelio.load_model(model)
        try:
            if folder.is_dir():  # torn: made again
                shutil.rmtree(folder)
            _write(folder, arrays)
        except OSError:
            pass  # a read-only cache: the next load decompresses again
    ptc, pc, classes, nextmove, row, output = arrays
    return langid.LanguageIdentifier(ptc, pc, classes, nextmove, output, tk_row=row)


def _read(folder: Path) -> tuple[Any, ...] | None:
    import numpy as np
    from py3langid import modelio

    try:
        loaded = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        classes = (folder / "classes.txt").read_text(encoding="utf-8").split("\n")
    except (OSError, ValueError, EOFError):
        return None
    return (
        np.asarray(loaded["ptc"]),
        np.array(loaded["pc"]),
        classes,
        modelio._to_array(loaded["nextmove"]),
        modelio._to_array(loaded["row"]),
        loaded["output"].tolist(),
    )


def _write(folder: Path, arrays: tuple[Any, ...]) -> None:
    """The arrays as .npy files, into a folder that appears whole or not at all."""
    import numpy as np

    ptc, pc, classes, nextmove, row, output = arrays
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        np.save(tmp / "ptc.npy", np.asarray(ptc))
        np.save(tmp / "pc.npy", np.asarray(pc))
        np.save(tmp / "nextmove.npy", np.frombuffer(nextmove, dtype=f"<u{nextmove.itemsize}"))
        np.save(tmp / "row.npy", np.frombuffer(row, dtype=f"<u{row.itemsize}"))
        np.save(tmp / "output.npy", np.asarray(output, dtype=np.int64))
        (tmp / "classes.txt").write_text("\n".join(classes), encoding="utf-8")
        tmp.rename(folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not folder.is_dir():  # another process that renamed first made it whole
            raise
