"""Built-in analysis rules, one module each; importing them registers them."""

from __future__ import annotations

import importlib

RULE_MODULES = (
    "unreachable_state",
    "dead_end_state",
    "no_path_to_final",
    "final_state_has_exit",
    "required_step_skippable",
    "ambiguous_transition",
    "unfireable_transition",
    "untriggerable_timer",
    "ownership_gap",
    "duplicate_ownership",
    "escalation_into_gap",
    "escalation_cycle",
    "transfer_loop",
    "escalation_depth",
    "grant_matches_nothing",
    "unused_role",
    "no_workflow",
    "overlapping_workflows",
    "sla_target_unreachable",
    "sla_applies_to_nothing",
    "policy_separation_of_duties",
    "policy_never_handles",
    "policy_four_eyes",
    "policy_owners",
    "policy_required_before",
    "policy_sla",
    "policy_max_transfers",
    "policy_max_escalation_depth",
)

_loaded = False


def load_all() -> None:
    """Import every rule module once, so that the registry is complete."""
    global _loaded
    if _loaded:
        return
    for name in RULE_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    _loaded = True
