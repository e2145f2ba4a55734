"""A registry of classes by name and a task base class (no torch: plain Python)."""


class ClassChoices:
    def __init__(self, name, classes):
        self.name = name
        self.classes = classes

    def get_class(self, name):
        return self.classes[name]


class AbsTask:
    pass
