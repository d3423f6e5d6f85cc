"""Restoration methods: baselines, peers and (later) our own models, behind one registry."""

from crispcall.methods.base import Method, MethodUnavailable
from crispcall.methods.registry import available_methods, create_method, known_methods

__all__ = ["Method", "MethodUnavailable", "available_methods", "create_method", "known_methods"]
