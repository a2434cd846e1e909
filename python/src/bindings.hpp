// Shared pieces of the dynhat._core bindings: read-only NumPy views of library-owned arrays, and
// progress callbacks that run Python code from inside a solve that released the GIL.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <vector>

#include "dynhat/fixed_point.hpp"
#include "dynhat/matrix.hpp"

namespace dynhat::python {

namespace nb = nanobind;

/// A read-only float64 NumPy array of any rank.
using ArrayView = nb::ndarray<nb::numpy, const double>;

/// A zero-copy view of `data` with `shape` (C order), keeping `owner` (the Python object that
/// holds the C++ storage) alive as long as the array lives.
ArrayView view(const double* data, std::initializer_list<std::size_t> shape, nb::handle owner);
/// [rows][cols] view of a Matrix held by `owner`.
ArrayView view(const Matrix& x, nb::handle owner);
/// 1-D view of a vector held by `owner`.
ArrayView view(const std::vector<double>& x, nb::handle owner);

/// A C-contiguous float64 array argument (arrays of other dtypes or orders are converted on the
/// way in; Python lists are not arrays: np.asarray them).
using ArrayIn = nb::ndarray<const double, nb::c_contig, nb::device::cpu>;
/// The array's entries, flattened, with `label` and `shape` checked (0 in `shape`: any size).
std::vector<double> flat(const ArrayIn& x, std::initializer_list<std::size_t> shape,
                         const char* label);
/// A 2-D array as a Matrix ([rows][cols] row-major).
Matrix as_matrix(const ArrayIn& x, const char* label);

/// Thrown through the library from a progress callback whose Python code raised (the user's
/// callback, or PyErr_CheckSignals after Ctrl-C): not a dynhat::Error, so nothing in the library
/// takes it for an input error; the binding rethrows the saved Python exception once the solve
/// has unwound and the GIL is held again.
struct Interrupted {};

/// Wraps Python progress callables for a solve run with the GIL released. Each call re-acquires
/// the GIL, checks for signals (Ctrl-C) and calls the callable; the first Python exception is
/// kept and Interrupted thrown. rethrow() (with the GIL held) raises the kept exception.
class ProgressBridge {
 public:
  /// A library callback that calls `callable(iteration, residual, seconds)`, or only checks for
  /// signals when `callable` is None. `callable` is borrowed: the caller keeps it alive for the
  /// solve (the library copies its callbacks with the GIL released, so they hold no references).
  ProgressCallback wrap(nb::handle callable);
  /// Raises the Python exception a callback raised, if any.
  void rethrow();

 private:
  std::optional<nb::python_error> error_;
};

/// Runs `f` with the GIL released; an Interrupted thrown inside becomes the Python exception kept
/// by `bridge` once the GIL is held again.
template <class F>
auto without_gil(ProgressBridge& bridge, F&& f) {
  try {
    nb::gil_scoped_release release;
    return f();
  } catch (const Interrupted&) {
    bridge.rethrow();
    throw;  // unreachable: rethrow() raises
  }
}

void bind_run(nb::module_& m);
void bind_solvers(nb::module_& m);

}  // namespace dynhat::python
