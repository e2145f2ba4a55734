"""Issue 11 (recall), distilled from espnet2/tasks/spk.py (SpeakerTask.build_model): modules chosen by
name from registries (`ClassChoices`) handed to a model class imported from another file of the
project (`ESPnetSpeakerModel(encoder=encoder, ...)`, not a class held in a variable), and
`initialize(model, args.init)` only when the config names an init.  Handing them to the imported
model class makes them its children (the class is the project's own: project mode sees that it
initializes nothing), not code out of sight: on the default config every layer keeps the default."""
import torch

from .encoder import XvectorEncoder
from .initialize import initialize
from .model import SpeakerModel
from .projector import Projector
from .registry import AbsTask, ClassChoices

encoder_choices = ClassChoices("encoder", classes=dict(xvector=XvectorEncoder))
projector_choices = ClassChoices("projector", classes=dict(linear=Projector))


class SpeakerTask(AbsTask):
    @classmethod
    def build_model(cls, args) -> torch.nn.Module:
        encoder_class = encoder_choices.get_class(args.encoder)
        encoder = encoder_class(input_size=args.input_size, **args.encoder_conf)
        projector_class = projector_choices.get_class(args.projector)
        projector = projector_class(input_size=encoder.output_size(), **args.projector_conf)
        model = SpeakerModel(encoder=encoder, projector=projector)
        if args.init is not None:
            initialize(model, args.init)
        return model
