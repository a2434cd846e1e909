"""The Python API: scenarios and their errors, solves and reused baselines, zero-copy arrays,
DataFrames, cancellation, and the building blocks on NumPy inputs."""

from __future__ import annotations

import copy
import gc
import os
import signal
import threading
import time

import numpy as np
import pytest

import dynhat

from test_cli_parity import PATH_FILES, same_bits


def edited(scenario: dict, **tables) -> dict:
    """A deep copy of `scenario` with tables (dicts) updated key by key."""
    out = copy.deepcopy(scenario)
    for name, values in tables.items():
        out.setdefault(name, {}).update(values)
    return out


# --- scenarios and input errors ---------------------------------------------------------------


def test_scenario_errors_carry_the_library_messages(tiny_scenario, tiny_dir):
    with pytest.raises(dynhat.InputError, match=r"^scenario dict:8:11: model.periods = 2 "
                       r"must be >= 3$"):
        dynhat.Scenario(edited(tiny_scenario, model={"periods": 2}))
    bad = tiny_dir / "bad.toml"
    bad.write_text(dynhat.to_toml(edited(tiny_scenario, model={"periods": 2})))
    with pytest.raises(dynhat.InputError, match=r"bad.toml:8:11: model.periods = 2 must be >= 3"):
        dynhat.load_scenario(bad)
    with pytest.raises(dynhat.InputError, match="unknown key model.periodz"):
        dynhat.Scenario(edited(tiny_scenario, model={"periodz": 3}))
    with pytest.raises(dynhat.InputError, match="nope.toml: scenario file not found"):
        dynhat.load_scenario(tiny_dir / "nope.toml")
    assert issubclass(dynhat.InputError, ValueError)
    assert issubclass(dynhat.InputError, dynhat.Error)


def test_model_errors_raise_before_solving(tiny_scenario, tiny_dir):
    shock = copy.deepcopy(tiny_scenario)
    shock["productivity"][0]["regions"] = ["Z"]
    with pytest.raises(dynhat.InputError, match=r'regions\[0\] = "Z" is not a region'):
        dynhat.solve(shock, progress=False)
    mu0 = tiny_dir / "bad_mu0.csv"
    mu0.write_text("\n".join(["0.5,0.5,0,0,0,0"] + ["0.1,0,0,0,0,0"] * 5) + "\n")
    with pytest.raises(dynhat.InputError, match="bad_mu0.csv row 1 sums to 0.1"):
        dynhat.solve(edited(tiny_scenario, data={"mu0": str(mu0)}), progress=False)


def test_relative_paths_resolve_against_the_current_directory(tiny_scenario, tiny_dir,
                                                              monkeypatch):
    monkeypatch.chdir(tiny_dir)
    scenario = dynhat.Scenario(edited(tiny_scenario, data={"L0": "tiny_L0.csv"}))
    assert scenario.data["data"]["L0"] == str(tiny_dir / "tiny_L0.csv")
    assert scenario.periods == 20 and scenario.first_quarter == "2000Q1"


# --- solves -----------------------------------------------------------------------------------


def test_result_arrays_are_read_only_views_kept_alive(tiny_scenario):
    result = dynhat.solve(tiny_scenario, progress=False)
    L = result.baseline.L
    assert L.shape == (20, 6) and not L.flags.writeable and not L.flags.owndata
    copy_of_L = np.array(L)
    del result
    gc.collect()
    assert same_bits(L, copy_of_L)  # the view keeps the C++ path alive
    assert L[0].tolist() == [1000, 800, 300, 900, 700, 200]


def test_one_baseline_serves_many_counterfactuals(tiny_scenario, tiny_result):
    baseline = dynhat.solve_baseline(tiny_scenario, progress=False)
    assert baseline.counterfactual is None and baseline.converged
    again = dynhat.solve_counterfactual(baseline, progress=False)
    assert again.baseline_reused and again.report["baseline"]["reused"]
    for k in PATH_FILES:
        assert same_bits(getattr(again.counterfactual, k),
                         getattr(tiny_result.counterfactual, k)), k
    bigger = dynhat.solve_counterfactual(baseline, {"productivity": [
        {"sectors": ["Services"], "regions": ["C"], "quarters": [1, 5], "cumulative": 2.0}]},
        progress=False)
    assert bigger.converged
    assert abs(bigger.manufacturing_effect_pp()) > abs(again.manufacturing_effect_pp())
    longer = edited(tiny_scenario, model={"periods": 21})
    with pytest.raises(dynhat.InputError, match="model.periods is 20 in the saved baseline, "
                       "21 in this scenario"):
        dynhat.solve_counterfactual(baseline, longer, progress=False)


