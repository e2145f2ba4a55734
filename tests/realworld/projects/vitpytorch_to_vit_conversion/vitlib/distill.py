"""Issue 11 (recall), distilled from vit_pytorch/distill.py: a distillable subclass converts itself back
with `to_vit()`, which builds a plain ViT and loads the subclass's weights into it.  That copy is
initialized (by the load); it says nothing of the ViTs users build, nor of the layers the subclass
itself builds through `super().__init__`: they keep the default."""
from .vit import ViT


class DistillableViT(ViT):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.args = args
        self.kwargs = kwargs

    def to_vit(self):
        v = ViT(*self.args, **self.kwargs)
        v.load_state_dict(self.state_dict())
        return v
