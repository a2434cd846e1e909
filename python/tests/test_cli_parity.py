"""The Python results equal the CLI's for the same scenario, to the last bit."""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

import dynhat

PATH_FILES = ["Y", "L", "real_wage", "stay", "omega", "price_index"]
TABLES = ["employment", "shares", "sector_effects", "state_effects", "share_paths",
          "welfare_by_market", "welfare_by_state", "contributions"]


def same_bits(a, b) -> bool:
    """Equal shapes and equal bytes (NaN payloads and signed zeros included)."""
    a, b = np.ascontiguousarray(a, dtype=np.float64), np.ascontiguousarray(b, dtype=np.float64)
    return a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))


def path_arrays(result):
    """{file name: array} of a Result as an output directory stores it (npy)."""
    arrays = {f"baseline/{k}.npy": getattr(result.baseline, k) for k in PATH_FILES}
    cf = result.counterfactual
    for k in PATH_FILES:
        arrays[f"counterfactual/{k}.npy"] = cf.Y_relative if k == "Y" else getattr(cf, k)
    arrays["counterfactual/Y_own.npy"] = cf.Y
    return arrays


@pytest.fixture(scope="module")
def cli_run(cli, tiny_dir, tiny_scenario):
    """The tiny scenario as a file, solved by `dynhat solve --format npy`."""
    scenario = tiny_dir / "scenario.toml"
    scenario.write_text(dynhat.to_toml(tiny_scenario))
    out = tiny_dir / "cli-npy"
    subprocess.run([cli, "solve", str(scenario), "--out", str(out), "--format", "npy",
                    "--quiet"], check=True)
    return scenario, out


def test_paths_equal_the_cli_bit_for_bit(cli_run):
    scenario, out = cli_run
    result = dynhat.solve(dynhat.load_scenario(scenario), progress=False)
    assert result.converged
    for name, array in path_arrays(result).items():
        assert same_bits(np.load(out / name), array), name


def test_dict_scenario_and_tables_equal_the_cli(cli_run, tiny_result):
    """A dict scenario solves to the same bits as its file; the DataFrames equal the CLI's
    effects tables read back exactly."""
    _, out = cli_run
    for name, array in path_arrays(tiny_result).items():
        assert same_bits(np.load(out / name), array), name
    saved = dynhat.read_run(out)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(tiny_result, table)(), getattr(saved, table)(),
                                      check_exact=True, check_dtype=False, obj=table)
    assert saved.residual_histories() == tiny_result.residual_histories()


def test_out_writes_the_cli_outputs(cli_run, tiny_result, tiny_scenario, tmp_path):
    """solve(out=...) writes the files of `dynhat solve` with the same matrices."""
    _, cli_out = cli_run
    result = dynhat.solve(tiny_scenario, progress=False, out=tmp_path / "py", format="npy")
    written = sorted(p.relative_to(tmp_path / "py").as_posix()
                     for p in (tmp_path / "py").rglob("*") if p.is_file())
    expected = sorted(p.relative_to(cli_out).as_posix() for p in cli_out.rglob("*")
                      if p.is_file())
    assert written == expected
    for name in path_arrays(result):
        assert same_bits(np.load(tmp_path / "py" / name), np.load(cli_out / name)), name
    assert (tmp_path / "py" / "effects" / "employment_long.csv").read_bytes() == (
        cli_out / "effects" / "employment_long.csv").read_bytes()
