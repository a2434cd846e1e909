"""Figures of a solved run (matplotlib), each saved as a PNG and a PDF.

Every function takes a run, a ``dynhat.Result`` or a ``dynhat.SavedRun`` (an output directory
of ``dynhat solve`` read back), and returns a ``matplotlib.figure.Figure`` of ``FIGSIZE``
inches; ``save_all`` writes them all at ``DPI`` (1500 x 900 pixels). From the shell:

    python3 -m dynhat.plots OUTDIR            # or: dynhat-plot OUTDIR
    # writes OUTDIR/figures/*.png and *.pdf and prints their paths

Effects are counterfactual - baseline; shares of employment are compared at the horizon slot
(T-2); welfare is in percent consumption equivalent (MODEL.md E37).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import _core
from ._results import read_run
from ._tiles import short_label, tile_positions

__all__ = ["FIGSIZE", "DPI", "FIGURES", "manufacturing_share", "sector_effects", "state_map",
           "welfare_by_market", "residuals", "save_all", "main"]

FIGSIZE = (10.0, 6.0)  # inches
DPI = 150  # PNG pixels per inch: 1500 x 900
BASELINE, COUNTERFACTUAL, EFFECT = "#4c72b0", "#dd8452", "#55a868"
DIVERGING = colormaps["RdBu"]  # red < 0 < blue


def _figure(title: str) -> Figure:
    """A figure of the standard size with its title."""
    figure = Figure(figsize=FIGSIZE, layout="constrained")
    figure.suptitle(title, fontsize=14, fontweight="bold")
    return figure


def _quarter_ticks(axis, quarters: list[str]) -> None:
    """Tick marks at the first quarter of every few years, labelled by year."""
    years = [k for k, q in enumerate(quarters) if q.endswith("Q1")]
    step = max(1, int(np.ceil(len(years) / 10)))
    axis.set_xticks(years[::step], [quarters[k][:4] for k in years[::step]])
    axis.set_xlim(0, len(quarters) - 1)


def _colour_scale(values):
    """(norm, colormap) for `values`: diverging and centred on 0 when they change sign,
    sequential over their range (blue > 0, red < 0) when they do not, so that the differences
    between states stay visible."""
    values = np.asarray(values, dtype=float)
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    if low < 0 < high:
        bound = max(-low, high)
        return Normalize(-bound, bound), DIVERGING
    if low == high:
        low, high = low - 1.0, high + 1.0
    return Normalize(low, high), colormaps["Blues" if high > 0 else "Reds_r"]


def manufacturing_share(run) -> Figure:
    """The manufacturing share of US employment by quarter, baseline and counterfactual (%),
    and the effect in percentage points."""
    paths = run.share_paths()
    quarters = paths["quarter"].tolist()
    figure = _figure("Manufacturing share of US employment")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    x = np.arange(len(quarters))
    top.plot(x, 100 * paths["baseline_manufacturing_share"], color=BASELINE, lw=2,
             label="baseline")
    top.plot(x, 100 * paths["counterfactual_manufacturing_share"], color=COUNTERFACTUAL, lw=2,
             label="counterfactual")
    top.set_ylabel("share of employment (%)")
    top.legend(frameon=False)
    bottom.plot(x, paths["manufacturing_effect_pp"], color=EFFECT, lw=2)
    bottom.axhline(0, color="0.5", lw=0.8)
    horizon = run.horizon
    bottom.axvline(horizon, color="0.5", lw=0.8, ls=":")
    effect = paths["manufacturing_effect_pp"].iloc[horizon]
    bottom.annotate(f"{effect:+.3f} pp at {quarters[horizon]}", (horizon, effect),
                    xytext=(-10, 10), textcoords="offset points", ha="right")
    bottom.set_ylabel("effect (pp)")
    bottom.set_xlabel("quarter")
    _quarter_ticks(bottom, quarters)
    for axis in (top, bottom):
        axis.grid(alpha=0.3)
    return figure


def sector_effects(run) -> Figure:
    """The effect on each sector's share of employment at the horizon (pp; manufacturing
    highlighted), and each manufacturing sector's contribution to the manufacturing effect (%)."""
    sectors = run.sector_effects()
    quarter = run.quarters[run.horizon]
    figure = _figure(f"Employment effects by sector, {quarter}")
    left, right = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    y = np.arange(len(sectors))[::-1]
    manufacturing = sectors["manufacturing"].to_numpy(dtype=bool)
    left.barh(y, sectors["effect_pp"], color=[COUNTERFACTUAL if m else BASELINE
                                              for m in manufacturing])
    left.set_yticks(y, sectors["sector"], fontsize=7)
    left.axvline(0, color="0.3", lw=0.8)
    left.set_xlabel("effect on the share of employment (pp)")
    left.set_title("Share of employment (orange: manufacturing)", fontsize=10)
    # The same rows: each manufacturing sector's share of the manufacturing effect.
    right.barh(y[manufacturing], sectors["contribution_pct"][manufacturing].fillna(0.0),
               color=COUNTERFACTUAL)
    right.axvline(0, color="0.3", lw=0.8)
    right.set_xlabel("% of the manufacturing effect")
    right.set_title("Contribution (sums to 100%)", fontsize=10)
    for axis in (left, right):
        axis.grid(axis="x", alpha=0.3)
    return figure


def _own_manufacturing_effect(states) -> np.ndarray:
    """The effect on manufacturing's share of each state's own employment (pp): the state's
    manufacturing employment over the state's employment, counterfactual minus baseline (the
    effects tables hold both as shares of US employment)."""
    return 100 * (states["counterfactual_manufacturing_share"] / states["counterfactual_share"]
                  - states["baseline_manufacturing_share"] / states["baseline_share"]).to_numpy()


