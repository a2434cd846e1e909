"""Solved runs as pandas DataFrames in long form, with sector, state and quarter labels.

Two sources give the same tables with the same columns: a ``Result`` of ``dynhat.solve`` (from
the arrays in memory) and a ``SavedRun`` read from an output directory of ``dynhat solve``
(``read_run``; from its effects/*.csv tables and report.json). Effects are counterfactual -
baseline; shares are compared at the horizon slot T-2.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from . import _core

__all__ = ["Result", "SavedRun", "read_run", "NON_EMPLOYMENT"]

NON_EMPLOYMENT = "Non-employment"


class _Tables:
    """The tables every run offers; subclasses provide ``employment``, ``sector_effects``,
    ``state_effects``, ``share_paths``, ``welfare_by_market`` and ``residual_histories``."""

    def shares(self) -> pd.DataFrame:
        """Employment shares by state, sector and quarter: each (state, sector) market's share
        of total employment (all mobile states, all sectors; non-employment excluded), so the
        shares of each path sum to 1 per quarter. Columns: state, sector, quarter, baseline
        [, counterfactual]."""
        employed = self.employment()
        employed = employed[employed["market"] != NON_EMPLOYMENT].rename(
            columns={"market": "sector"})
        paths = [c for c in ("baseline", "counterfactual") if c in employed]
        totals = employed.groupby("quarter", sort=False)[paths].transform("sum")
        employed = employed.copy()
        employed[paths] = employed[paths] / totals
        return employed.reset_index(drop=True)

    def welfare_by_state(self) -> pd.DataFrame:
        """Welfare effect by state, percent consumption equivalent (L0-weighted mean over the
        state's markets). Columns: state, welfare_pct."""
        return self.state_effects()[["state", "welfare_pct"]].copy()

    def contributions(self) -> pd.DataFrame:
        """Percent of the manufacturing-share effect due to each manufacturing sector and to
        each state (each kind sums to 100). Columns: kind ("sector" or "state"), name,
        contribution_pct."""
        sectors = self.sector_effects()
        sectors = sectors[sectors["manufacturing"]]
        states = self.state_effects()
        return pd.concat([
            pd.DataFrame({"kind": "sector", "name": sectors["sector"],
                          "contribution_pct": sectors["contribution_pct"]}),
            pd.DataFrame({"kind": "state", "name": states["state"],
                          "contribution_pct": states["contribution_pct"]}),
        ], ignore_index=True)

    def manufacturing_effect_pp(self) -> float:
        """The manufacturing share's effect at the horizon, percentage points of employment."""
        paths = self.share_paths()
        return float(paths["manufacturing_effect_pp"].iloc[self.horizon])


class Result(_Tables):
    """The solve of a scenario: baseline and counterfactual paths, effects, report, labels.

    ``baseline`` and ``counterfactual`` are ``dynhat._core.Path`` objects whose arrays (``Y``,
    ``L``, ``real_wage``, ``stay`` [T][M]; ``omega`` [T][J*N]; ``price_index`` [T][N]) are
    read-only NumPy views of the library's memory; markets m = n*(J+1)+q (q = 0
    non-employment, q = 1+j sector j) for the R mobile states n. ``counterfactual`` and
    ``effects`` are None for a baseline-only solve.
    """

    def __init__(self, scenario, model, baseline, counterfactual, effects, timing,
                 baseline_reused: bool):
        self.scenario = scenario
        self.model = model
        self.baseline = baseline
        self.counterfactual = counterfactual
        self.effects = effects
        self.seconds, self.started, self.finished, self.converged = timing
        self.baseline_reused = baseline_reused
        self.sectors = list(model.sector_names)
        self.regions = list(model.region_names)
        self.states = self.regions[:model.mobile_regions]
        self.quarters = [_core.quarter_label(model.first_quarter, t)
                         for t in range(model.periods)]
        self.market_names = [NON_EMPLOYMENT] + self.sectors
        self.manufacturing = list(model.manufacturing_names)
        self.horizon = model.periods - 2

    @property
    def markets(self) -> list[tuple[str, str]]:
        """[M] (state, market) of every market m = n*(J+1)+q."""
        return [(s, q) for s in self.states for q in self.market_names]

    @property
    def report(self) -> dict:
        """The run's record, with report.json's keys: converged, seconds, description, source,
        inputs, model, options, baseline_changes, changes, news_slot, baseline, counterfactual,
        effects."""
        m = self.model
        report = {
            "converged": self.converged,
            "seconds": self.seconds,
            "description": m.description,
            "source": json.loads(m.source_json),
            "inputs": [{"role": r, "path": p, "sha256": h} for r, p, h in m.files],
            "model": {"sectors": len(self.sectors), "regions": len(self.regions),
                      "mobile_regions": m.mobile_regions,
                      "markets": len(self.states) * len(self.market_names),
                      "periods": m.periods, "beta": m.beta, "nu": m.nu,
                      "first_quarter": m.first_quarter, "migration_path": "factorised",
                      "sector_names": self.sectors,
                      "region_names": self.regions},
            "options": json.loads(m.options_json),
            "baseline_changes": json.loads(m.baseline_changes_json),
            "changes": json.loads(m.changes_json),
            "news_slot": m.news_slot,
            "baseline": {**json.loads(self.baseline.record_json(m.backend)),
                         "reused": self.baseline_reused},
        }
        if self.counterfactual is not None:
            fx = self.effects
            h = fx.horizon
            report["counterfactual"] = json.loads(self.counterfactual.record_json(m.backend))
            report["effects"] = {
                "horizon_slot": h, "horizon_quarter": self.quarters[h],
                "manufacturing_sectors": list(m.manufacturing),
                "manufacturing_share_effect_pp": float(
                    100 * (fx.manufacturing_share_counterfactual[h]
                           - fx.manufacturing_share_baseline[h])),
                "aggregate_welfare_pct": fx.aggregate_welfare,
                "effect": "counterfactual - baseline; shares at horizon_slot"}
        return report

    def _require_effects(self):
        if self.effects is None:
            raise _core.InputError("a baseline-only result has no counterfactual or effects")
        return self.effects

    def employment(self) -> pd.DataFrame:
        """Employment (persons) by state, market and quarter, one row each (as
        effects/employment_long.csv). Columns: state, market, quarter, baseline
        [, counterfactual]."""
        T, R, Q = len(self.quarters), len(self.states), len(self.market_names)
        frame = pd.DataFrame({
            "state": np.repeat(self.states, Q * T),
            "market": np.tile(np.repeat(self.market_names, T), R),
            "quarter": np.tile(self.quarters, R * Q),
            "baseline": np.asarray(self.baseline.L).T.ravel(),
        })
        if self.counterfactual is not None:
            frame["counterfactual"] = np.asarray(self.counterfactual.L).T.ravel()
        return frame

    def sector_effects(self) -> pd.DataFrame:
        """Employment shares by sector at the horizon (as effects/employment_by_sector.csv).
        Columns: sector, manufacturing, baseline_share, counterfactual_share, effect_pp,
        contribution_pct (NaN outside manufacturing)."""
        fx = self._require_effects()
        b, c = np.asarray(fx.sector_share_baseline), np.asarray(fx.sector_share_counterfactual)
        return pd.DataFrame({
            "sector": self.sectors,
            "manufacturing": [j in set(self.model.manufacturing)
                              for j in range(len(self.sectors))],
            "baseline_share": b, "counterfactual_share": c, "effect_pp": 100 * (c - b),
            "contribution_pct": np.asarray(fx.sector_contribution)})

    def state_effects(self) -> pd.DataFrame:
        """Employment and welfare effects by state (as effects/employment_by_region.csv).
        Columns: state, baseline_share, counterfactual_share, effect_pp,
        baseline_manufacturing_share, counterfactual_manufacturing_share,
        manufacturing_effect_pp, contribution_pct, welfare_pct."""
        fx = self._require_effects()
        b, c = np.asarray(fx.region_share_baseline), np.asarray(fx.region_share_counterfactual)
        mb = np.asarray(fx.region_manufacturing_baseline)
        mc = np.asarray(fx.region_manufacturing_counterfactual)
        return pd.DataFrame({
            "state": self.states, "baseline_share": b, "counterfactual_share": c,
            "effect_pp": 100 * (c - b), "baseline_manufacturing_share": mb,
            "counterfactual_manufacturing_share": mc, "manufacturing_effect_pp": 100 * (mc - mb),
            "contribution_pct": np.asarray(fx.region_contribution),
            "welfare_pct": np.asarray(fx.region_welfare)})

    def share_paths(self) -> pd.DataFrame:
        """The manufacturing share of employment and the non-employment share of the
        population by quarter (as effects/paths.csv). Columns: slot, quarter,
        baseline_manufacturing_share, counterfactual_manufacturing_share,
        manufacturing_effect_pp, baseline_nonemployment_share,
        counterfactual_nonemployment_share."""
        fx = self._require_effects()
        mb = np.asarray(fx.manufacturing_share_baseline)
        mc = np.asarray(fx.manufacturing_share_counterfactual)
        return pd.DataFrame({
            "slot": np.arange(len(self.quarters)), "quarter": self.quarters,
            "baseline_manufacturing_share": mb, "counterfactual_manufacturing_share": mc,
            "manufacturing_effect_pp": 100 * (mc - mb),
            "baseline_nonemployment_share": np.asarray(fx.nonemployment_share_baseline),
            "counterfactual_nonemployment_share": np.asarray(
                fx.nonemployment_share_counterfactual)})

    def welfare_by_market(self) -> pd.DataFrame:
        """Welfare effect of each market's slot-1 population, percent consumption equivalent
        (E37; as effects/welfare_by_market.csv). Columns: state, market, index, L0,
        welfare_pct."""
        fx = self._require_effects()
        states, markets = zip(*self.markets)
        return pd.DataFrame({
            "state": states, "market": markets, "index": np.arange(len(states)),
            "L0": np.asarray(self.model.L0), "welfare_pct": np.asarray(fx.welfare)})

    def residual_histories(self) -> dict[str, list[float]]:
        """The outer-iteration residual (max |Delta log Y|) after every iteration, by path."""
        out = {"baseline": list(self.baseline.residual_history)}
        if self.counterfactual is not None:
            out["counterfactual"] = list(self.counterfactual.residual_history)
        return out

    def __repr__(self) -> str:
        paths = "baseline" + (" + counterfactual" if self.counterfactual is not None else "")
        return (f"Result({paths}, J={len(self.sectors)}, R={len(self.states)}, "
                f"T={len(self.quarters)}, converged={self.converged})")


# pandas 3 parses doubles exactly by default (and deprecates the option that asked for it).
_EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def _csv(path: Path) -> pd.DataFrame:
    """A labelled table of an output directory, every double read back exactly."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **_EXACT)


class SavedRun(_Tables):
    """An output directory of ``dynhat solve`` (or ``dynhat demo``) read back: the same tables
    as a ``Result``, from effects/*.csv, and ``report`` (report.json as a dict)."""

    def __init__(self, directory: os.PathLike | str):
        self.directory = Path(directory)
        report_path = self.directory / "report.json"
        if not report_path.is_file():
            raise _core.InputError(f"{self.directory}: no report.json (not an output directory "
                                   "of dynhat solve)")
        self.report = json.loads(report_path.read_text(encoding="utf-8"))
        if "effects" not in self.report:
            raise _core.InputError(f"{report_path}: a baseline-only run has no effects")
        model = self.report["model"]
        self.sectors = list(model["sector_names"])
        self.regions = list(model["region_names"])
        self.states = self.regions[:model["mobile_regions"]]
        self.quarters = [_core.quarter_label(model["first_quarter"], t)
                         for t in range(model["periods"])]
        self.market_names = [NON_EMPLOYMENT] + self.sectors
        self.horizon = self.report["effects"]["horizon_slot"]
        self.manufacturing = [self.sectors[j]
                              for j in self.report["effects"]["manufacturing_sectors"]]

    def _effects(self, name: str) -> pd.DataFrame:
        return _csv(self.directory / "effects" / name)

    def employment(self) -> pd.DataFrame:
        """See Result.employment."""
        frame = self._effects("employment_long.csv")
        return frame.astype({"state": str, "market": str, "quarter": str})

    def sector_effects(self) -> pd.DataFrame:
        """See Result.sector_effects."""
        frame = self._effects("employment_by_sector.csv")
        return frame.astype({"sector": str, "manufacturing": bool})

    def state_effects(self) -> pd.DataFrame:
        """See Result.state_effects."""
        return self._effects("employment_by_region.csv").rename(
            columns={"region": "state"}).astype({"state": str})

    def share_paths(self) -> pd.DataFrame:
        """See Result.share_paths."""
        return self._effects("paths.csv").astype({"quarter": str})

    def welfare_by_market(self) -> pd.DataFrame:
        """See Result.welfare_by_market."""
        return self._effects("welfare_by_market.csv").rename(
            columns={"region": "state"}).astype({"state": str, "market": str})

    def residual_histories(self) -> dict[str, list[float]]:
        """See Result.residual_histories."""
        return {path: list(self.report[path]["outer"]["residual_history"])
                for path in ("baseline", "counterfactual") if path in self.report}

    def __repr__(self) -> str:
        return f"SavedRun({self.directory})"


def read_run(directory: os.PathLike | str) -> SavedRun:
    """Reads an output directory of ``dynhat solve`` or ``dynhat demo`` (with effects)."""
    return SavedRun(directory)
