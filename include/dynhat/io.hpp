// Matrix files: CSV (no header, one row per line, comma-separated), whitespace-separated .txt (the
// replication kit's), NumPy .npy (float64, C order, 1-D or 2-D) and variables of MATLAB .mat files
// ("file.mat:variable", v5 and v7.3, through matio). Readers reject unreadable, ragged or
// non-numeric files and NaN/Inf with a message naming the file, the line (or element) and the rule.
// Writers write to a temporary name in the same directory and rename, so a file is never seen
// half-written.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dynhat/matrix.hpp"

namespace dynhat {

/// Reads a .csv, .txt (whitespace-separated) or .npy matrix, chosen by extension, or the variable
/// of a MATLAB file written "file.mat:variable" (read_mat_variable). A 1-D .npy gives one row.
Matrix read_matrix(const std::filesystem::path& path);
/// Reads a vector: a matrix with one row or one column.
std::vector<double> read_vector(const std::filesystem::path& path);
/// Writes a .csv (shortest decimal form that reads back to the same double) or .npy matrix.
void write_matrix(const std::filesystem::path& path, const Matrix& x);
/// The whole file as text; throws InvalidInput naming the file when it is a directory or cannot be
/// read.
std::string read_text_file(const std::filesystem::path& path);
/// Writes text atomically (temporary name, then rename).
void write_text_file(const std::filesystem::path& path, const std::string& text);

Matrix read_csv(const std::filesystem::path& path);
/// Numbers separated by blanks (spaces, tabs), one matrix row per line, as the replication kit's
/// Base_Year/*.txt and MATLAB's save -ascii write them; same rules as read_csv otherwise.
Matrix read_whitespace_matrix(const std::filesystem::path& path);
Matrix read_npy(const std::filesystem::path& path);
void write_csv(const std::filesystem::path& path, const Matrix& x);
void write_npy(const std::filesystem::path& path, const Matrix& x);

/// A migration matrix stored sparse (fine geographies where most flows are zero), M x M:
///  * a long-format CSV with the header line `origin,destination,share`: one row per stored
///    entry, origin and destination 0-based market indices < M, each (origin, destination) pair
///    at most once, share finite and >= 0; pairs not listed are 0. Rows may come in any order.
///  * a scipy.sparse CSR `.npz` (what scipy.sparse.save_npz writes, compressed or not): the
///    arrays `indptr`, `indices`, `data`, `shape` and `format` (= "csr"); `indices` int32 or
///    int64, `indptr` int32 or int64, `data` float64; shape must be M x M; within a row the
///    columns must be ascending and distinct (call scipy's sort_indices() first, the message
///    says so), values finite and >= 0.
/// Throws InvalidInput naming the file, the line or array and entry, and the rule broken.
SparseMatrix read_sparse_matrix(const std::filesystem::path& path, std::size_t markets);
/// True when `path` holds a sparse matrix: a `.npz` file, or a `.csv` whose first line is
/// `origin,destination,share` (surrounding blanks and a trailing \r ignored).
bool is_sparse_matrix_file(const std::filesystem::path& path);
/// Writes `x` as the long-format CSV above (stored entries, row by row; shortest round-trip
/// decimal form of each double), atomically like write_csv.
void write_sparse_csv(const std::filesystem::path& path, const SparseMatrix& x);

/// "file.mat:variable" split into the file and the variable (the part after the last ':' that
/// follows ".mat"); empty when `path` names no .mat variable.
struct MatVariablePath {
  std::filesystem::path file;
  std::string variable;
};
std::optional<MatVariablePath> mat_variable_path(const std::filesystem::path& path);
/// The file a matrix path reads: `path` itself, or the .mat file of "file.mat:variable".
std::filesystem::path matrix_file_of(const std::filesystem::path& path);

/// An array of a .mat file: `dims` in MATLAB's order, `data` column-major (first index fastest).
struct MatArray {
  std::string name;
  std::vector<std::size_t> dims;
  std::vector<double> data;
};
/// A real, dense double variable of two to `max_rank` dimensions (trailing singleton ones beyond
/// `max_rank` dropped), as stored: `dims` in MATLAB's order, `data` column-major. The rules and
/// messages of read_mat_variable.
MatArray read_mat_array(const std::filesystem::path& file, const std::string& variable,
                        std::size_t max_rank);
/// Reads a real, dense double variable of a MATLAB .mat file (v5, or v7.3 where matio has HDF5)
/// as a rows x cols matrix (MATLAB's column-major order converted to row-major: element (r, c)
/// is MATLAB's x(r+1, c+1)). Throws InvalidInput naming the file, the variable and the rule when
/// the file is no .mat file, the variable is missing (the message lists those present), sparse,
/// complex, not of class double, of more than two dimensions, or holds NaN/Inf; and when dynhat
/// was built without matio.
Matrix read_mat_variable(const std::filesystem::path& file, const std::string& variable);

enum class MatVersion { v5, v73 };
/// Writes `arrays` as double variables into a .mat file (v5 zlib-compressed, or v7.3/HDF5),
/// atomically (temporary name, then rename). Throws Error when this build cannot write the
/// version (no matio, or a matio without HDF5 for v7.3) or the write fails.
void write_mat_file(const std::filesystem::path& path, const std::vector<MatArray>& arrays,
                    MatVersion version = MatVersion::v5);
/// Whether this build reads and writes .mat files (built with matio) and v7.3 ones (a matio with
/// HDF5, checked at run time by creating a v7.3 file in the temporary directory).
bool mat_files_supported();
bool mat73_supported();

/// A set of output files that appear together or not at all. The constructor checks `target`
/// before any work is done (not empty, not a file, not a dangling link, an existing directory
/// only if empty or an earlier run's, i.e. holding report.json; its parent created and
/// writable), sweeps staging directories left beside it by dead processes, and creates a hidden
/// staging directory there; failures throw InvalidInput naming `option` and the path.
/// commit() replaces `target` as a whole by the staging directory (an atomic exchange where the
/// file system has one), so `target` holds the old run or the new one, never a mix. Without
/// commit() (an exception, SIGINT, SIGTERM) the staging directory is removed and `target` left
/// untouched.
class OutputDirectory {
 public:
  explicit OutputDirectory(std::filesystem::path target, std::string option = "--out");
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  /// Where to write `name` before commit().
  std::filesystem::path staged(const std::string& name) const { return staging_ / name; }
  void commit();

 private:
  std::filesystem::path target_;
  std::string option_;
  std::filesystem::path staging_;
  int slot_ = -1;  ///< slot of the SIGINT/SIGTERM cleanup table, -1 for none
  bool committed_ = false;
};

}  // namespace dynhat
