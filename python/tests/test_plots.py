"""The figures: every function draws a non-empty image of the stated size, from a Result and
from an output directory (python3 -m dynhat.plots OUTDIR)."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

import dynhat
from dynhat import plots


def png_size(path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


EXPECTED = (round(plots.FIGSIZE[0] * plots.DPI), round(plots.FIGSIZE[1] * plots.DPI))


@pytest.mark.parametrize("name", sorted(plots.FIGURES))
def test_each_function_returns_a_figure_with_axes(tiny_result, name):
    figure = plots.FIGURES[name](tiny_result)
    assert tuple(figure.get_size_inches()) == plots.FIGSIZE
    assert figure.axes and figure.get_suptitle()


def test_the_command_draws_every_figure_at_the_stated_size(tiny_scenario, tmp_path):
    """python3 -m dynhat.plots OUTDIR (save_all on the directory read back): every figure as a
    drawn PNG of FIGSIZE x DPI pixels and a PDF; a directory that is not an output exits 1."""
    out = tmp_path / "run"
    dynhat.solve(tiny_scenario, progress=False, out=out)
    done = subprocess.run([sys.executable, "-m", "dynhat.plots", str(out)], check=True,
                          capture_output=True, text=True)
    written = [Path(line) for line in done.stdout.split()]
    assert sorted(p.name for p in written) == sorted(
        f"{name}{suffix}" for name in plots.FIGURES for suffix in (".png", ".pdf"))
    for path in written:
        assert path.parent == out / "figures"
        assert path.stat().st_size > 10_000, path  # a drawn figure, not an empty canvas
        if path.suffix == ".png":
            assert png_size(path) == EXPECTED, path
        else:
            assert path.read_bytes()[:5] == b"%PDF-"
    failed = subprocess.run([sys.executable, "-m", "dynhat.plots", str(tmp_path / "none")],
                            capture_output=True, text=True)
    assert failed.returncode == 1 and "no report.json" in failed.stderr


def test_tiles_place_the_states_and_fall_back_to_a_grid():
    from dynhat._tiles import STATES, tile_positions

    cdp = [n for n in STATES if n != "Virginia"]
    tiles = tile_positions(cdp)
    assert len(cdp) == 50 and len({(r, c) for _, r, c in tiles}) == 50
    assert dict(zip(cdp, tiles))["Maine"] == ("ME", 0, 10)
    assert tile_positions(["A", "B", "C"]) == [("A", 0, 0), ("B", 0, 1), ("C", 1, 0)]
