"""torch 2.13's modules described as data (see `catalogue_model.py` for the vocabulary).

Each entry transcribes the class's `__init__` and `reset_parameters` in torch/nn/modules/: which
parameters it registers in which order, their shapes, and the calls that write them.  The tests build
the real modules for many configurations and compare (`tests/test_catalogue.py`,
`tests/test_recipes_torch.py`).
"""

from __future__ import annotations

from typing import Optional

from init_lint.catalogue_model import (
    ATTENTION, BIAS, BILINEAR, CHILD, CONV, CONV_TRANSPOSE, EMBEDDING, EVERY_MATRIX, EVERY_PARAMETER,
    KAIMING_UNIFORM_SQRT5, LINEAR, NORM, NORMAL, ONES, PADDING_ROW, PARAM, RECURRENT, RECURRENT_CELL, TRANSFORMER,
    UNIFORM_FAN_IN, UNIFORM_FAN_IN_NONZERO, UNKNOWN_ARG, WEIGHT, XAVIER_NORMAL, XAVIER_UNIFORM, ZEROS, Args, Child,
    FanIn, LayerSpec, ParamSpec, Step, is_size,
)


def _flag(name: str):
    """Exists when the boolean argument `name` is True (None when it is not a literal bool)."""

    def exists(args: Args) -> Optional[bool]:
        value = args.get(name)
        return value if isinstance(value, bool) else None

    return exists


def _both(first, second):
    def exists(args: Args) -> Optional[bool]:
        a, b = first(args), second(args)
        return False if a is False or b is False else (None if a is None or b is None else True)

    return exists


def _arg(args: Args, name: str) -> object:
    """A parent's argument handed to a child: unknown stays unknown."""
    return args.get(name, UNKNOWN_ARG)


def _kernel(args: Args, dims: int) -> tuple:
    kernel = args["kernel_size"]
    return (kernel,) * dims if is_size(kernel) else tuple(kernel)


_WEIGHT_AND_BIAS = (Step(PARAM, WEIGHT), Step(PARAM, BIAS))

# ---------------------------------------------------------------- Linear, Bilinear, Conv*d, ConvTranspose*d


def _linear(name: str, mro: tuple, signature: tuple, lazy: bool = False) -> LayerSpec:
    fan = FanIn("in_features")
    return LayerSpec(
        name, LINEAR, 0, signature, mro, lazy=lazy, home="linear", defaults={"bias": True},
        stored=("in_features", "out_features"),
        params=(
            ParamSpec(WEIGHT, 2, lambda a, _: (a["out_features"], a["in_features"]), KAIMING_UNIFORM_SQRT5, fan),
            ParamSpec(BIAS, 1, lambda a, _: (a["out_features"],), UNIFORM_FAN_IN, fan, exists=_flag("bias")),
        ),
        draw_order=_WEIGHT_AND_BIAS,
    )


def _bilinear_no_fix(args: Args) -> Optional[str]:
    if args.get("in1_features") == 0:
        return "Bilinear with in1_features=0: the constructor raises ValueError"
    return None


_BILINEAR_FAN = FanIn("in1_features")
_BILINEAR = LayerSpec(
    "Bilinear", BILINEAR, 0, ("in1_features", "in2_features", "out_features", "bias"), ("Bilinear", "Module"),
    home="linear", defaults={"bias": True}, stored=("in1_features", "in2_features", "out_features"),
    params=(
        ParamSpec(WEIGHT, 3, lambda a, _: (a["out_features"], a["in1_features"], a["in2_features"]),
                  UNIFORM_FAN_IN_NONZERO, _BILINEAR_FAN),
        ParamSpec(BIAS, 1, lambda a, _: (a["out_features"],), UNIFORM_FAN_IN_NONZERO, _BILINEAR_FAN,
                  exists=_flag("bias")),
    ),
    draw_order=_WEIGHT_AND_BIAS,
    no_fix=_bilinear_no_fix,
)


