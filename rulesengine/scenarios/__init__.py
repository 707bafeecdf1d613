"""Scenario tests for the rules (``rulesengine test``): files, runner and coverage."""

from .coverage import Coverage
from .runner import ScenarioResult, StepResult, TestRun, run_scenarios
from .spec import INVALID_SCENARIO, Scenario, Step, load_scenarios, read_scenario_files

__all__ = [
    "INVALID_SCENARIO",
    "Coverage",
    "Scenario",
    "ScenarioResult",
    "Step",
    "StepResult",
    "TestRun",
    "load_scenarios",
    "read_scenario_files",
    "run_scenarios",
]
