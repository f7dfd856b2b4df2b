"""Embedding throughput of each installed model on the same 300 ECB+ texts.

Prints articles/s at 128 and 256 tokens and the load time; models whose package is missing are
skipped with a note (minilm-torch needs `pip install torch==2.13.0 'newsweave[torch]'`).

    python benchmarks/embedding.py [--models minilm-onnx,minilm-torch] [--n 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ecbplus
from newsweave.errors import NewsweaveError
from newsweave.weave import embed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="minilm-onnx,minilm-torch")
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    docs = ecbplus.load()[: args.n]
    texts = [embed.article_text(None, d.text.split("\n\n")) for d in docs]
    for name in args.models.split(","):
        for tokens in (128, 256):
            embed.MAX_TOKENS = tokens
            embed._loaded.clear()
            started = time.perf_counter()
            try:
                model = embed.get_embedder(name)
            except NewsweaveError as exc:
                print(f"{name}: skipped ({exc})")
                break
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            model.encode(texts)
            rate = len(texts) / (time.perf_counter() - started)
            print(f"{name:<16} {tokens:>3} tokens  load {loaded:4.1f} s  {rate:6.1f} articles/s")


if __name__ == "__main__":
    main()