def test_report_has_the_manifest_records(tiny_result):
    report = tiny_result.report
    assert report["converged"] is True
    assert report["model"]["markets"] == 6 and report["model"]["sector_names"] == [
        "Goods, Wares", "Services"]
    assert report["baseline"]["outer"]["iterations"] == tiny_result.baseline.iterations
    assert report["counterfactual"]["temporary_equilibria"]["converged"] is True
    assert report["effects"]["horizon_quarter"] == "2004Q3"
    assert [f["role"] for f in report["inputs"]][:2] == ["scenario",
                                                          "tables/bilateral_trade.csv"]
    assert len(report["changes"]["productivity"]["rows"]) == 5  # quarters 1..5


def test_progress_bars_and_callables(tiny_scenario, capsys):
    calls = []
    dynhat.solve(tiny_scenario, progress=lambda *args: calls.append(args))
    paths = [c[0] for c in calls]
    assert paths[0] == "baseline" and paths[-1] == "counterfactual"
    assert [c[1] for c in calls if c[0] == "baseline"] == list(
        range(1, paths.count("baseline") + 1))
    dynhat.solve(tiny_scenario, progress=True)
    err = capsys.readouterr().err
    assert "baseline" in err and "counterfactual" in err and "residual=" in err


def test_the_gil_is_released_while_solving(tiny_scenario):
    """Python keeps running beside a solve in another thread: the main thread ticks every
    millisecond while the solve thread is alive (with the GIL held throughout it would tick only
    in the few milliseconds of Python code around the library call)."""
    scenario = dynhat.Scenario(tiny_scenario)  # its file lives as long as the object
    model = dynhat._core.load_model(scenario._file, None)
    started = threading.Event()

    def work():
        started.set()
        dynhat._core.solve(model, None, None, None, True, None, "csv", "")

    solver = threading.Thread(target=work)
    solver.start()
    started.wait()
    ticks, begun = 0, time.perf_counter()
    while solver.is_alive():
        ticks += 1
        time.sleep(0.001)
    solver.join()
    elapsed = time.perf_counter() - begun
    assert elapsed < 0.05 or ticks >= 10, (ticks, elapsed)


def test_a_raising_callback_stops_the_solve_cleanly(tiny_scenario, tmp_path):
    seen = []

    def stop(path, iteration, residual, seconds):
        seen.append(iteration)
        if iteration == 2:
            raise ValueError("stop here")

    with pytest.raises(ValueError, match="stop here"):
        dynhat.solve(tiny_scenario, progress=stop, out=tmp_path / "out")
    assert seen == [1, 2]
    assert list(tmp_path.iterdir()) == []  # nothing written, not even the staging directory
    assert dynhat.solve(tiny_scenario, progress=False).converged  # and the library still works


def test_ctrl_c_raises_keyboard_interrupt(tiny_scenario, tmp_path):
    """SIGINT delivered during a solve (here by the callback, to be deterministic) is seen at
    the next iteration and raised as KeyboardInterrupt."""

    def interrupt(path, iteration, residual, seconds):
        if path == "counterfactual" and iteration == 1:
            os.kill(os.getpid(), signal.SIGINT)

    # Python's own handler, as in an interactive session (a background job inherits SIGINT
    # ignored, and Python then leaves it so).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            dynhat.solve(tiny_scenario, progress=interrupt, out=tmp_path / "out")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert not (tmp_path / "out").exists()


# --- DataFrames -------------------------------------------------------------------------------


