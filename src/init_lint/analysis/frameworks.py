"""What init-lint knows about frameworks whose base classes initialize the layers of a model.

One row per framework.  To teach init-lint another framework, add a row: the qualified names
(or name suffixes) of its module base classes, the method its models call to run the
framework's init, the model method that hook applies to every submodule, and which layer
types the framework's own version of that method initializes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Framework:
    """One framework whose base classes initialize a model's layers (one row of FRAMEWORKS)."""

    name: str
    #: qualified names of base classes, or suffixes after a dot (`.PreTrainedModel`)
    bases: tuple[str, ...]
    #: calling this method (on self) applies `dispatch_method` to every submodule
    init_hook: Optional[str] = None
    #: the per-module init method the hook applies, looked up on the model's class first
    dispatch_method: Optional[str] = None
    #: layer types (catalogue names) the framework's own `dispatch_method` initializes fully
    base_covers: tuple[str, ...] = ()
    #: modules of the framework whose `apply`-style helpers take (fn, module): `named_apply(fn, module)`
    named_apply: tuple[str, ...] = ()


FRAMEWORKS: tuple[Framework, ...] = (
    Framework(
        name="transformers",
        bases=(".PreTrainedModel", "transformers.PreTrainedModel", "transformers.modeling_utils.PreTrainedModel"),
        init_hook="post_init",
        dispatch_method="_init_weights",
        base_covers=("Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d"),
    ),
    Framework(
        name="lightning",
        bases=("pytorch_lightning.LightningModule", "lightning.LightningModule", "lightning.pytorch.LightningModule",
               "pytorch_lightning.core.LightningModule", "lightning.pytorch.core.LightningModule"),
    ),
    Framework(name="timm", bases=(), named_apply=("timm.models._manipulate.named_apply", "timm.models.helpers.named_apply",
                                                  "timm.models.named_apply", "timm.models._builder.named_apply")),
)

#: modules whose every public function initializes its first argument (a tensor, or a module's weight and bias)
INIT_FUNCTION_MODULES = (
    "torch_geometric.nn.inits",
    "timm.layers.weight_init",
    "timm.models.layers.weight_init",
    "mmcv.cnn.utils.weight_init",
    "mmcv.cnn",
    "mmengine.model.weight_init",
    "mmengine.model",
)


#: other libraries' subclasses of torch layers that keep torch's constructor and its default init
#: (mmcv's wrappers only change `forward` for empty inputs): they are those torch layers
LAYER_ALIASES = {
    f"{module}.{name}": name
    for module in ("mmcv.cnn", "mmcv.cnn.bricks", "mmcv.cnn.bricks.wrappers")
    for name in ("Conv2d", "Conv3d", "ConvTranspose2d", "ConvTranspose3d", "Linear")
}


def is_init_function_module(qualified: str) -> bool:
    """A public function of a module whose every function initializes its first argument."""
    module = qualified.rsplit(".", 1)[0] if "." in qualified else ""
    name = qualified.rsplit(".", 1)[-1]
    return module in INIT_FUNCTION_MODULES and not name.startswith("_") and name[:1].islower()


def framework_of_base(qualified: str) -> Optional[Framework]:
    """The framework a base class (qualified name) belongs to, or None."""
    for framework in FRAMEWORKS:
        for base in framework.bases:
            if qualified == base or (base.startswith(".") and qualified.endswith(base)):
                return framework
    return None


def is_named_apply(qualified: Optional[str], spelled: Optional[str]) -> bool:
    """`named_apply(fn, module)`: timm's helper, or a function of that name defined elsewhere."""
    if qualified is not None and any(qualified == name for f in FRAMEWORKS for name in f.named_apply):
        return True
    return (spelled or "").rsplit(".", 1)[-1] == "named_apply"
