"""A factory: it hands the class to whoever calls it and initializes nothing itself."""
from .gate import Gate


def get_gate(name):
    return {"gate": Gate}[name]
