"""A `pl.LightningModule` is a plain nn.Module for init purposes: its layers keep the default unless the module initializes them (pattern from design section 3 and issue 6: `pl.LightningModule` as a common base). no-verify: imports pytorch_lightning.

The encoder is default-init (true findings); the decoder is initialized in `__init__`.
"""
import pytorch_lightning as pl
import torch
from torch import nn


class LitAutoEncoder(pl.LightningModule):
    def __init__(self, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(
            nn.Linear(28 * 28, 64),  # expect: INI001
            nn.ReLU(),
            nn.Linear(64, 3),  # expect: INI001
        )
        self.decoder = nn.Sequential(nn.Linear(3, 64), nn.ReLU(), nn.Linear(64, 28 * 28))
        for m in self.decoder:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def training_step(self, batch, batch_idx):
        x, _ = batch
        x = x.view(x.size(0), -1)
        loss = nn.functional.mse_loss(self.decoder(self.encoder(x)), x)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
