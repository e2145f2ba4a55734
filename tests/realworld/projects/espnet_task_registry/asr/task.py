"""Issue 11 (recall), distilled from espnet2/tasks/*.py: classes chosen by name from registries
(`ClassChoices`), `frontend.output_size()` (a method of a value, not a class being built), the model
class from a registry given the modules (a constructor: they become its children), and
`initialize(model, args.init)` only when the config names an init; modules stored in a dict of keyword
arguments (`kwargs.update(encoder=encoder)`); a classmethod calling the base's method through `super()`
(no instance to initialize).  No way of building initializes on the default config: every layer keeps
the default."""
import torch

from .encoder import Encoder, Frontend
from .initialize import initialize
from .model import ASRModel
from .registry import AbsTask, ClassChoices

frontend_choices = ClassChoices("frontend", classes=dict(default=Frontend))
encoder_choices = ClassChoices("encoder", classes=dict(default=Encoder))
model_choices = ClassChoices("model", classes=dict(asr=ASRModel))


class ASRTask(AbsTask):
    @classmethod
    def build_model(cls, args) -> torch.nn.Module:
        if args.input_size is None:
            frontend_class = frontend_choices.get_class(args.frontend)
            frontend = frontend_class(**args.frontend_conf)
            input_size = frontend.output_size()
        else:
            frontend = None
            input_size = args.input_size
        encoder_class = encoder_choices.get_class(args.encoder)
        encoder = encoder_class(input_size=input_size, **args.encoder_conf)
        kwargs = dict(frontend=frontend)
        kwargs.update(encoder=encoder)
        model_class = model_choices.get_class(args.model)
        model = model_class(vocab_size=args.vocab_size, **kwargs)
        if args.init is not None:
            initialize(model, args.init)
        return model

    @classmethod
    def build_iter_factory(cls, args, mode):
        return super().build_iter_factory(args, mode)
