"""Progress of a solve: one tqdm bar per path, the residual in the postfix."""

from __future__ import annotations

from collections.abc import Callable

from tqdm.auto import tqdm

__all__ = ["progress_callbacks"]

Callback = Callable[[int, float, float], None]


class _Bars:
    """The bars of one solve, each opened at its path's first iteration."""

    def __init__(self, total: int):
        self.total = total
        self.bars: dict[str, tqdm] = {}

    def callback(self, path: str) -> Callback:
        """The library callback of `path` ("baseline" or "counterfactual")."""

        def update(iteration: int, residual: float, seconds: float) -> None:
            bar = self.bars.get(path)
            if bar is None:
                self.close()
                bar = self.bars[path] = tqdm(total=self.total, desc=path, unit="it",
                                             leave=True)
            bar.update(1)
            bar.set_postfix(residual=f"{residual:.3e}", refresh=False)

        return update

    def close(self) -> None:
        """Closes every open bar at the iterations it reached (also after an interrupted
        solve): a path that converged early shows as complete."""
        for bar in self.bars.values():
            if not bar.disable and bar.total != bar.n:
                bar.total = bar.n
                bar.refresh()
            bar.close()


def progress_callbacks(progress, total: int):
    """(baseline callback, counterfactual callback, closer) for ``solve(progress=...)``:
    True draws tqdm bars; False or None nothing; a callable gets
    ``(path, iteration, residual, seconds)`` with path "baseline" or "counterfactual"."""
    if progress is True:
        bars = _Bars(total)
        return bars.callback("baseline"), bars.callback("counterfactual"), bars.close
    if not progress:
        return None, None, lambda: None
    if not callable(progress):
        raise TypeError("progress must be True, False or a callable")

    def forward(path: str) -> Callback:
        return lambda iteration, residual, seconds: progress(path, iteration, residual, seconds)

    return forward("baseline"), forward("counterfactual"), lambda: None
