"""Scenarios: a TOML file (``load_scenario``) or a dict with the same keys (``Scenario``).

A dict scenario is written out as TOML and read by the library's own reader, so its keys, its
checks and its error messages are the files'. Relative paths in a dict (``data.tables``,
``data.L0``, ``data.mu0``, a shock's ``file``) are resolved against the current directory when
the ``Scenario`` is made; in a file, against the file's directory.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path

from . import _core

__all__ = ["Scenario", "load_scenario", "to_toml"]

_PATH_KEYS = {"data": ("tables", "L0", "mu0")}
_SHOCK_TABLES = ("productivity", "trade_costs")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    """A TOML key: bare when it can be, else a quoted string."""
    if not isinstance(name, str):
        raise _core.InputError(f"scenario key {name!r}: keys must be strings")
    return name if _BARE_KEY.match(name) else json.dumps(name)


def _value(value, where: str) -> str:
    """A TOML value for the scenario's value types: strings, booleans, integers, floats, paths
    and (nested) lists of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (str, os.PathLike)):
        return json.dumps(os.fspath(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v, where) for v in value) + "]"
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return _value(value.tolist(), where)
    raise _core.InputError(f"scenario {where}: a value of type {type(value).__name__} is not "
                           "a string, boolean, number or list")


def _table(lines: list[str], header: str, table: Mapping, where: str) -> None:
    """Appends `table` (scalars first, then sub-tables and arrays of tables) under `header`."""
    subtables = []
    for name, value in table.items():
        if isinstance(value, Mapping):
            subtables.append((name, value, False))
        elif isinstance(value, (list, tuple)) and value and all(
                isinstance(v, Mapping) for v in value):
            subtables.append((name, value, True))
        else:
            lines.append(f"{_key(name)} = {_value(value, f'{where}{name}')}")
    for name, value, array in subtables:
        path = f"{header}.{_key(name)}" if header else _key(name)
        if array:
            for k, entry in enumerate(value):
                lines.append(f"\n[[{path}]]")
                _table(lines, path, entry, f"{where}{name}[{k}].")
        else:
            lines.append(f"\n[{path}]")
            _table(lines, path, value, f"{where}{name}.")


def to_toml(data: Mapping) -> str:
    """The TOML text of a scenario dict (the value types TOML scenario files use)."""
    lines: list[str] = []
    _table(lines, "", data, "")
    return "\n".join(lines).lstrip("\n") + "\n"


def _resolved(data: Mapping, base: Path) -> dict:
    """A deep copy of `data` with its relative file paths made absolute against `base`."""
    out = copy.deepcopy(dict(data))

    def absolute(value):
        return os.fspath(base / value) if isinstance(value, (str, os.PathLike)) else value

    for table, keys in _PATH_KEYS.items():
        if isinstance(out.get(table), Mapping):
            out[table] = dict(out[table])
            for key in keys:
                if key in out[table]:
                    out[table][key] = absolute(out[table][key])
    for table in _SHOCK_TABLES:
        entries = out.get(table)
        if isinstance(entries, (list, tuple)):
            out[table] = [
                {**e, "file": absolute(e["file"])} if isinstance(e, Mapping) and "file" in e
                else e for e in entries
            ]
    return out


class Scenario:
    """A checked scenario: what ``dynhat.solve`` runs.

    ``Scenario(data)`` takes a dict with the keys of a scenario file (README, "Scenario
    files"): ``data``, ``model``, ``solver``, ``effects`` tables and ``productivity`` /
    ``trade_costs`` lists of shock entries. It is checked at once by the library's reader;
    a broken rule raises ``dynhat.InputError`` with the reader's message (the file named
    "scenario dict"). Relative paths resolve against the current directory.
    """

    def __init__(self, data: Mapping):
        if not isinstance(data, Mapping):
            raise _core.InputError(f"a scenario is a dict or a file path, not "
                                   f"{type(data).__name__}")
        self._data = _resolved(data, Path.cwd())
        # The library reads (and load_model hashes) the file: it lives as long as the object.
        self._directory = tempfile.TemporaryDirectory(prefix="dynhat-scenario-")
        path = Path(self._directory.name) / "scenario.toml"
        path.write_text(to_toml(self._data), encoding="utf-8")
        self._file = _read(path, str(path), "scenario dict")
        self._path = None

    @classmethod
    def _from_file(cls, path: os.PathLike | str) -> "Scenario":
        """The scenario of a TOML file (see ``load_scenario``)."""
        self = cls.__new__(cls)
        self._directory = None
        self._path = Path(path)
        self._file = _read(self._path, None, None)
        with open(self._path, "rb") as f:
            self._data = _resolved(tomllib.load(f), self._path.resolve().parent)
        return self

    @property
    def path(self) -> Path | None:
        """The scenario file; None for a dict scenario."""
        return self._path

    @property
    def data(self) -> dict:
        """The scenario as a dict (paths made absolute): a copy, to edit and pass to
        ``Scenario`` again."""
        return copy.deepcopy(self._data)

    @property
    def periods(self) -> int:
        """T, the slots of every path."""
        return self._file.periods

    @property
    def first_quarter(self) -> str:
        """The label of slot 0 ("2000Q1")."""
        return self._file.first_quarter

    def with_changes(self, changes: Mapping) -> "Scenario":
        """The same scenario with other shocks: `changes` holds ``productivity`` and/or
        ``trade_costs`` lists (replacing this scenario's shocks; a missing one means none) and
        optionally an ``effects`` table."""
        unknown = set(changes) - {*_SHOCK_TABLES, "effects"}
        if unknown:
            raise _core.InputError(f"changes: unknown key {sorted(unknown)[0]!r} (expected "
                                   "productivity, trade_costs, effects)")
        data = {k: v for k, v in self._data.items() if k not in _SHOCK_TABLES}
        data.update(_resolved(dict(changes), Path.cwd()))
        return Scenario(data)

    def __repr__(self) -> str:
        where = self._path if self._path is not None else "dict"
        return f"Scenario({where}, T={self.periods})"


def _read(path: Path, temporary: str | None, name: str | None):
    """read_scenario, with the temporary file of a dict scenario named `name` in messages."""
    try:
        return _core.read_scenario(os.fspath(path))
    except _core.InputError as e:
        if temporary is None:
            raise
        raise _core.InputError(str(e).replace(temporary, name)) from None


def load_scenario(path: os.PathLike | str) -> Scenario:
    """Reads and checks a scenario file (TOML); raises ``dynhat.InputError`` naming the file,
    the key and the rule."""
    return Scenario._from_file(path)


def as_scenario(scenario) -> Scenario:
    """A Scenario from a Scenario, a dict or a file path."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario(scenario)
    if isinstance(scenario, (str, os.PathLike)):
        return load_scenario(scenario)
    raise _core.InputError(f"a scenario is a dynhat.Scenario, a dict or a file path, not "
                           f"{type(scenario).__name__}")


def core_file(scenario: Scenario):
    """The library's parsed scenario (for load_model), and the temporary name to hide."""
    return scenario._file, (None if scenario._directory is None else
                            str(Path(scenario._directory.name) / "scenario.toml"))
