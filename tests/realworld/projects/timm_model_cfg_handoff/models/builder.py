"""Builds a model class it is handed (no torch)."""


def build_model_with_cfg(model_cls, variant, pretrained=False, **kwargs):
    return model_cls(**kwargs)