def test_dataframes_shapes_labels_and_sums(tiny_result):
    T, R, J = 20, 2, 2
    employment = tiny_result.employment()
    assert employment.shape == (R * (J + 1) * T, 5)
    assert list(employment.columns) == ["state", "market", "quarter", "baseline",
                                        "counterfactual"]
    assert employment["quarter"].iloc[:5].tolist() == ["2000Q1", "2000Q2", "2000Q3", "2000Q4",
                                                       "2001Q1"]
    assert employment["quarter"].iloc[T - 1] == "2004Q4"
    assert set(employment["market"]) == {"Non-employment", "Goods, Wares", "Services"}
    assert set(employment["state"]) == {"A", "B"}
    shares = tiny_result.shares()
    assert shares.shape == (R * J * T, 5)
    sums = shares.groupby("quarter")[["baseline", "counterfactual"]].sum()
    assert np.allclose(sums.to_numpy(), 1.0, rtol=0, atol=1e-14)  # 4 terms: a few ulps
    sectors = tiny_result.sector_effects()
    assert sectors["sector"].tolist() == ["Goods, Wares", "Services"]
    assert np.isclose(sectors["baseline_share"].sum(), 1.0, atol=1e-14)
    assert np.isclose(sectors["effect_pp"].sum(), 0.0, atol=1e-12)
    contributions = tiny_result.contributions()
    for kind in ("sector", "state"):
        assert np.isclose(contributions.loc[contributions["kind"] == kind,
                                            "contribution_pct"].sum(), 100.0, atol=1e-9)
    welfare = tiny_result.welfare_by_market()
    assert welfare.shape == (R * (J + 1), 5) and welfare["index"].tolist() == list(range(6))
    assert tiny_result.welfare_by_state()["state"].tolist() == ["A", "B"]
    paths = tiny_result.share_paths()
    assert paths.shape == (T, 7)
    assert tiny_result.manufacturing_effect_pp() == paths["manufacturing_effect_pp"].iloc[T - 2]


# --- building blocks --------------------------------------------------------------------------


def test_economy_and_equilibrium(tiny_scenario):
    economy = dynhat.load_economy(tiny_scenario["data"]["tables"], 2)
    assert (economy.sectors, economy.regions, economy.mobile_regions) == (2, 3, 2)
    assert economy.sector_names == ["Goods, Wares", "Services"]
    assert economy.trade_shares.shape == (2, 3, 3) and economy.G.shape == (3, 2, 2)
    assert np.allclose(economy.trade_shares.sum(axis=2)[economy.absorption > 0], 1.0)
    base = dynhat.equilibrium(economy)
    assert base.report.converged and base.omega.shape == (2, 3)
    shock = np.ones((2, 3))
    shock[1, 2] = 1.5
    shocked = dynhat.equilibrium(economy, productivity=shock)
    assert shocked.report.converged and shocked.real_wage.shape == (2, 3)
    with pytest.raises(dynhat.InputError, match="productivity is 3 x 2, must be 2 x 3"):
        dynhat.equilibrium(economy, productivity=np.ones((3, 2)))
    with pytest.raises(dynhat.InputError, match="value_added_share.csv"):
        dynhat.load_economy(os.path.dirname(tiny_scenario["data"]["L0"]), 2)


def test_household_solvers():
    mu0 = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.02, 0.03, 0.95]])
    L0 = np.array([100.0, 50.0, 25.0])
    wage = np.ones((8, 3))
    wage[1:5, 1] = 1.05
    hat = dynhat.household_hat(mu0, L0, wage, beta=0.99, nu=2.0)
    assert hat.report.converged and hat.Y.shape == (8, 3) and hat.L.shape == (9, 3)
    assert hat.L[0].tolist() == [100, 50, 25]
    assert np.isclose(hat.L[-1].sum(), 175.0, rtol=1e-12)  # migration keeps the population
    bad = mu0.copy()
    bad[1, 1] = 0.7
    with pytest.raises(dynhat.InputError, match=r"mu0 row 1 sums to 0.8999.*must be 1"):
        dynhat.household_hat(bad, L0, wage)
    tau = np.array([[0, 0.5, 2], [1, 0, 1], [3, 1, 0]], dtype=float)
    utility = np.array([[0.1 * t, 0.2, 0.1] for t in range(5)])
    levels = dynhat.household_levels(tau, utility, L0, beta=0.95, nu=1.5)
    assert levels.report.converged and levels.V.shape == (6, 3) and levels.L.shape == (6, 3)
