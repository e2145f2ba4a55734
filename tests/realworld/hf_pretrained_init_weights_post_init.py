"""Hugging Face-style model: a `FooPreTrainedModel(PreTrainedModel)` base whose `_init_weights(module)` uses the framework's `init` module and handles Linear, Embedding and LayerNorm without calling super; the model calls `self.post_init()` (seen in transformers modeling_*.py files, as surveyed in REALWORLD.md). no-verify: imports transformers.

Framework knowledge (issue 6): post_init() applies the class's `_init_weights` to every submodule, so coverage is what it dispatches on: the Linears are covered, the Conv1d feature projection is not (true finding: this `_init_weights` neither handles Conv1d nor delegates to the base).
"""
import torch
from torch import nn
from transformers import PreTrainedModel, PretrainedConfig
from transformers import initialization as init


class FooConfig(PretrainedConfig):
    model_type = "foo"

    def __init__(self, hidden_size=16, vocab_size=32, initializer_range=0.02, **kwargs):
        super().__init__(**kwargs)
        self.hidden_size = hidden_size
        self.vocab_size = vocab_size
        self.initializer_range = initializer_range


class FooPreTrainedModel(PreTrainedModel):
    config_class = FooConfig
    base_model_prefix = "foo"

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            init.normal_(module.weight, mean=0.0, std=std)
        elif isinstance(module, nn.LayerNorm):
            init.ones_(module.weight)
            init.zeros_(module.bias)


class FooLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size * 4)
        self.output = nn.Linear(config.hidden_size * 4, config.hidden_size)
        self.norm = nn.LayerNorm(config.hidden_size)

    def forward(self, x):
        return self.norm(x + self.output(torch.nn.functional.gelu(self.dense(x))))


class FooModel(FooPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.embeddings = nn.Embedding(config.vocab_size, config.hidden_size)
        self.feature_projection = nn.Conv1d(config.hidden_size, config.hidden_size, kernel_size=3, padding=1)  # expect: INI001
        self.layer = FooLayer(config)
        self.classifier = nn.Linear(config.hidden_size, 2)
        self.post_init()

    def forward(self, input_ids):
        x = self.embeddings(input_ids)
        x = self.feature_projection(x.transpose(1, 2)).transpose(1, 2)
        return self.classifier(self.layer(x)[:, 0])
