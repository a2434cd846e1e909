"""Fixtures of the Python tests: the tiny economy of tests/support/tiny_economy.cpp (3 regions,
2 sectors; A and B mobile), a tiny scenario on it (T = 20) and its solve, and the CLI when one
is built (DYNHAT_CLI, or build/src/cli/dynhat; DYNHAT_REQUIRE_CLI=1 fails instead of skipping).
"""

from __future__ import annotations

import os

# The tiny problems run fastest on one thread, and idle OpenMP threads that spin slow a shared
# machine down; set before the tests import dynhat (the CLI subprocesses inherit it).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]

# tests/support/tiny_economy.cpp, byte for byte (structures_share.csv has CRLF line ends).
TINY_TABLES = {
    "value_added_share.csv": 'sector,region,value\n"Goods, Wares",A,0.5\n"Goods, Wares",B,0.4\n'
    '"Goods, Wares",C,0.6\nServices,A,1\nServices,B,0.5\nServices,C,0.25\n',
    "structures_share.csv": "region,value\r\nA,0.5\r\nB,0.25\r\nC,0.4\r\n",
    "sectoral_dispersion.csv": 'sector,value\n"Goods, Wares",0.25\nServices,0.5\n',
    "bilateral_trade.csv": "sector,destination,source,value\n"
    + "".join(f'"Goods, Wares",{d},{s},{v}\n' for (d, s), v in zip(
        [(d, s) for d in "ABC" for s in "ABC"], [6, 2, 2, 1, 4, 0, 3, 1, 16]))
    + "".join(f"Services,{d},{s},{v}\n" for (d, s), v in zip(
        [(d, s) for d in "ABC" for s in "ABC"], [8, 0, 0, 0, 6, 2, 2, 0, 10])),
    "gross_output.csv": 'sector,region,value\n"Goods, Wares",A,10\n"Goods, Wares",B,7\n'
    '"Goods, Wares",C,18\nServices,A,10\nServices,B,6\nServices,C,12\n',
    "io_coefficients.csv": "country,source_sector,dest_sector,value\n"
    'United States,"Goods, Wares","Goods, Wares",0.5\nUnited States,"Goods, Wares",Services,0.2\n'
    'United States,Services,"Goods, Wares",0.5\nUnited States,Services,Services,0.8\n'
    'C,"Goods, Wares","Goods, Wares",1\nC,"Goods, Wares",Services,0.25\n'
    'C,Services,"Goods, Wares",0\nC,Services,Services,0.75\n',
}


def write_tiny_inputs(directory: Path) -> dict:
    """Writes the tiny economy's tables, L0 and mu0 (as tests/cli_test.sh) into `directory`;
    returns the tiny scenario as a dict (absolute paths)."""
    tables = directory / "tiny_economy"
    tables.mkdir(parents=True, exist_ok=True)
    for name, text in TINY_TABLES.items():
        (tables / name).write_bytes(text.encode())
    (directory / "tiny_L0.csv").write_text("1000\n800\n300\n900\n700\n200\n")
    mu0 = np.full((6, 6), 0.02) + np.eye(6) * 0.88
    (directory / "tiny_mu0.csv").write_text(
        "".join(",".join(repr(float(v)) for v in row) + "\n" for row in mu0))
    return {
        "data": {"tables": str(tables), "L0": str(directory / "tiny_L0.csv"),
                 "mu0": str(directory / "tiny_mu0.csv"), "mobile_regions": 2},
        "model": {"periods": 20},
        "productivity": [{"sectors": ["Services"], "regions": ["C"], "quarters": [1, 5],
                          "cumulative": 1.5}],
        "effects": {"manufacturing": [0]},
    }


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    """A directory holding the tiny economy, L0, mu0 and scenario.toml."""
    return tmp_path_factory.mktemp("tiny")


@pytest.fixture(scope="session")
def tiny_scenario(tiny_dir) -> dict:
    """The tiny scenario as a dict (a fresh copy per test is made by the tests that edit it)."""
    return write_tiny_inputs(tiny_dir)


@pytest.fixture(scope="session")
def tiny_result(tiny_scenario):
    """The tiny scenario solved once for the session."""
    import dynhat

    return dynhat.solve(tiny_scenario, progress=False)


@pytest.fixture(scope="session")
def cli() -> str:
    """The dynhat command-line tool built from this repository."""
    candidate = os.environ.get("DYNHAT_CLI") or str(ROOT / "build" / "src" / "cli" / "dynhat")
    if Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return candidate
    if shutil.which(candidate):
        return shutil.which(candidate)
    if os.environ.get("DYNHAT_REQUIRE_CLI"):
        pytest.fail(f"DYNHAT_REQUIRE_CLI is set but {candidate} is not an executable")
    pytest.skip(f"no dynhat CLI at {candidate} (set DYNHAT_CLI)")
