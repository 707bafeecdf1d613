"""Diagrams of the compiled model: workflow state machines and the escalation chart."""
