"""INI006 implicit-default-embedding: an Embedding or EmbeddingBag weight that keeps N(0, 1)."""

from __future__ import annotations

from typing import Iterator

from init_lint.catalogue import EMBEDDING
from init_lint.diagnostics import SAFE
from init_lint.rules._examples import Invalid
from init_lint.rules._modules import judge, message
from init_lint.rules.base import CheckContext, RawFinding, Rule


class ImplicitDefaultEmbedding(Rule):
    """INI006: the module tree's verdict on every embedding weight."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        for judged in judge(context, (EMBEDDING,)):
            text, help_ = message(judged, context, "N(0, 1)", self.code,
                                  "initialize it explicitly (transformers draw std 0.02 or embedding_dim ** -0.5)")
            yield RawFinding(judged.site.call, text, help=help_, fix=SAFE if judged.plan else None,
                             plan=judged.plan, strict=judged.level.name == "MAYBE", depends=judged.depends)


RULE = ImplicitDefaultEmbedding(
    code="INI006",
    name="implicit-default-embedding",
    summary="An `nn.Embedding` / `nn.EmbeddingBag` weight that no code initializes: it keeps N(0, 1).",
    what="""
        Finds `nn.Embedding` and `nn.EmbeddingBag` modules of an `nn.Module` whose weight no code
        initializes after construction: not the class itself (`nn.init.normal_(self.emb.weight, std=...)`,
        `self.emb.weight.data.copy_(vectors)`, a new `nn.Parameter`), and no `apply(fn)` /
        `modules()` / `parameters()` dispatch of the class or of a model that builds it. Zeroing the
        `padding_idx` row alone does not count: the other rows keep their draws. Embeddings built
        from a tensor (`nn.Embedding.from_pretrained(...)`, `_weight=`) draw nothing and are not
        reported.
    """,
    why="""
        The constructor draws every row from N(0, 1), a standard deviation far larger than the
        0.02 or `embedding_dim ** -0.5` that transformer models use; summed with position
        embeddings and fed to attention, unit-scale embeddings saturate softmax and slow training
        (PyTorch issue #3121). PyTorch keeps the default for backward compatibility, so it stays
        invisible in the code that relies on it.
    """,
    example="""
        class LM(nn.Module):
            def __init__(self, vocab, d):
                super().__init__()
                self.tok = nn.Embedding(vocab, d)
    """,
    use_instead="""
        class LM(nn.Module):
            def __init__(self, vocab, d):
                super().__init__()
                self.tok = nn.Embedding(vocab, d)
                nn.init.normal_(self.tok.weight, std=d ** -0.5)
    """,
    fix_safety="""
        Safe: the fix writes PyTorch's own recipe (`normal_(w)`, then the `padding_idx` row zeroed),
        so the distribution is what the model had; choose a better scale yourself. With
        `--fix-style skip-init` the module is built with `torch.nn.utils.skip_init` and the values
        are bitwise identical under the same seed. No fix when the constructor raises or draws
        nothing (`_weight=`).
    """,
    valid=[
        """
        import torch.nn as nn

        class LM(nn.Module):
            def __init__(self, vocab, d):
                super().__init__()
                self.tok = nn.Embedding(vocab, d)
                nn.init.normal_(self.tok.weight, std=d ** -0.5)
        """,
        """
        import torch.nn as nn

        class LM(nn.Module):
            def __init__(self, vectors):
                super().__init__()
                self.tok = nn.Embedding.from_pretrained(vectors, freeze=True)
                self.extra = nn.Embedding(10, vectors.shape[1])
                self.extra.weight.data.copy_(vectors[:10])
        """,
        """
        import torch.nn as nn

        class Model(nn.Module):
            def __init__(self, config):
                super().__init__()
                self.wte = nn.Embedding(config.vocab_size, config.n_embd, padding_idx=0)
                self.apply(self._init_weights)

            def _init_weights(self, module):
                if isinstance(module, nn.Embedding):
                    module.weight.data.normal_(mean=0.0, std=0.02)
                    if module.padding_idx is not None:
                        module.weight.data[module.padding_idx].zero_()
        """,
    ],
    invalid=[
        Invalid("""
            import torch.nn as nn

            class LM(nn.Module):
                def __init__(self, vocab):
                    super().__init__()
                    self.tok = nn.Embedding(vocab, 64, padding_idx=0)
                    self.tok.weight.data[0].zero_()
            """, expected="""
            import torch.nn as nn

            class LM(nn.Module):
                def __init__(self, vocab):
                    super().__init__()
                    self.tok = nn.Embedding(vocab, 64, padding_idx=0)
                    nn.init.normal_(self.tok.weight)
                    nn.init.zeros_(self.tok.weight[0])
                    self.tok.weight.data[0].zero_()
            """),
    ],
)
