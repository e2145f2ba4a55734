"""Distilled from espnet2/tasks/enh_s2t.py: a task that builds its subtasks' models through their
tasks, each from a plain `argparse.Namespace` (options, not a module: handing it to the subtask's
`build_model` hands no module out of sight), and assembles them in a model class of the project."""
import argparse

from .model import SpeakerModel
from .registry import AbsTask
from .task import SpeakerTask

name2task = {"spk": SpeakerTask}


class JointTask(AbsTask):
    @classmethod
    def build_model(cls, args):
        spk_model = name2task[args.subtask].build_model(argparse.Namespace(**args.subtask_conf))
        return SpeakerModel(encoder=spk_model, projector=None)
