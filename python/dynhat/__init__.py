"""dynhat: the Caliendo-Dvorkin-Parro dynamic spatial model solved by dynamic hat algebra.

The Python face of the dynhat C++/CUDA library (the same library as the ``dynhat`` command):

    import dynhat
    result = dynhat.solve("examples/china_shock.toml")     # baseline, counterfactual, effects
    result.share_paths()                                  # pandas DataFrames in long form
    dynhat.plots.save_all(result, "figures")              # the figures, PNG and PDF

Scenarios (``load_scenario``, ``Scenario`` from a dict), solves (``solve``, ``solve_baseline``,
``solve_counterfactual``, ``demo``), output directories (``read_run``), and the building
blocks on NumPy arrays (``load_economy``, ``equilibrium``, ``household_levels``,
``household_hat``). Invalid inputs raise ``InputError`` with the library's messages; every
library error is an ``Error``.
"""

from ._core import (Economy, Error, InputError, cuda_compiled, cuda_device_count, equilibrium,
                    household_hat, household_levels, load_economy, quarter_label)
from ._results import Result, SavedRun, read_run
from ._scenario import Scenario, load_scenario, to_toml
from ._solve import demo, solve, solve_baseline, solve_counterfactual

__all__ = [
    "Economy", "Error", "InputError", "Result", "SavedRun", "Scenario", "cuda_compiled",
    "cuda_device_count", "demo", "equilibrium", "household_hat", "household_levels",
    "load_economy", "load_scenario", "quarter_label", "read_run", "solve", "solve_baseline",
    "solve_counterfactual", "to_toml",
]
__version__ = "0.1.0"