# measure: (values of the state_effects table, title, colour-bar label, tile text format)
MAP_MEASURES = {
    "manufacturing": (_own_manufacturing_effect,
                      "Effect on manufacturing's share of the state's employment, {quarter}",
                      "percentage points of the state's employment", "{:+.2f}"),
    "welfare": (lambda states: states["welfare_pct"].to_numpy(), "Welfare effect by state",
                "% consumption equivalent", "{:+.2f}"),
}


def state_map(run, measure: str = "manufacturing") -> Figure:
    """A tile-grid map of the states coloured by `measure`: "manufacturing" (the effect on
    manufacturing's share of the state's own employment, pp) or "welfare" (percent
    consumption equivalent)."""
    values_of, title, unit, text = MAP_MEASURES[measure]
    states = run.state_effects()
    values = values_of(states)
    figure = _figure(title.format(quarter=run.quarters[run.horizon]))
    axis = figure.subplots()
    norm, cmap = _colour_scale(values)
    tiles = tile_positions(states["state"].tolist())
    rows = max(r for _, r, _ in tiles) + 1
    for (label, row, col), value in zip(tiles, values):
        colour = cmap(norm(value))
        axis.add_patch(_square(col, rows - 1 - row, colour))
        ink = "white" if _dark(colour) else "black"
        axis.text(col + 0.5, rows - 0.5 - row + 0.15, label, ha="center", va="center",
                  fontsize=9, fontweight="bold", color=ink)
        axis.text(col + 0.5, rows - 0.5 - row - 0.2, text.format(value), ha="center",
                  va="center", fontsize=6.5, color=ink)
    cols = max(c for _, _, c in tiles) + 1
    axis.set_xlim(-0.1, cols + 0.1)
    axis.set_ylim(-0.1, rows + 0.1)
    axis.set_aspect("equal")
    axis.axis("off")
    figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=axis, shrink=0.8, label=unit)
    return figure


def _dark(colour) -> bool:
    """Whether white text reads better than black on `colour` (RGBA)."""
    red, green, blue = colour[:3]
    return 0.299 * red + 0.587 * green + 0.114 * blue < 0.5


def _square(x: float, y: float, colour) -> Rectangle:
    """A tile with a thin white border."""
    return Rectangle((x + 0.04, y + 0.04), 0.92, 0.92, facecolor=colour, edgecolor="white")


def welfare_by_market(run) -> Figure:
    """Welfare effect of every labor market (state x sector, and non-employment) as a heat map,
    percent consumption equivalent."""
    welfare = run.welfare_by_market()
    grid = welfare.pivot(index="market", columns="state", values="welfare_pct")
    grid = grid.loc[run.market_names, run.states]
    figure = _figure("Welfare effect by labor market")
    axis = figure.subplots()
    norm, cmap = _colour_scale(grid.to_numpy().ravel())
    image = axis.imshow(grid.to_numpy(), cmap=cmap, norm=norm, aspect="auto",
                        interpolation="nearest")
    axis.set_yticks(np.arange(len(grid.index)), grid.index, fontsize=7)
    labels = [short_label(s) for s in grid.columns]
    axis.set_xticks(np.arange(len(labels)), labels, fontsize=7,
                    rotation=90 if max(map(len, labels)) > 2 or len(labels) > 30 else 0)
    axis.set_xlabel("state")
    axis.set_ylabel("market (sector, or non-employment)")
    figure.colorbar(image, ax=axis, label="welfare effect (% consumption equivalent)")
    return figure


def residuals(run) -> Figure:
    """The outer iteration's residual, max |Delta log Y| over slots and markets, after every
    iteration of each path (log scale), with the tolerance."""
    histories = run.residual_histories()
    figure = _figure("Convergence of the outer iteration")
    axis = figure.subplots()
    for path, colour in (("baseline", BASELINE), ("counterfactual", COUNTERFACTUAL)):
        if path in histories and histories[path]:
            history = histories[path]
            axis.semilogy(np.arange(1, len(history) + 1), history, "o-", color=colour, lw=2,
                          ms=4, label=f"{path} ({len(history)} iterations)")
    tol = run.report["options"]["tol"]
    axis.axhline(tol, color="0.4", ls="--", lw=1, label=f"tolerance {tol:g}")
    axis.set_xlabel("outer iteration")
    axis.set_ylabel("residual max |Δ log Y| (log scale)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(frameon=False)
    return figure


# name: figure function
FIGURES = {
    "manufacturing_share": manufacturing_share,
    "sector_effects": sector_effects,
    "map_manufacturing": lambda run: state_map(run, "manufacturing"),
    "map_welfare": lambda run: state_map(run, "welfare"),
    "welfare_by_market": welfare_by_market,
    "residuals": residuals,
}


def save_all(run, directory: os.PathLike | str) -> list[Path]:
    """Draws every figure of `run` into `directory` (created) as NAME.png (DPI) and NAME.pdf;
    returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        figure = draw(run)
        for suffix in (".png", ".pdf"):
            path = directory / f"{name}{suffix}"
            figure.savefig(path, dpi=DPI)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python3 -m dynhat.plots OUTDIR [--figures DIR]``: the figures of an output directory
    of ``dynhat solve`` (default: OUTDIR/figures)."""
    parser = argparse.ArgumentParser(prog="dynhat-plot", description=main.__doc__)
    parser.add_argument("outdir", help="an output directory of dynhat solve or dynhat demo")
    parser.add_argument("--figures", help="where to write the figures (default OUTDIR/figures)")
    args = parser.parse_args(argv)
    try:
        run = read_run(args.outdir)
    except _core.Error as e:
        parser.exit(1, f"dynhat-plot: error: {e}\n")
    target = Path(args.figures) if args.figures else Path(args.outdir) / "figures"
    for path in save_all(run, target):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
