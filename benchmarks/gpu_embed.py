"""Texts per second of topiclab's embedder against plain sentence-transformers, one device.

One short script for a machine with a GPU (it also runs on a CPU, where it checks itself
on a few texts). On the same 20 Newsgroups documents (headers, footers and quotes removed)
and the same device it times, after a warm-up:

* ``st-fp32-b256``: plain ``SentenceTransformer.encode`` of the bundled MiniLM, fp32,
  batch 256, truncating at 256 tokens (the reference rate);
* ``sorted-fp32``, ``sorted-fp16``, ``sorted-bf16``: :func:`topiclab.features.sorted_encode.
  sorted_mean_pool_encode` (length-sorted, token-budgeted batches, the next batch padded
  and copied while the current one runs) in each precision, with the cosine of each
  vector to the reference's (mean, 1st percentile, minimum);
* ``topiclab``: :class:`topiclab.features.embed.SentenceEmbedder` as a run uses it (cache
  off; long documents read in windows, not truncated, so it reads more tokens).

and prints the device, texts/s and the ratio to the reference::

    python benchmarks/gpu_embed.py --limit 10000           # on the GPU machine
    python benchmarks/gpu_embed.py --limit 64 --device cpu  # a check of the script
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _timed(fn, texts: list[str]) -> tuple[np.ndarray, float]:
    import torch

    fn(texts[: min(len(texts), 64)])  # warm-up: kernels, allocator, tokeniser
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    t = time.perf_counter()
    out = np.asarray(fn(texts), dtype=np.float32)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return out, time.perf_counter() - t


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return np.sum(a * b, axis=1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--limit", type=int, default=10_000, help="documents (default: 10,000)")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cuda or cpu")
    args = p.parse_args()
    import torch
    from end_to_end import load_corpus
    from sentence_transformers import SentenceTransformer

    from topiclab.features.embed import SentenceEmbedder
    from topiclab.features.sorted_encode import sorted_mean_pool_encode
    from topiclab.features.static import _teacher_path

    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    name = torch.cuda.get_device_name(0) if device.startswith("cuda") else "CPU"
    texts, _, _ = load_corpus("20ng", args.limit, 0)
    chars = sum(len(t) for t in texts)
    print(f"# python benchmarks/gpu_embed.py --limit {args.limit} --device {args.device}")
    print(
        f"device {device} ({name}); torch {torch.__version__}; {len(texts)} 20 Newsgroups "
        f"documents, {chars / len(texts):.0f} characters on average"
    )
    model = SentenceTransformer(str(_teacher_path()), device=device, local_files_only=True)

    def plain(batch: list[str]) -> np.ndarray:
        return model.encode(batch, batch_size=256, convert_to_numpy=True, show_progress_bar=False)

    ref, ref_s = _timed(plain, texts)
    print("path              texts/s  x plain   cosine to plain fp32: mean     p1    min")
    print(f"st-fp32-b256     {len(texts) / ref_s:8.0f}     1.00")
    precisions = {"fp32": None, "fp16": torch.float16, "bf16": torch.bfloat16}
    for label, dtype in precisions.items():
        if dtype is not None and device == "cpu" and dtype is torch.float16:
            print(f"sorted-{label:<10} (not timed: no fp16 matrix kernels on a CPU)")
            continue

        def sorted_encode(batch: list[str], dtype=dtype) -> np.ndarray:
            return sorted_mean_pool_encode(model, batch, dtype=dtype)

        out, s = _timed(sorted_encode, texts)
        cos = _cosines(out, ref)
        print(
            f"sorted-{label:<10}{len(texts) / s:8.0f} {ref_s / s:8.2f}   "
            f"{cos.mean():25.4f} {np.percentile(cos, 1):6.4f} {cos.min():6.4f}"
        )
    emb = SentenceEmbedder("minilm", device=device, cache=False, progress=False).fit([])
    out, s = _timed(emb.transform, texts)
    print(
        f"topiclab         {len(texts) / s:8.0f} {ref_s / s:8.2f}   (windows: "
        f"{emb.model_id_}; encode path {'sorted fp16' if device != 'cpu' else 'encode'})"
    )


if __name__ == "__main__":
    main()
