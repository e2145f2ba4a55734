"""Runtime verification: prove that init-lint's fixes keep every initial value, and that its recipes
still match the installed PyTorch.

This is the one part of init-lint that runs user code and needs torch (`pip install 'init-lint[verify]'`).
torch is imported inside functions only, and user code only in child processes (see `runner`).
"""

from init_lint.verify.recipes import RecipeCheck, RecipeSelftestReport, run_recipe_selftest
from init_lint.verify.results import ClassVerification, FileVerification, TensorDifference
from init_lint.verify.runner import assert_fix_preserves_init, locate_module, verify_file, verify_paths, verify_sources

__all__ = [
    "ClassVerification",
    "FileVerification",
    "RecipeCheck",
    "RecipeSelftestReport",
    "TensorDifference",
    "assert_fix_preserves_init",
    "locate_module",
    "run_recipe_selftest",
    "verify_file",
    "verify_paths",
    "verify_sources",
]
