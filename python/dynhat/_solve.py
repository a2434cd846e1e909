"""Solving scenarios: ``solve``, ``solve_baseline`` and ``solve_counterfactual``.

Every solve runs in the library with the GIL released. Progress comes back once per outer
iteration; Ctrl-C (or an exception raised by a progress callable) stops the solve at the next
iteration and is raised here, and nothing is written. With ``out=`` the output directory of
``dynhat solve`` is written (the same files; all or none, checked before solving).
"""

from __future__ import annotations

import json
import os
import shlex
import sys

from . import _core
from ._progress import progress_callbacks
from ._results import Result
from ._scenario import Scenario, as_scenario, core_file

__all__ = ["solve", "solve_baseline", "solve_counterfactual", "demo"]


def _load(scenario: Scenario, backend: str | None):
    """The library's model inputs of `scenario` (messages name a dict scenario as such)."""
    parsed, temporary = core_file(scenario)
    try:
        return _core.load_model(parsed, backend)
    except _core.InputError as e:
        if temporary is None:
            raise
        raise _core.InputError(str(e).replace(temporary, "scenario dict")) from None


def _run(scenario, model, progress, baseline: Result | None, counterfactual: bool, out,
         format: str) -> Result:
    """One library solve and its Result."""
    total = json.loads(model.options_json)["max_iterations"]
    on_baseline, on_counterfactual, close = progress_callbacks(progress, total)
    command_line = shlex.join([os.path.basename(sys.executable), *sys.argv])
    try:
        solved, path, effects, *timing = _core.solve(
            model, on_baseline, on_counterfactual,
            None if baseline is None else baseline.baseline, counterfactual,
            None if out is None else os.fspath(out), format, command_line)
    finally:
        close()
    return Result(scenario, model, baseline.baseline if baseline is not None else solved,
                  path, effects, tuple(timing), baseline is not None)


def solve(scenario, backend: str | None = None, progress=True, out=None,
          format: str = "csv") -> Result:
    """Solves a scenario: baseline, counterfactual and effects.

    scenario: a ``dynhat.Scenario``, a dict with a scenario file's keys, or a TOML file path.
    backend: "cpu" or "cuda"; None keeps the scenario's ``solver.backend`` (default "cpu").
    progress: True for one tqdm bar per path (residual in the postfix), False for none, or a
        callable ``(path, iteration, residual, seconds)``; whatever it raises stops the solve.
    out: an output directory to write as ``dynhat solve --out`` does (None: nothing written);
        format: "csv", "npy" or "mat" for its matrices (mat: CSV paths plus the replication
            kit's baseline.mat and counterfactual.mat).
    Raises ``dynhat.InputError`` with the library's message for invalid inputs.
    """
    scenario = as_scenario(scenario)
    return _run(scenario, _load(scenario, backend), progress, None, True, out, format)


def solve_baseline(scenario, backend: str | None = None, progress=True, out=None,
                   format: str = "csv") -> Result:
    """Solves the baseline of a scenario only (as ``dynhat baseline``), to serve many
    counterfactuals through ``solve_counterfactual``. Arguments as for ``solve``."""
    scenario = as_scenario(scenario)
    return _run(scenario, _load(scenario, backend), progress, None, False, out, format)


def solve_counterfactual(baseline: Result, changes=None, backend: str | None = None,
                         progress=True, out=None, format: str = "csv") -> Result:
    """A counterfactual relative to a solved baseline, which is not solved again.

    changes: None (the baseline scenario's own shocks), a dict with ``productivity`` and/or
    ``trade_costs`` lists of shock entries (the keys of a scenario file's [[productivity]] and
    [[trade_costs]]; they replace the scenario's shocks) and optionally ``effects``, or a whole
    Scenario (dict or file) with the same data, model and tolerances as the baseline's (else
    ``dynhat.InputError`` names the first difference). The result equals ``solve`` of the
    same scenario bit for bit.
    """
    if isinstance(changes, Scenario) or isinstance(changes, (str, os.PathLike)):
        scenario = as_scenario(changes)
    elif changes is None:
        scenario = baseline.scenario
    elif isinstance(changes, dict) and "data" in changes:
        scenario = Scenario(changes)
    else:
        scenario = baseline.scenario.with_changes(changes)
    model = _load(scenario, backend or baseline.model.backend)
    _core.require_baseline_for(baseline.model, baseline.baseline, model)
    return _run(scenario, model, progress, baseline, True, out, format)


def demo(regions: int = 87, mobile_regions: int = 50, sectors: int = 22, periods: int = 200,
         seed: int = 20190101, factor: float = 2.0, backend: str = "cpu", progress=True,
         out=None, format: str = "csv") -> Result:
    """The embedded default of ``dynhat demo``: a seeded synthetic economy and a China-like
    shock (a country's manufacturing productivity times `factor` over 28 quarters)."""
    model = _core.demo_model(regions, mobile_regions, sectors, periods, seed, factor, backend)
    return _run(None, model, progress, None, True, out, format)
