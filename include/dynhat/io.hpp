// Matrix files: CSV (no header, one row per line, comma-separated) and NumPy .npy (float64,
// C order, 1-D or 2-D). Readers reject unreadable, ragged or non-numeric files and NaN/Inf with a
// message naming the file, the line (or element) and the rule. Writers write to a temporary name
// in the same directory and rename, so a file is never seen half-written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dynhat/matrix.hpp"

namespace dynhat {

/// Reads a .csv or .npy matrix (chosen by extension). A 1-D .npy gives one row.
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
Matrix read_npy(const std::filesystem::path& path);
void write_csv(const std::filesystem::path& path, const Matrix& x);
void write_npy(const std::filesystem::path& path, const Matrix& x);

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
