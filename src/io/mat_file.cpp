// MATLAB .mat files through matio: one real, dense double variable read as a matrix (v5 and, where
// matio has HDF5, v7.3), and double arrays of any rank written as a v5 or v7.3 file. Every way a
// variable can be the wrong thing (missing, sparse, complex, another class, more dimensions, NaN)
// is an InvalidInput naming the file, the variable and the rule.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <matio.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <string_view>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "io/file_bytes.hpp"
#include "io/replace_file.hpp"

namespace dynhat {

namespace {

/// matio reports problems on stderr by default; dynhat reports them as exceptions instead.
void quiet_matio() {
  static std::once_flag once;
  std::call_once(once, [] { Mat_LogInitFunc("dynhat", [](int, char*) {}); });
}

struct MatCloser {
  void operator()(mat_t* mat) const noexcept { Mat_Close(mat); }
};
struct VarFreer {
  void operator()(matvar_t* var) const noexcept { Mat_VarFree(var); }
};
using MatHandle = std::unique_ptr<mat_t, MatCloser>;
using VarHandle = std::unique_ptr<matvar_t, VarFreer>;

std::string_view class_name(matio_classes c) {
  switch (c) {
    case MAT_C_CELL:
      return "cell";
    case MAT_C_STRUCT:
      return "struct";
    case MAT_C_OBJECT:
      return "object";
    case MAT_C_CHAR:
      return "char";
    case MAT_C_SPARSE:
      return "sparse";
    case MAT_C_DOUBLE:
      return "double";
    case MAT_C_SINGLE:
      return "single";
    case MAT_C_INT8:
      return "int8";
    case MAT_C_UINT8:
      return "uint8";
    case MAT_C_INT16:
      return "int16";
    case MAT_C_UINT16:
      return "uint16";
    case MAT_C_INT32:
      return "int32";
    case MAT_C_UINT32:
      return "uint32";
    case MAT_C_INT64:
      return "int64";
    case MAT_C_UINT64:
      return "uint64";
    case MAT_C_FUNCTION:
      return "function handle";
    default:
      return "unknown";
  }
}

/// The variables of `mat`, for the message that `variable` is not among them.
std::string variable_names(mat_t* mat) {
  std::size_t n = 0;
  char** names = Mat_GetDir(mat, &n);
  std::vector<std::string> list;
  for (std::size_t k = 0; names != nullptr && k < n; ++k) list.emplace_back(names[k]);
  return list.empty() ? std::string("none") : fmt::to_string(fmt::join(list, ", "));
}

std::string dims_text(const matvar_t& var) {
  std::vector<std::size_t> dims(var.dims, var.dims + var.rank);
  return fmt::to_string(fmt::join(dims, "x"));
}

}  // namespace

MatArray read_mat_array(const std::filesystem::path& file, const std::string& variable,
                        std::size_t max_rank) {
  quiet_matio();
  const std::string name = fmt::format("{}:{}", file.string(), variable);
  regular_file_size(file);  // missing, a directory, not a regular file: the common message
  if (variable.empty()) {
    throw InvalidInput(
        fmt::format("{}: no variable named after ':', write {}:NAME", name, file.string()));
  }
  const MatHandle mat(Mat_Open(file.c_str(), MAT_ACC_RDONLY));
  if (!mat) {
    throw InvalidInput(fmt::format(
        "{}: is not a MATLAB .mat file that matio can read (v5, or v7.3 when matio has HDF5)",
        file.string()));
  }
  VarHandle var(Mat_VarReadInfo(mat.get(), variable.c_str()));
  if (!var) {
    throw InvalidInput(fmt::format("{}: no variable '{}' in the file (variables: {})", name,
                                   variable, variable_names(mat.get())));
  }
  const auto fail = [&](const std::string& rule) {
    throw InvalidInput(fmt::format("{}: {}", name, rule));
  };
  if (var->class_type == MAT_C_SPARSE) {
    fail("is sparse, must be a dense double matrix (full(x) in MATLAB)");
  }
  if (var->isComplex) fail("is complex, must be real");
  if (var->isLogical || var->class_type != MAT_C_DOUBLE) {
    fail(fmt::format("is of class {}, must be double",
                     var->isLogical ? "logical" : class_name(var->class_type)));
  }
  MatArray a{variable, std::vector<std::size_t>(var->dims, var->dims + var->rank), {}};
  while (a.dims.size() > max_rank && a.dims.back() == 1) a.dims.pop_back();  // trailing 1s
  if (a.dims.size() < 2 || a.dims.size() > max_rank) {
    fail(fmt::format("is {}, must have {}", dims_text(*var),
                     max_rank == 2 ? std::string("two dimensions (a vector or a matrix)")
                                   : fmt::format("two to {} dimensions", max_rank)));
  }
  std::size_t count = 1;
  for (std::size_t d : a.dims) {
    if (d != 0 && count > std::numeric_limits<std::size_t>::max() / sizeof(double) / d) {
      fail(fmt::format("is {}, more entries than memory can address", dims_text(*var)));
    }
    count *= d;
  }
  if (count == 0) fail(fmt::format("is empty ({}), must hold numbers", dims_text(*var)));
  var.reset(Mat_VarRead(mat.get(), variable.c_str()));
  if (!var || var->data == nullptr || var->data_size != sizeof(double) ||
      var->nbytes != count * sizeof(double)) {
    fail("cannot be read (a truncated or malformed file?)");
  }
  const auto* data = static_cast<const double*>(var->data);
  a.data.assign(data, data + count);
  for (std::size_t k = 0; k < count; ++k) {
    if (std::isfinite(a.data[k])) continue;
    std::string index;  // 1-based subscripts, first fastest
    for (std::size_t d = 0, rest = k; d < a.dims.size(); ++d) {
      index += fmt::format("{}{}", d > 0 ? ", " : "", rest % a.dims[d] + 1);
      rest /= a.dims[d];
    }
    fail(fmt::format("element ({}) (1-based, as in MATLAB) is {}, must be finite", index,
                     a.data[k]));
  }
  return a;
}

Matrix read_mat_variable(const std::filesystem::path& file, const std::string& variable) {
  const MatArray a = read_mat_array(file, variable, 2);
  const std::size_t rows = a.dims[0], cols = a.dims[1];
  Matrix x(rows, cols);
  for (std::size_t c = 0; c < cols; ++c) {
    for (std::size_t r = 0; r < rows; ++r) x(r, c) = a.data[c * rows + r];
  }
  return x;
}

void write_mat_file(const std::filesystem::path& path, const std::vector<MatArray>& arrays,
                    MatVersion version) {
  quiet_matio();
  const std::filesystem::path temporary = temporary_beside(path);
  const bool v73 = version == MatVersion::v73;
  {
    const MatHandle mat(
        Mat_CreateVer(temporary.c_str(), nullptr, v73 ? MAT_FT_MAT73 : MAT_FT_MAT5));
    if (!mat) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw Error(v73 ? fmt::format("{}: cannot create a MATLAB v7.3 file: this build's matio has "
                                    "no HDF5 support (write v5 instead)",
                                    path.string())
                      : fmt::format("{}: cannot create the .mat file", path.string()));
    }
    for (const MatArray& a : arrays) {
      std::vector<std::size_t> dims = a.dims;
      std::size_t count = 1;
      for (std::size_t d : dims) count *= d;
      if (dims.size() < 2 || count != a.data.size()) {
        throw DimensionMismatch(fmt::format("{}: variable {} has {} values for dimensions {}",
                                            path.string(), a.name, a.data.size(),
                                            fmt::join(dims, "x")));
      }
      // MAT_F_DONT_COPY_DATA: matio writes from our buffer and does not free it.
      const VarHandle var(Mat_VarCreate(a.name.c_str(), MAT_C_DOUBLE, MAT_T_DOUBLE,
                                        static_cast<int>(dims.size()), dims.data(),
                                        const_cast<double*>(a.data.data()), MAT_F_DONT_COPY_DATA));
      if (!var || Mat_VarWrite(mat.get(), var.get(),
                               v73 ? MAT_COMPRESSION_NONE : MAT_COMPRESSION_ZLIB) != 0) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw Error(
            fmt::format("{}: cannot write variable {} (disk full?)", path.string(), a.name));
      }
    }
  }
  move_into_place(temporary, path);
}

bool mat_files_supported() {
  return true;
}

bool mat73_supported() {
  quiet_matio();
  static const bool supported = [] {
    std::error_code ec;
    const std::filesystem::path probe = std::filesystem::temp_directory_path(ec) /
                                        fmt::format("dynhat-mat73-probe-{}.mat", ::getpid());
    if (ec) return false;
    mat_t* mat = Mat_CreateVer(probe.c_str(), nullptr, MAT_FT_MAT73);
    const bool ok = mat != nullptr;
    if (mat != nullptr) Mat_Close(mat);
    std::filesystem::remove(probe, ec);
    return ok;
  }();
  return supported;
}

}  // namespace dynhat
