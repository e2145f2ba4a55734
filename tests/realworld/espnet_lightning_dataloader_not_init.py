"""Issue 11 (recall), distilled from espnet2/train/lightning_espnet_model.py (LitESPnetModel): a
Lightning module whose `val_dataloader` hands the module (and a plain options object) to the task's
loader factory.  A data loader loads data, not weights: "load" in `dataloader` is no init, so this
code, run after construction for another purpose, initializes nothing, and the layer keeps the
default.  no-verify (lightning is not installed)."""
import lightning as L
import torch.nn as nn

from espnet_like.loaders import DistributedOption, build_iter_factory


class LitModel(L.LightningModule):
    def __init__(self, size):
        super().__init__()
        self.proj = nn.Linear(size, size)  # expect: INI001

    def val_dataloader(self):
        factory = build_iter_factory(self, distributed_option=DistributedOption(distributed=True), mode="valid")
        return factory.build_iter(epoch=self.current_epoch)
