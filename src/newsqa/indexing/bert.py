"""Mean-pooled BERT sentence encoders (all-MiniLM-L6-v2 and its kind) in plain torch.

sentence-transformers takes ~3.5 s to import here (transformers, scikit-learn and more), which a
cold `newsqa ask` pays before its first answer. A model folder in the sentence-transformers
layout whose network is a plain BERT encoder with mean or CLS pooling needs only torch, the
`tokenizers` library and `safetensors`: this module runs exactly that network, in torch for
index builds, or in numpy (`NumpyBertEncoder`) for the few texts of a question or an answer, so
that asking a question never imports torch (~2 s on a 2-core CPU). Any other model folder goes
through sentence-transformers (`plain_bert_problem` says why).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["BertSentenceEncoder", "NumpyBertEncoder", "plain_bert_problem"]

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


def _read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def plain_bert_problem(folder: str | Path) -> str | None:
    """None when `folder` holds a model this module runs; otherwise what it does not support."""
    root = Path(folder)
    needed = ["modules.json", "config.json", "model.safetensors", "tokenizer.json"]
    missing = [name for name in needed if not (root / name).is_file()]
    if missing:
        return f"no {', '.join(missing)}"
    try:
        modules = _read_json(root / "modules.json")
        config = _read_json(root / "config.json")
        kinds = [(m["type"], m.get("path", "")) for m in modules]
        if len(kinds) not in (2, 3) or kinds[0] != (_TRANSFORMER, ""):
            return f"modules {[k for k, _ in kinds]}"
        if kinds[1][0] != _POOLING or (len(kinds) == 3 and kinds[2][0] != _NORMALIZE):
            return f"modules {[k for k, _ in kinds]}"
        pooling = _read_json(root / kinds[1][1] / "config.json")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"unreadable model folder ({exc})"
    modes = sorted(k for k, v in pooling.items() if k.startswith("pooling_mode_") and v)
    if modes not in (["pooling_mode_mean_tokens"], ["pooling_mode_cls_token"]):
        return f"pooling {modes}"
    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        return f"model_type {config.get('model_type')!r}, hidden_act {config.get('hidden_act')!r}"
    if config.get("position_embedding_type", "absolute") != "absolute":
        return f"position_embedding_type {config.get('position_embedding_type')!r}"
    return None


class _BertFolder:
    """What both engines read from a plain BERT sentence-encoder folder: its settings, its
    tokenizer and its weights by name (the torch engine in torch tensors, the numpy one in
    arrays)."""

    def __init__(self, folder: str | Path) -> None:
        from tokenizers import Tokenizer

        problem = plain_bert_problem(folder)
        if problem is not None:
            raise ValueError(f"{folder}: not a plain BERT sentence encoder ({problem})")
        self.root = root = Path(folder)
        config = _read_json(root / "config.json")
        st_config = root / "sentence_bert_config.json"
        settings = _read_json(st_config) if st_config.is_file() else {}
        modules = _read_json(root / "modules.json")
        pooling = _read_json(root / modules[1].get("path", "") / "config.json")

        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_seq_length = min(
            int(settings.get("max_seq_length") or config["max_position_embeddings"]),
            int(config["max_position_embeddings"]),
        )
        self.cls_pooling = bool(pooling.get("pooling_mode_cls_token"))
        self.lower_case = bool(settings.get("do_lower_case", False))
        self.dimension = int(config["hidden_size"])

        self.tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        pad = config.get("pad_token_id")
        self.pad_id = int(pad) if pad is not None else 0

    def network(
        self,
        weights: Mapping[str, Any],
        convert: Callable[[Any], Any],
        cat: Callable[[list[Any]], Any],
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The embedding weights and each layer's, by name, `convert`ed (to the engine's type);
        linear weights as stored, (out, in); query, key and value joined by `cat` into one
        matrix: one multiply instead of three."""
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

        def w(name: str) -> Any:
            return convert(weights[prefix + name])

        embeddings = {
            "word": w("embeddings.word_embeddings.weight"),
            "position": w("embeddings.position_embeddings.weight"),
            "token_type": w("embeddings.token_type_embeddings.weight")[0],
            "norm": (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias")),
        }
        layers = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            att = p + "attention."
            layers.append(
                {
                    "qkv_w": cat([w(att + f"self.{n}.weight") for n in ("query", "key", "value")]),
                    "qkv_b": cat([w(att + f"self.{n}.bias") for n in ("query", "key", "value")]),
                    "out_w": w(att + "output.dense.weight"),
                    "out_b": w(att + "output.dense.bias"),
                    "norm1": (w(att + "output.LayerNorm.weight"), w(att + "output.LayerNorm.bias")),
                    "up_w": w(p + "intermediate.dense.weight"),
                    "up_b": w(p + "intermediate.dense.bias"),
                    "down_w": w(p + "output.dense.weight"),
                    "down_b": w(p + "output.dense.bias"),
                    "norm2": (w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")),
                }
            )
        return embeddings, layers

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids, special tokens included, truncated to `max_seq_length`."""
        prepared = [t.strip().lower() if self.lower_case else t.strip() for t in texts]
        return [e.ids for e in self.tokenizer.encode_batch(prepared)]

    def padded(
        self, texts: Sequence[str], multiple: int = 1
    ) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        """Token ids of `texts` padded to the longest (rounded up to a `multiple` of tokens,
        within the window), and the mask of real tokens."""
        ids = self.token_ids(texts)
        longest = max(len(x) for x in ids)
        length = max(longest, min(-(-longest // multiple) * multiple, self.max_seq_length))
        batch = np.full((len(ids), length), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=bool)
        for row, x in enumerate(ids):
            batch[row, : len(x)] = x
            mask[row, : len(x)] = True
        return batch, mask


class _Engine:
    """What both engines share: the folder they read, and being shared by worker threads."""

    folder: _BertFolder

    def for_worker(self) -> Any:
        """This encoder itself: its weights are only read, so worker threads share them."""
        return self

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return self.folder.token_ids(texts)


class BertSentenceEncoder(_Engine):
    """One copy of a BERT sentence encoder: `encode` gives pooled, not normalised, vectors.

    The same computation as sentence-transformers' Transformer + Pooling modules (token ids from
    the folder's `tokenizer.json`, inputs stripped and truncated to `max_seq_length`, absolute
    positions, post-norm layers with exact GELU, scaled dot-product attention, padding masked)."""

    def __init__(self, folder: str | Path, *, dtype: Any = None) -> None:
        import torch
        from safetensors.torch import load_file

        self.folder = f = _BertFolder(folder)
        self.dtype = dtype if dtype is not None else torch.float32
        self.heads, self.eps, self.dimension = f.heads, f.eps, f.dimension
        self.max_seq_length, self.cls_pooling = f.max_seq_length, f.cls_pooling
        embeddings, self.layers = f.network(
            load_file(str(f.root / "model.safetensors")),
            lambda t: t.to(self.dtype).contiguous(),
            torch.cat,
        )
        self.word, self.position = embeddings["word"], embeddings["position"]
        self.token_type, self.embed_norm = embeddings["token_type"], embeddings["norm"]
        self._fused = _fused_linear() if self.dtype == torch.bfloat16 else None

    def _linear(self, x: Any, weight: Any, bias: Any, *, gelu: bool = False) -> Any:
        """`x @ weight.T + bias`, then exact GELU if asked: in bf16 through oneDNN with the bias
        and the GELU done inside the multiply (eager torch copies the bias into the output first
        and runs GELU as a pass of its own: ~30 % of a batch's time on an AMX CPU)."""
        import torch.nn.functional as F

        if self._fused is not None:
            return self._fused(x, weight, bias, "gelu" if gelu else "none", [], "none")
        y = F.linear(x, weight, bias)
        return F.gelu(y) if gelu else y

    def encode(self, texts: Sequence[str], length_multiple: int = 1) -> NDArray[np.float32]:
        """One pooled float32 vector per text (texts of similar length make one padded batch,
        its length rounded up to `length_multiple` tokens)."""
        import torch

        batch, mask = self.folder.padded(texts, length_multiple)
        with torch.inference_mode():
            hidden = self._forward(torch.from_numpy(batch), torch.from_numpy(mask))
            if self.cls_pooling:
                pooled = hidden[:, 0].float()
            else:
                keep = torch.from_numpy(mask).unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * keep).float().sum(1) / keep.float().sum(1).clamp(min=1e-9)
        return np.asarray(pooled.numpy(), dtype=np.float32)

    def _norm(self, x: Any, weights: tuple[Any, Any]) -> Any:
        import torch.nn.functional as F

        return F.layer_norm(x, (self.dimension,), weights[0], weights[1], eps=self.eps)

    def _forward(self, ids: Any, mask: Any) -> Any:
        import torch.nn.functional as F

        batch, length = ids.shape
        width = self.dimension
        head = width // self.heads
        x = self.word[ids] + self.position[:length] + self.token_type
        x = self._norm(x, self.embed_norm)
        # padded keys are masked; with no padding the attention runs unmasked (faster)
        attend = None if bool(mask.all()) else mask[:, None, None, :]
        for layer in self.layers:
            qkv = self._linear(x, layer["qkv_w"], layer["qkv_b"])
            q, k, v = qkv.view(batch, length, 3, self.heads, head).permute(2, 0, 3, 1, 4)
            context = F.scaled_dot_product_attention(
                q, k, v, attn_mask=attend, scale=1.0 / math.sqrt(head)
            )
            context = context.transpose(1, 2).reshape(batch, length, width)
            x = self._norm(
                self._linear(context, layer["out_w"], layer["out_b"]) + x, layer["norm1"]
            )
            up = self._linear(x, layer["up_w"], layer["up_b"], gelu=True)
            x = self._norm(self._linear(up, layer["down_w"], layer["down_b"]) + x, layer["norm2"])
        return x


def _fused_linear() -> Callable[..., Any] | None:
    """oneDNN's linear with its bias and activation inside the multiply (what torch.compile
    itself calls on the CPU), when this torch has it and it gives what F.linear + F.gelu give on
    a small probe in bf16; else None (the plain ops are used)."""
    import torch
    import torch.nn.functional as F

    op = getattr(getattr(torch.ops, "mkldnn", None), "_linear_pointwise", None)
    if op is None or not torch.backends.mkldnn.is_available():  # type: ignore[no-untyped-call]
        return None
    gen = torch.Generator().manual_seed(0)
    x, w, b = (
        torch.randn(*s, generator=gen).to(torch.bfloat16) for s in ((4, 3, 64), (96, 64), (96,))
    )
    try:
        with torch.inference_mode():
            got = op(x, w, b, "gelu", [], "none").float()
            want = F.gelu(F.linear(x, w, b)).float()
    except (RuntimeError, TypeError):
        return None
    if got.shape != want.shape or not torch.allclose(got, want, rtol=0.02, atol=0.05):
        return None
    return op  # type: ignore[no-any-return]


# erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7, float32's own precision)
_ERF_P = 0.3275911
_ERF_A = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
_GELU_ROWS = 64  # rows of the hidden layer computed at a time, so its ~20 passes stay in cache


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """Exact (erf) GELU, in place, a block of rows at a time."""
    for block in (x[i : i + _GELU_ROWS] for i in range(0, len(x), _GELU_ROWS)):
        a = np.abs(block)
        a *= np.float32(1 / math.sqrt(2))
        t = a * np.float32(_ERF_P)
        t += 1.0
        np.reciprocal(t, out=t)
        poly = t * np.float32(_ERF_A[0])
        for c in _ERF_A[1:]:
            poly += np.float32(c)
            poly *= t
        np.square(a, out=a)
        np.negative(a, out=a)
        np.exp(a, out=a)
        poly *= a  # 1 - erf(|x| / sqrt 2)
        np.subtract(1.0, poly, out=poly)
        np.copysign(poly, block, out=poly)  # erf(x / sqrt 2)
        poly += 1.0
        block *= poly
        block *= 0.5
    return x


class NumpyBertEncoder(_Engine):
    """The same network as `BertSentenceEncoder` in float32 numpy: loads in ~0.3 s without
    torch (whose import alone takes ~2 s on a 2-core CPU), vectors within 1e-6 of torch's fp32.
    For a few short texts at a time; index builds go through torch, which multiplies faster."""

    def __init__(self, folder: str | Path) -> None:
        from safetensors.numpy import load_file

        self.folder = f = _BertFolder(folder)
        self.dimension = f.dimension
        embeddings, self.layers = f.network(
            load_file(str(f.root / "model.safetensors")),
            lambda a: np.ascontiguousarray(a, dtype=np.float32),
            np.concatenate,
        )
        for layer in self.layers:  # x @ w.T as x @ w', with w' = w.T laid out for it
            for name in ("qkv_w", "out_w", "up_w", "down_w"):
                layer[name] = np.ascontiguousarray(layer[name].T)
        self.word, self.position = embeddings["word"], embeddings["position"]
        self.token_type, self.embed_norm = embeddings["token_type"], embeddings["norm"]

    def _norm(
        self, x: NDArray[np.float32], weights: tuple[NDArray[np.float32], NDArray[np.float32]]
    ) -> NDArray[np.float32]:
        x = x - x.mean(axis=-1, keepdims=True)
        variance = np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[-1])
        x *= 1.0 / np.sqrt(variance + np.float32(self.folder.eps))
        x *= weights[0]
        x += weights[1]
        return x

    def encode(self, texts: Sequence[str], length_multiple: int = 1) -> NDArray[np.float32]:
        """One pooled float32 vector per text."""
        ids, mask = self.folder.padded(texts, length_multiple)
        batch, length = ids.shape
        width, heads = self.dimension, self.folder.heads
        head = width // heads
        x = self.word[ids] + self.position[:length] + self.token_type
        x = self._norm(x.reshape(batch * length, width), self.embed_norm)
        # padded keys get -inf before the softmax
        masked = np.where(mask, np.float32(0), np.float32(-np.inf))[:, None, None, :]
        scale = np.float32(1 / math.sqrt(head))
        for layer in self.layers:
            qkv = x @ layer["qkv_w"]
            qkv += layer["qkv_b"]
            q, k, v = qkv.reshape(batch, length, 3, heads, head).transpose(2, 0, 3, 1, 4)
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= scale
            scores += masked
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, width)
            y = context @ layer["out_w"]
            y += layer["out_b"]
            y += x
            x = self._norm(y, layer["norm1"])
            up = x @ layer["up_w"]
            up += layer["up_b"]
            y = _gelu(up) @ layer["down_w"]
            y += layer["down_b"]
            y += x
            x = self._norm(y, layer["norm2"])
        hidden = x.reshape(batch, length, width)
        if self.folder.cls_pooling:
            return np.ascontiguousarray(hidden[:, 0], dtype=np.float32)
        keep = mask[..., None].astype(np.float32)
        pooled = (hidden * keep).sum(axis=1) / np.maximum(keep.sum(axis=1), 1e-9)
        return np.asarray(pooled, dtype=np.float32)
