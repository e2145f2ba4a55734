"""The fuzz generator's modules of INI006-INI008 (`tests/test_fuzz.py` draws them beside the classic layers).

Embedding/EmbeddingBag (padding_idx literal, negative or computed), RNN/LSTM/GRU (num_layers, bidirectional,
bias, batch_first, proj_size: literal, positional or computed), their cells, MultiheadAttention (kdim/vdim
that split the input projection, add_bias_kv, bias=False) and TransformerEncoderLayer/DecoderLayer/
Transformer, each sometimes with `device=`/`dtype=`.  Every draw builds under torch: sizes keep the
constructors' own constraints (embed_dim divisible by num_heads, proj_size < hidden_size, padding_idx in range).

For init code, `ModuleCall.params` lists parameters the module has whatever the computed arguments turn out
to be (so a partial init never raises), as attribute paths (`encoder.layers[0].linear1.weight`) with
their number of dimensions; `dispatch_branch` gives the `isinstance` branch of a `modules()` loop or
`apply` function for a family.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

MODULE_KINDS = ["Embedding", "EmbeddingBag", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
                "MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer", "Transformer"]
RECURRENT = ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell")
CODES = {"Embedding": "INI006", "EmbeddingBag": "INI006", **{k: "INI007" for k in RECURRENT},
         "MultiheadAttention": "INI008", "TransformerEncoderLayer": "INI008", "TransformerDecoderLayer": "INI008",
         "Transformer": "INI008"}


def family(kind: str) -> str:
    if kind.startswith("Embedding"):
        return "embedding"
    if kind in RECURRENT:
        return "recurrent"
    if kind == "MultiheadAttention":
        return "attention"
    return "transformer"


@dataclass
class ModuleCall:
    call: str
    #: (attribute path, ndim) of parameters every build of the call has
    params: list = field(default_factory=list)
    #: the module has a padding row at a literal index
    padding: object = None


def _flag(draw, literal_only: bool = False) -> tuple:
    """(source, value or None when computed): a bool argument, literal or computed from `dim` (4)."""
    value = draw(st.booleans())
    if literal_only or draw(st.integers(0, 3)):
        return str(value), value
    return ("dim > 3" if value else "dim < 3"), None


def _factory(draw, root) -> list:
    """`device=` / `dtype=` keywords (none when the class cannot spell torch)."""
    out = []
    if draw(st.integers(0, 3)) == 0:
        devices = ['device="cpu"', "device=None"] + ([f'device={root}.device("cpu")'] if root else [])
        out.append(draw(st.sampled_from(devices)))
    if root and draw(st.integers(0, 3)) == 0:
        out.append(f"dtype={root}.{draw(st.sampled_from(['float64', 'float32']))}")
    return out


def _keywords(draw, pairs: list) -> list:
    """Some optional keyword arguments, in a random order."""
    chosen = [f"{name}={value}" for name, value in pairs if draw(st.booleans())]
    return draw(st.permutations(chosen)) if chosen else []


@st.composite
def module_call(draw, kind: str, spell: str, size, root) -> ModuleCall:
    """One constructor call of `kind` (`spell` is how the file names the class; `size(draw, lo, hi)` a size
    source; `root` how the class spells torch, or None)."""
    factory = _factory(draw, root)
    if kind.startswith("Embedding"):
        rows = draw(st.integers(3, 9))
        args = [str(rows), size(draw, 1, 5)]
        padding = draw(st.sampled_from([None, None, 0, 1, -1, rows - 1, "dim - dim"]))
        options = [("max_norm", "1.0"), ("sparse", "True"), ("scale_grad_by_freq", "True")]
        extra = _keywords(draw, options + ([("mode", '"sum"')] if kind == "EmbeddingBag" else []))
        if padding is not None:
            extra.append(f"padding_idx={padding}")
        call = f"{spell}({', '.join(args + extra + factory)})"
        return ModuleCall(call, [("weight", 2)], padding if isinstance(padding, int) else None)
    if kind in ("RNN", "LSTM", "GRU"):
        hidden = draw(st.integers(2, 6))
        args = [size(draw, 1, 4), str(hidden) if draw(st.integers(0, 3)) else "dim"]
        hidden_known = args[1] != "dim"
        layers = draw(st.sampled_from(["1", "2", "3", "dim // 2", None]))
        bias_text, bias = _flag(draw)
        bidirectional_text, _ = _flag(draw)
        if draw(st.integers(0, 3)) == 0 and kind != "RNN":
            # positional: (input, hidden, num_layers, bias, batch_first, dropout, bidirectional)
            args += [layers or "1", bias_text, str(draw(st.booleans())), "0.0", bidirectional_text]
        else:
            pairs = [("num_layers", layers), ("bias", bias_text), ("batch_first", str(draw(st.booleans()))),
                     ("bidirectional", bidirectional_text)]
            if kind == "RNN":
                pairs.append(("nonlinearity", draw(st.sampled_from(['"tanh"', '"relu"']))))
            args += _keywords(draw, [(n, v) for n, v in pairs if v is not None])
            bias = bias if f"bias={bias_text}" in args else True
        proj = None
        if kind == "LSTM" and draw(st.booleans()):
            literal = [str(draw(st.integers(1, hidden - 1)))] if hidden_known else []
            proj = draw(st.sampled_from(["dim - 4"] + literal))
            args.append(f"proj_size={proj}")
        params = [("weight_ih_l0", 2), ("weight_hh_l0", 2)]
        if bias is True:
            params += [("bias_ih_l0", 1), ("bias_hh_l0", 1)]
        if proj is not None and proj.isdigit():
            params.append(("weight_hr_l0", 2))
        return ModuleCall(f"{spell}({', '.join(args + factory)})", params)
    if kind in ("RNNCell", "LSTMCell", "GRUCell"):
        args = [size(draw, 1, 4), size(draw, 1, 5)]
        bias_text, bias = _flag(draw)
        form = draw(st.sampled_from(["default", "keyword", "positional"]))
        if form == "positional":
            args.append(bias_text)
        elif form == "keyword":
            args.append(f"bias={bias_text}")
        else:
            bias = True
        if kind == "RNNCell" and form != "positional" and draw(st.booleans()):
            args.append('nonlinearity="relu"')
        params = [("weight_ih", 2), ("weight_hh", 2)] + ([("bias_ih", 1), ("bias_hh", 1)] if bias is True else [])
        return ModuleCall(f"{spell}({', '.join(args + factory)})", params)
    if kind == "MultiheadAttention":
        heads = draw(st.sampled_from([1, 1, 2, 3]))
        embed = size(draw, 1, 6) if heads == 1 else str(heads * draw(st.integers(1, 3)))
        args = [embed, str(heads)] if draw(st.booleans()) else [f"embed_dim={embed}", f"num_heads={heads}"]
        bias_text, bias = _flag(draw)
        kv_text, kv = _flag(draw)
        pairs = [("bias", bias_text), ("add_bias_kv", kv_text), ("add_zero_attn", str(draw(st.booleans()))),
                 ("batch_first", str(draw(st.booleans()))), ("dropout", "0.0")]
        split = draw(st.sampled_from([None, None, "same", "literal", "computed"]))
        if split == "same":
            pairs += [("kdim", embed), ("vdim", embed)]
        elif split == "literal":
            pairs += [("kdim", str(draw(st.integers(1, 5)))), ("vdim", str(draw(st.integers(1, 5))))]
        elif split == "computed":
            pairs += [("kdim", "dim"), ("vdim", "dim + 1")]
        args += _keywords(draw, pairs)
        params = [("out_proj.weight", 2)]
        if f"bias={bias_text}" not in args or bias is True:
            params += [("in_proj_bias", 1), ("out_proj.bias", 1)]
        if f"add_bias_kv={kv_text}" in args and kv is True:
            params += [("bias_k", 3), ("bias_v", 3)]
        if split is None or (split == "same" and f"kdim={embed}" in args and f"vdim={embed}" in args):
            params.append(("in_proj_weight", 2))
        return ModuleCall(f"{spell}({', '.join(args + factory)})", params)
    heads = draw(st.sampled_from([1, 2]))
    width = size(draw, 1, 6) if heads == 1 else str(2 * draw(st.integers(1, 3)))
    feedforward = str(draw(st.integers(1, 8))) if draw(st.integers(0, 3)) else "dim"
    bias_text, bias = _flag(draw)
    pairs = [("bias", bias_text), ("norm_first", str(draw(st.booleans()))), ("batch_first", str(draw(st.booleans()))),
             ("dropout", "0.0"), ("activation", draw(st.sampled_from(['"relu"', '"gelu"'])))]
    if kind == "Transformer":
        encoders = draw(st.sampled_from(["1", "2", "dim // 2"]))
        decoders = draw(st.sampled_from(["1", "2"]))
        args = [f"d_model={width}", f"nhead={heads}", f"num_encoder_layers={encoders}",
                f"num_decoder_layers={decoders}", f"dim_feedforward={feedforward}"]
        if draw(st.booleans()):
            args = [width, str(heads), encoders, decoders, feedforward]
        args += _keywords(draw, pairs)
        biased = f"bias={bias_text}" not in args or bias is True
        params = [("encoder.layers[0].linear1.weight", 2), ("decoder.layers[0].self_attn.out_proj.weight", 2),
                  ("encoder.norm.weight", 1)] + ([("decoder.layers[0].linear2.bias", 1)] if biased else [])
        return ModuleCall(f"{spell}({', '.join(args + factory)})", params)
    args = [width, str(heads)] + ([feedforward] if draw(st.booleans()) else [f"dim_feedforward={feedforward}"])
    args += _keywords(draw, pairs)
    biased = f"bias={bias_text}" not in args or bias is True
    params = [("self_attn.out_proj.weight", 2), ("linear1.weight", 2), ("linear2.weight", 2), ("norm1.weight", 1)]
    if biased:
        params += [("linear1.bias", 1), ("linear2.bias", 1)]
    if kind == "TransformerDecoderLayer":
        params.append(("multihead_attn.out_proj.weight", 2))
    return ModuleCall(f"{spell}({', '.join(args + factory)})", params)


@st.composite
def partial_init(draw, target: str, found: ModuleCall, init: str, root) -> list:
    """Init code right after the module's statement that covers some of its parameters (maybe none)."""
    form = draw(st.sampled_from(["one", "one", "named", "loop", "data", "padding", "none"]))
    if form == "one" and found.params:
        path, ndim = draw(st.sampled_from(found.params))
        ops = ["normal_({}, std=0.02)", "zeros_({})", "uniform_({}, -0.1, 0.1)"] + \
            (["orthogonal_({})", "xavier_uniform_({})"] if ndim >= 2 else [])
        return [f"{init}." + draw(st.sampled_from(ops)).format(f"{target}.{path}")]
    if form == "named":
        word = draw(st.sampled_from(["weight_hh", "weight_ih", "bias", "weight", "out_proj", "linear1", "in_proj"]))
        op = draw(st.sampled_from(["normal_(p, std=0.02)", "zeros_(p)"]))
        body = [f"for name, p in {target}.named_parameters():", f"    if {word!r} in name:", f"        {init}.{op}"]
        if draw(st.booleans()):
            body += ["    elif p.dim() > 1:", f"        {init}.xavier_uniform_(p)"]
        return body
    if form == "loop":
        return [f"for p in {target}.parameters():", f"    {init}.uniform_(p, -0.08, 0.08)"]
    if form == "data" and found.params and root:
        path, _ = draw(st.sampled_from(found.params))
        return [f"with {root}.no_grad():", f"    {target}.{path}.data.normal_(0, 0.02)"]
    if form == "padding" and found.padding is not None:
        return [f"{target}.weight.data[{found.padding}].zero_()"]
    return []


def dispatch_branch(kinds: list, spell, init: str, variable: str = "m") -> list:
    """`elif isinstance(m, (...)):` and its body for modules of one family (`spell(kind)` names a class)."""
    check = ", ".join(spell(k) for k in kinds)
    head = f"elif isinstance({variable}, ({check},)):"
    kind = family(kinds[0])
    if kind == "embedding":
        return [head, f"    {init}.normal_({variable}.weight, std=0.02)"]
    if kind == "recurrent":
        return [head, f"    for name, p in {variable}.named_parameters():", "        if 'weight' in name:",
                f"            {init}.orthogonal_(p)", "        else:", f"            {init}.zeros_(p)"]
    if kind == "attention":
        return [head, f"    {init}.xavier_uniform_({variable}.out_proj.weight)"]
    # only the matrices: the feed-forward biases keep their default
    return [head, f"    for p in {variable}.parameters():", "        if p.dim() > 1:",
            f"            {init}.xavier_uniform_(p)"]
