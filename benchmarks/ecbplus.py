"""ECB+ as plain-text articles, and the gold stories: (topic, ecb | ecbplus half).

The corpus is tokenised XML. Each document becomes one text file, a sentence per paragraph with
punctuation re-attached; a first line holding only the document's URL (the ECB+ half starts so)
is left out, since it is the address the text came from, not text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

SHARED = Path(__file__).resolve().parents[2] / "shared"
ECBPLUS = SHARED / "data" / "ecbplus" / "topics"


@dataclass(frozen=True)
class Document:
    name: str
    topic: str
    half: str  # "ecb" or "ecbplus"
    text: str

    @property
    def event(self) -> tuple[str, str]:
        return (self.topic, self.half)


def _detokenize(words: list[str]) -> str:
    text = " ".join(words)
    text = re.sub(r" ([,.;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$]) ", r"\1", text)
    return text.replace("`` ", '"').replace(" ''", '"').replace(" 's", "'s").replace(" n't", "n't")


def load(root: Path = ECBPLUS) -> list[Document]:
    docs = []
    for path in sorted(root.glob("*/*.xml"), key=lambda p: (int(p.parent.name), p.name)):
        sentences: dict[int, list[str]] = {}
        for token in ElementTree.parse(path).getroot().iter("token"):
            sentences.setdefault(int(token.get("sentence", "0")), []).append(token.text or "")
        lines = [_detokenize(sentences[k]) for k in sorted(sentences)]
        if lines and re.match(r"https?\s*:", lines[0]):
            lines = lines[1:]
        half = "ecbplus" if path.stem.endswith("ecbplus") else "ecb"
        docs.append(Document(path.name, path.parent.name, half, "\n\n".join(lines)))
    return docs


def write_texts(docs: list[Document], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in docs:
        path = folder / (doc.name.replace(".xml", ".txt"))
        path.write_text(doc.text + "\n", encoding="utf-8")
        paths.append(path)
    return paths
