// dynhat._core: the compiled part of the dynhat Python package (python/dynhat wraps it). The
// library's exceptions become Python ones: dynhat::Error -> dynhat.Error (a RuntimeError),
// InvalidInput and DimensionMismatch -> dynhat.InputError (also a ValueError), with the library's
// messages unchanged.
#include <Python.h>
#include <nanobind/stl/string.h>

#include "bindings.hpp"
#include "dynhat/backend.hpp"
#include "dynhat/error.hpp"

namespace dynhat::python {

ArrayView view(const double* data, std::initializer_list<std::size_t> shape, nb::handle owner) {
  return ArrayView(data, shape, owner);
}

ArrayView view(const Matrix& x, nb::handle owner) {
  return view(x.data.data(), {x.rows, x.cols}, owner);
}

ArrayView view(const std::vector<double>& x, nb::handle owner) {
  return view(x.data(), {x.size()}, owner);
}

std::vector<double> flat(const ArrayIn& x, std::initializer_list<std::size_t> shape,
                         const char* label) {
  bool ok = x.ndim() == shape.size();
  std::size_t k = 0;
  for (std::size_t extent : shape) ok = ok && (extent == 0 || x.shape(k++) == extent);
  if (!ok) {
    std::string want, got;
    for (std::size_t extent : shape) {
      want += (want.empty() ? "" : " x ") + (extent ? std::to_string(extent) : std::string("n"));
    }
    for (std::size_t d = 0; d < x.ndim(); ++d) {
      got += (got.empty() ? "" : " x ") + std::to_string(x.shape(d));
    }
    throw DimensionMismatch(std::string(label) + " is " + (got.empty() ? "a scalar" : got) +
                            ", must be " + want);
  }
  return std::vector<double>(x.data(), x.data() + x.size());
}

Matrix as_matrix(const ArrayIn& x, const char* label) {
  Matrix out;
  out.data = flat(x, {0, 0}, label);
  out.rows = x.shape(0);
  out.cols = x.shape(1);
  return out;
}

ProgressCallback ProgressBridge::wrap(nb::handle callable) {
  return [this, callable](int iteration, double residual, double seconds) {
    nb::gil_scoped_acquire acquire;
    try {
      if (PyErr_CheckSignals() != 0) throw nb::python_error();
      if (!callable.is_none()) callable(iteration, residual, seconds);
      if (PyErr_CheckSignals() != 0) throw nb::python_error();
    } catch (nb::python_error& e) {
      error_.emplace(std::move(e));
      throw Interrupted{};
    }
  };
}

void ProgressBridge::rethrow() {
  if (!error_) throw Error("a progress callback stopped the solve without a Python exception");
  nb::python_error e = std::move(*error_);
  error_.reset();
  throw e;
}

}  // namespace dynhat::python

NB_MODULE(_core, m) {
  namespace nb = nanobind;
  using namespace dynhat;
  m.doc() =
      "Compiled core of dynhat: bindings of the C++ library (run pipeline, economy tables, "
      "static equilibrium, household solvers). Use the dynhat package, which wraps it.";
  nb::exception<Error> error(m, "Error", PyExc_RuntimeError);
  error.doc() = "Base of every error the dynhat library reports.";
  // Registered after Error: nanobind tries the latest translator first, so an InvalidInput (and
  // its DimensionMismatch) maps here and not to the base.
  const nb::object bases = nb::make_tuple(error, nb::handle(PyExc_ValueError));
  const std::string qualified = nb::cast<std::string>(m.attr("__name__")) + ".InputError";
  nb::object input_error = nb::steal(PyErr_NewExceptionWithDoc(
      qualified.c_str(),
      "An input breaks a rule; the message names the input, the entry and the rule.", bases.ptr(),
      nullptr));
  m.attr("InputError") = input_error;
  nb::register_exception_translator(
      [](const std::exception_ptr& p, void* type) {
        try {
          std::rethrow_exception(p);
        } catch (const InvalidInput& e) {
          PyErr_SetString(static_cast<PyObject*>(type), e.what());
        }
      },
      input_error.ptr());

  m.def("cuda_compiled", &cuda_compiled, "True when the library was built with the CUDA backend.");
  m.def("cuda_device_count", &cuda_device_count,
        "Number of usable CUDA devices (0 without a driver or device, or in a CPU-only build).");
  dynhat::python::bind_run(m);
  dynhat::python::bind_solvers(m);
}
