"""armlint: a fast, exact linter and planner for Azure VM guest patching in infrastructure code."""

__version__ = "0.1.0"