def _conv_signature(transpose: bool, lazy: bool) -> tuple[str, ...]:
    head = ("out_channels", "kernel_size") if lazy else ("in_channels", "out_channels", "kernel_size")
    if transpose:
        tail = ("stride", "padding", "output_padding", "groups", "bias", "dilation", "padding_mode")
    else:
        tail = ("stride", "padding", "dilation", "groups", "bias", "padding_mode")
    return head + tail


def _conv(name: str, dims: int, transpose: bool, lazy: bool, mro: tuple) -> LayerSpec:
    defaults: dict = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True, "padding_mode": "zeros"}
    if transpose:
        defaults["output_padding"] = 0
        fan = FanIn("out_channels", grouped=True, kernel=True)

        def weight_shape(a: Args, _: int) -> tuple:
            return (a["in_channels"], a["out_channels"] // a["groups"]) + _kernel(a, dims)
    else:
        fan = FanIn("in_channels", grouped=True, kernel=True)

        def weight_shape(a: Args, _: int) -> tuple:
            return (a["out_channels"], a["in_channels"] // a["groups"]) + _kernel(a, dims)

    return LayerSpec(
        name, CONV_TRANSPOSE if transpose else CONV, dims, _conv_signature(transpose, lazy), mro, lazy=lazy,
        home="conv", defaults=defaults,
        stored=("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                "padding_mode", "output_padding", "transposed"),
        params=(
            ParamSpec(WEIGHT, 2 + dims, weight_shape, KAIMING_UNIFORM_SQRT5, fan),
            ParamSpec(BIAS, 1, lambda a, _: (a["out_channels"],), UNIFORM_FAN_IN, fan, exists=_flag("bias")),
        ),
        draw_order=_WEIGHT_AND_BIAS,
    )


def _convolutions() -> list[LayerSpec]:
    specs = []
    for d in (1, 2, 3):
        conv, tconv = f"Conv{d}d", f"ConvTranspose{d}d"
        specs += [
            _conv(conv, d, False, False, (conv, "_ConvNd", "Module")),
            _conv(tconv, d, True, False, (tconv, "_ConvTransposeNd", "_ConvNd", "Module")),
            _conv(f"Lazy{conv}", d, False, True,
                  (f"Lazy{conv}", "_LazyConvXdMixin", "LazyModuleMixin", conv, "_ConvNd", "Module")),
            _conv(f"Lazy{tconv}", d, True, True,
                  (f"Lazy{tconv}", "_LazyConvXdMixin", "LazyModuleMixin", tconv, "_ConvTransposeNd", "_ConvNd",
                   "Module")),
        ]
    return specs


# ---------------------------------------------------------------- Embedding, EmbeddingBag


def _embedding_no_fix(args: Args) -> Optional[str]:
    if args.get("_weight") is not None:
        return "built from the tensor given as `_weight`: the constructor draws nothing"
    padding, rows = args.get("padding_idx"), args.get("num_embeddings")
    if is_size(padding) and is_size(rows) and not -rows <= padding < rows:
        return f"padding_idx={padding} is outside num_embeddings={rows}: the constructor raises"
    return None


def _embedding(name: str, signature: tuple, defaults: dict) -> LayerSpec:
    return LayerSpec(
        name, EMBEDDING, 0, signature, (name, "Module"), home="sparse", defaults=defaults,
        stored=tuple(n for n in signature if not n.startswith("_")),
        params=(ParamSpec(WEIGHT, 2, lambda a, _: (a["num_embeddings"], a["embedding_dim"]), NORMAL),),
        draw_order=(Step(PARAM, WEIGHT), Step(PADDING_ROW, WEIGHT)),
        no_fix=_embedding_no_fix,
    )


_EMBEDDING = _embedding(
    "Embedding",
    ("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse",
     "_weight", "_freeze"),
    {"padding_idx": None, "max_norm": None, "norm_type": 2.0, "scale_grad_by_freq": False, "sparse": False,
     "_weight": None, "_freeze": False},
)
_EMBEDDING_BAG = _embedding(
    "EmbeddingBag",
    ("num_embeddings", "embedding_dim", "max_norm", "norm_type", "scale_grad_by_freq", "mode", "sparse", "_weight",
     "include_last_offset", "padding_idx"),
    {"max_norm": None, "norm_type": 2.0, "scale_grad_by_freq": False, "mode": "mean", "sparse": False,
     "_weight": None, "include_last_offset": False, "padding_idx": None},
)

# ---------------------------------------------------------------- RNN, LSTM, GRU and their cells

_HIDDEN = FanIn("hidden_size")
_SKIP_INIT_REFUSED = ("torch.nn.utils.skip_init refuses {name}: its constructor's signature is (*args, **kwargs), "
                      "without a visible `device` parameter; build it with device=\"meta\" and `.to_empty(...)`")


def _recurrent_no_fix(args: Args) -> Optional[str]:
    hidden, proj = args.get("hidden_size"), args.get("proj_size", 0)
    if is_size(hidden) and hidden <= 0:
        return "hidden_size must be greater than zero: the constructor raises"
    if is_size(proj) and is_size(hidden) and proj >= hidden:
        return "proj_size must be smaller than hidden_size: the constructor raises"
    return None


def _recurrent(name: str, gates: int, signature: tuple, defaults: dict) -> LayerSpec:
    projection = "proj_size" in signature

    def real_hidden(a: Args) -> int:
        return a["proj_size"] if projection and a["proj_size"] > 0 else a["hidden_size"]

    def input_width(a: Args, layer: int) -> int:
        return a["input_size"] if layer == 0 else real_hidden(a) * (2 if a["bidirectional"] else 1)

    def projected(a: Args) -> Optional[bool]:
        if not projection:
            return False
        proj = a.get("proj_size")
        return proj > 0 if is_size(proj) else None

    gate_rows = (lambda a, _: (gates * a["hidden_size"],))
    params = (
        ParamSpec("weight_ih_l{layer}{suffix}", 2, lambda a, i: (gates * a["hidden_size"], input_width(a, i)),
                  UNIFORM_FAN_IN, _HIDDEN, per_layer=True),
        ParamSpec("weight_hh_l{layer}{suffix}", 2, lambda a, _: (gates * a["hidden_size"], real_hidden(a)),
                  UNIFORM_FAN_IN, _HIDDEN, per_layer=True),
        ParamSpec("bias_ih_l{layer}{suffix}", 1, gate_rows, UNIFORM_FAN_IN, _HIDDEN, exists=_flag("bias"),
                  per_layer=True),
        ParamSpec("bias_hh_l{layer}{suffix}", 1, gate_rows, UNIFORM_FAN_IN, _HIDDEN, exists=_flag("bias"),
                  per_layer=True),
        ParamSpec("weight_hr_l{layer}{suffix}", 2, lambda a, _: (a["proj_size"], a["hidden_size"]), UNIFORM_FAN_IN,
                  _HIDDEN, exists=projected, per_layer=True),
    )
    return LayerSpec(
        name, RECURRENT, 0, signature, (name, "RNNBase", "Module"), home="rnn", defaults=defaults, params=params,
        stored=signature,
        draw_order=(Step(EVERY_PARAMETER, init=UNIFORM_FAN_IN, fan_in=_HIDDEN),),
        no_fix=_recurrent_no_fix, skip_init_refused=_SKIP_INIT_REFUSED.format(name=name),
    )


_RECURRENT_DEFAULTS = {"num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0, "bidirectional": False}
_RECURRENT_TAIL = ("bias", "batch_first", "dropout", "bidirectional")


def _cell(name: str, gates: int, signature: tuple, defaults: dict) -> LayerSpec:
    gate_rows = (lambda a, _: (gates * a["hidden_size"],))
    return LayerSpec(
        name, RECURRENT_CELL, 0, signature, (name, "RNNCellBase", "Module"), home="rnn", defaults=defaults,
        stored=signature,
        params=(
            ParamSpec("weight_ih", 2, lambda a, _: (gates * a["hidden_size"], a["input_size"]), UNIFORM_FAN_IN,
                      _HIDDEN),
            ParamSpec("weight_hh", 2, lambda a, _: (gates * a["hidden_size"], a["hidden_size"]), UNIFORM_FAN_IN,
                      _HIDDEN),
            ParamSpec("bias_ih", 1, gate_rows, UNIFORM_FAN_IN, _HIDDEN, exists=_flag("bias")),
            ParamSpec("bias_hh", 1, gate_rows, UNIFORM_FAN_IN, _HIDDEN, exists=_flag("bias")),
        ),
        draw_order=(Step(EVERY_PARAMETER, init=UNIFORM_FAN_IN, fan_in=_HIDDEN),),
    )


def _recurrent_specs() -> list[LayerSpec]:
    return [
        _recurrent("RNN", 1, ("input_size", "hidden_size", "num_layers", "nonlinearity", *_RECURRENT_TAIL),
                   {**_RECURRENT_DEFAULTS, "nonlinearity": "tanh"}),
        _recurrent("LSTM", 4, ("input_size", "hidden_size", "num_layers", *_RECURRENT_TAIL, "proj_size"),
                   {**_RECURRENT_DEFAULTS, "proj_size": 0}),
        _recurrent("GRU", 3, ("input_size", "hidden_size", "num_layers", *_RECURRENT_TAIL), _RECURRENT_DEFAULTS),
        _cell("RNNCell", 1, ("input_size", "hidden_size", "bias", "nonlinearity"),
              {"bias": True, "nonlinearity": "tanh"}),
        _cell("LSTMCell", 4, ("input_size", "hidden_size", "bias"), {"bias": True}),
        _cell("GRUCell", 3, ("input_size", "hidden_size", "bias"), {"bias": True}),
    ]


# ---------------------------------------------------------------- MultiheadAttention


def _key_dims(a: Args) -> tuple:
    embed = a["embed_dim"]
    kdim, vdim = a.get("kdim"), a.get("vdim")
    return (embed if kdim is None else kdim), (embed if vdim is None else vdim)


def _same_embed_dim(a: Args) -> Optional[bool]:
    """`_qkv_same_embed_dim`: one packed `in_proj_weight` when kdim and vdim are embed_dim (or None)."""
    if "kdim" not in a or "vdim" not in a:
        return None
    kdim, vdim, embed = a["kdim"], a["vdim"], a.get("embed_dim")
    known = [d for d in (kdim, vdim) if d is not None]
    if not all(is_size(d) for d in known):
        return None
    if not known:
        return True
    if not is_size(embed):
        return None
    return all(d == embed for d in known)


def _separate_dims(a: Args) -> Optional[bool]:
    same = _same_embed_dim(a)
    return None if same is None else not same


def _attention_no_fix(args: Args) -> Optional[str]:
    embed, heads = args.get("embed_dim"), args.get("num_heads")
    if is_size(embed) and is_size(heads) and (embed <= 0 or heads <= 0 or embed % heads):
        return f"embed_dim={embed} with num_heads={heads}: the constructor raises"
    return None


_ATTENTION_DEFAULTS = {"dropout": 0.0, "bias": True, "add_bias_kv": False, "add_zero_attn": False, "kdim": None,
                       "vdim": None, "batch_first": False}
_ATTENTION = LayerSpec(
    "MultiheadAttention", ATTENTION, 0,
    ("embed_dim", "num_heads", "dropout", "bias", "add_bias_kv", "add_zero_attn", "kdim", "vdim", "batch_first"),
    ("MultiheadAttention", "Module"), home="activation", defaults=_ATTENTION_DEFAULTS,
    stored=("embed_dim", "num_heads", "dropout", "add_zero_attn", "kdim", "vdim", "batch_first"),
    params=(
        ParamSpec("in_proj_weight", 2, lambda a, _: (3 * a["embed_dim"], a["embed_dim"]), XAVIER_UNIFORM,
                  exists=_same_embed_dim),
        ParamSpec("q_proj_weight", 2, lambda a, _: (a["embed_dim"], a["embed_dim"]), XAVIER_UNIFORM,
                  exists=_separate_dims),
        ParamSpec("k_proj_weight", 2, lambda a, _: (a["embed_dim"], _key_dims(a)[0]), XAVIER_UNIFORM,
                  exists=_separate_dims),
        ParamSpec("v_proj_weight", 2, lambda a, _: (a["embed_dim"], _key_dims(a)[1]), XAVIER_UNIFORM,
                  exists=_separate_dims),
        ParamSpec("in_proj_bias", 1, lambda a, _: (3 * a["embed_dim"],), ZEROS, exists=_flag("bias")),
        ParamSpec("bias_k", 3, lambda a, _: (1, 1, a["embed_dim"]), XAVIER_NORMAL, exists=_flag("add_bias_kv")),
        ParamSpec("bias_v", 3, lambda a, _: (1, 1, a["embed_dim"]), XAVIER_NORMAL, exists=_flag("add_bias_kv")),
    ),
    children=(
        Child("out_proj", "NonDynamicallyQuantizableLinear",
              lambda a: {"in_features": _arg(a, "embed_dim"), "out_features": _arg(a, "embed_dim"),
                         "bias": _arg(a, "bias")}),
    ),
    draw_order=(
        Step(CHILD, "out_proj"),
        Step(PARAM, "in_proj_weight"),
        Step(PARAM, "q_proj_weight"),
        Step(PARAM, "k_proj_weight"),
        Step(PARAM, "v_proj_weight"),
        Step(PARAM, "in_proj_bias"),
        # the Linear's drawn bias, zeroed: its draws still happened
        Step(PARAM, "out_proj.bias", init=ZEROS, exists=_flag("bias")),
        Step(PARAM, "bias_k"),
        Step(PARAM, "bias_v"),
    ),
    no_fix=_attention_no_fix,
)

# ---------------------------------------------------------------- Transformer layers, LayerNorm


def _normalized(a: Args) -> tuple:
    shape = a["normalized_shape"]
    return (shape,) if is_size(shape) else tuple(shape)


_LAYER_NORM = LayerSpec(
    "LayerNorm", NORM, 0, ("normalized_shape", "eps", "elementwise_affine", "bias"), ("LayerNorm", "Module"),
    home="normalization", defaults={"eps": 1e-5, "elementwise_affine": True, "bias": True},
    stored=("normalized_shape", "eps", "elementwise_affine"),
    params=(
        # ndim None: len(normalized_shape)
        ParamSpec(WEIGHT, None, lambda a, _: _normalized(a), ONES, exists=_flag("elementwise_affine")),
        ParamSpec(BIAS, None, lambda a, _: _normalized(a), ZEROS,
                  exists=_both(_flag("elementwise_affine"), _flag("bias"))),
    ),
    draw_order=_WEIGHT_AND_BIAS,
)

_LAYER_SIGNATURE = ("d_model", "nhead", "dim_feedforward", "dropout", "activation", "layer_norm_eps", "batch_first",
                    "norm_first", "bias")
#: `activation` defaults to `torch.nn.functional.relu`, written here by name
_LAYER_DEFAULTS = {"dim_feedforward": 2048, "dropout": 0.1, "activation": "relu", "layer_norm_eps": 1e-5,
                   "batch_first": False, "norm_first": False, "bias": True}


def _attention_args(a: Args) -> Args:
    return {**_ATTENTION_DEFAULTS, "embed_dim": _arg(a, "d_model"), "num_heads": _arg(a, "nhead"),
            "bias": _arg(a, "bias")}


def _feedforward(attribute: str, first: bool) -> Child:
    def args(a: Args) -> Args:
        width, hidden = _arg(a, "d_model"), _arg(a, "dim_feedforward")
        return {"in_features": width if first else hidden, "out_features": hidden if first else width,
                "bias": _arg(a, "bias")}

    return Child(attribute, "Linear", args)


def _norm(attribute: str) -> Child:
    def args(a: Args) -> Args:
        return {"normalized_shape": _arg(a, "d_model"), "eps": _arg(a, "layer_norm_eps"), "elementwise_affine": True,
                "bias": _arg(a, "bias")}

    return Child(attribute, "LayerNorm", args)


def _layer_no_fix(args: Args) -> Optional[str]:
    return _attention_no_fix({"embed_dim": args.get("d_model"), "num_heads": args.get("nhead")})


def _transformer_layer(name: str, attentions: tuple, norms: tuple) -> LayerSpec:
    children = (*(Child(a, "MultiheadAttention", _attention_args) for a in attentions),
                _feedforward("linear1", True), _feedforward("linear2", False), *(_norm(n) for n in norms))
    return LayerSpec(
        name, TRANSFORMER, 0, _LAYER_SIGNATURE, (name, "Module"), home="transformer", defaults=_LAYER_DEFAULTS,
        stored=("norm_first",),
        children=children, draw_order=tuple(Step(CHILD, c.attribute) for c in children), no_fix=_layer_no_fix,
    )


_ENCODER_LAYER = _transformer_layer("TransformerEncoderLayer", ("self_attn",), ("norm1", "norm2"))
_DECODER_LAYER = _transformer_layer("TransformerDecoderLayer", ("self_attn", "multihead_attn"),
                                    ("norm1", "norm2", "norm3"))


def _transformer_no_fix(args: Args) -> Optional[str]:
    for side in ("encoder", "decoder"):
        if args.get(f"custom_{side}") is not None:
            return f"built around a custom_{side} module: its draws are the custom module's own"
        count = args.get(f"num_{side}_layers")
        if count == 0:
            return (f"num_{side}_layers=0: the constructor draws a {side} layer that it does not keep, "
                    f"so no statement on the built module can replay those draws")
    return _layer_no_fix(args)


def _layer_args(a: Args) -> Args:
    return {k: _arg(a, k) for k in _LAYER_SIGNATURE}


_TRANSFORMER_SIGNATURE = ("d_model", "nhead", "num_encoder_layers", "num_decoder_layers", "dim_feedforward", "dropout",
                          "activation", "custom_encoder", "custom_decoder", "layer_norm_eps", "batch_first",
                          "norm_first", "bias")
_TRANSFORMER_CHILDREN = (
    Child("encoder.layers", "TransformerEncoderLayer", _layer_args, clones="num_encoder_layers"),
    _norm("encoder.norm"),
    Child("decoder.layers", "TransformerDecoderLayer", _layer_args, clones="num_decoder_layers"),
    _norm("decoder.norm"),
)
_TRANSFORMER = LayerSpec(
    "Transformer", TRANSFORMER, 0, _TRANSFORMER_SIGNATURE, ("Transformer", "Module"), home="transformer",
    stored=("d_model", "nhead", "batch_first"),
    defaults={"d_model": 512, "nhead": 8, "num_encoder_layers": 6, "num_decoder_layers": 6, **_LAYER_DEFAULTS,
              "custom_encoder": None, "custom_decoder": None},
    children=_TRANSFORMER_CHILDREN,
    draw_order=(*(Step(CHILD, c.attribute) for c in _TRANSFORMER_CHILDREN), Step(EVERY_MATRIX, init=XAVIER_UNIFORM)),
    no_fix=_transformer_no_fix,
)


MODULE_SPECS: tuple[LayerSpec, ...] = (
    _linear("Linear", ("Linear", "Module"), ("in_features", "out_features", "bias")),
    _linear("LazyLinear", ("LazyLinear", "LazyModuleMixin", "Linear", "Module"), ("out_features", "bias"), lazy=True),
    _linear("NonDynamicallyQuantizableLinear", ("NonDynamicallyQuantizableLinear", "Linear", "Module"),
            ("in_features", "out_features", "bias")),
    _BILINEAR,
    *_convolutions(),
    _EMBEDDING,
    _EMBEDDING_BAG,
    *_recurrent_specs(),
    _ATTENTION,
    _LAYER_NORM,
    _ENCODER_LAYER,
    _DECODER_LAYER,
    _TRANSFORMER,
)
