"""topiclab's MiniLM embedder on a CPU in float32 and in bfloat16: texts/s and cosines.

``SentenceEmbedder(precision="auto")`` runs the transformer under bfloat16 autocast on a CPU
that multiplies bfloat16 in hardware (AMX or AVX-512 BF16, read from ``/proc/cpuinfo``) and
in float32 elsewhere. This script embeds the same 20 Newsgroups documents (headers,
footers and quotes removed; long ones read in windows, as a run does) with the cache off,
first in float32 and then in bfloat16, after a warm-up of each, and prints texts/s and the
cosine of each bfloat16 vector to its float32 one (mean, 1st percentile, minimum)::

    PYTHONPATH=. python benchmarks/cpu_precision.py --limit 400
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--limit", type=int, default=400, help="documents (default: 400)")
    args = p.parse_args()
    import torch
    from end_to_end import load_corpus

    import topiclab.features.embed as embed

    texts, _, _ = load_corpus("20ng", args.limit, 0)
    hardware = embed.cpu_has_bf16()
    print(f"# PYTHONPATH=. python benchmarks/cpu_precision.py --limit {args.limit}")
    print(
        f"{len(texts)} 20 Newsgroups documents, {np.mean([len(t) for t in texts]):.0f} "
        f"characters on average; {os.cpu_count()} CPUs; torch {torch.__version__} with "
        f"{torch.get_num_threads()} threads; bfloat16 in hardware: {hardware}"
    )
    if not hardware:  # time it anyway: "auto" would not choose it here
        embed.cpu_has_bf16 = lambda: True
    got = {}
    for precision in ("float32", "auto"):
        emb = embed.SentenceEmbedder(
            "minilm", device="cpu", precision=precision, cache=False, progress=False
        ).fit()
        emb.transform(texts[:32])  # warm-up
        t = time.perf_counter()
        got[precision] = (emb.transform(texts), time.perf_counter() - t, emb.identity_)
    (full, full_s, _), (half, half_s, ident) = got["float32"], got["auto"]
    cos = np.sum(full * half, axis=1)
    print("precision   texts/s  x float32  cosine to float32: mean     p1    min")
    print(f"float32    {len(texts) / full_s:8.1f}       1.00")
    print(
        f"bfloat16   {len(texts) / half_s:8.1f} {full_s / half_s:10.2f} "
        f"{cos.mean():24.5f} {np.percentile(cos, 1):.5f} {cos.min():.5f}   "
        f"(encode: {ident['versions'].get('encode')})"
    )


if __name__ == "__main__":
    main()
