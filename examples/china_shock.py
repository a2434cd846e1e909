"""The CDP China shock from Python, notebook style: solve, look at the tables, draw the figures.

Run from the repository root after `python3 -m pip install .` (the scenario's T = 200: a few
minutes on 2 cores; DYNHAT_EXAMPLE_PERIODS=30 for a quick look at the same shock):

    python3 examples/china_shock.py
"""

# %% The scenario: examples/china_shock.toml (the year-2000 tables of ../shared/data/cdp2000).
import os
from pathlib import Path

import dynhat
from dynhat import plots

HERE = Path(__file__).resolve().parent
PERIODS = int(os.environ.get("DYNHAT_EXAMPLE_PERIODS", 0)) or None  # None: the scenario's T
scenario = dynhat.load_scenario(HERE / "china_shock.toml")
if PERIODS is not None:
    data = scenario.data  # a dict, paths made absolute: edit and rebuild
    data["model"]["periods"] = PERIODS
    scenario = dynhat.Scenario(data)

# %% Baseline and counterfactual (one progress bar per path), then the effects.
result = dynhat.solve(scenario)
print(result)
print(f"manufacturing share effect at {result.quarters[result.horizon]}: "
      f"{result.manufacturing_effect_pp():+.3f} pp of employment")
print(f"aggregate welfare effect: {result.effects.aggregate_welfare:+.3f}% "
      "(consumption equivalent)")

# %% Long-form DataFrames with sector, state and quarter labels.
print(result.sector_effects().sort_values("effect_pp").head(5).to_string(index=False))
print(result.state_effects()[["state", "manufacturing_effect_pp", "welfare_pct"]]
      .sort_values("manufacturing_effect_pp").head(5).to_string(index=False))
employment = result.employment()  # state, market, quarter, baseline, counterfactual (persons)
print(employment[employment["quarter"] == "2007Q1"].head())

# %% The same baseline serves another counterfactual: China's growth at half the size.
half = dynhat.solve_counterfactual(result, {"productivity": [
    {**shock, "cumulative": [c ** 0.5 for c in shock["cumulative"]]}
    for shock in scenario.data["productivity"]]})
print(f"half the growth: {half.manufacturing_effect_pp():+.3f} pp")

# %% The figures, PNG and PDF, into china-figures/.
for path in plots.save_all(result, "china-figures"):
    print(path)
