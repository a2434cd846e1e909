// The .npz reader behind read_sparse_matrix, which picks it by the file's extension
// (src/io/sparse_csv.cpp).
#pragma once

#include <cstddef>
#include <filesystem>

#include "dynhat/matrix.hpp"

namespace dynhat {

/// A scipy.sparse CSR matrix as save_npz writes it, `markets` x `markets`; the rules and messages
/// of read_sparse_matrix. `markets` is at most 2^31 - 1 (the caller checks).
SparseMatrix read_sparse_npz(const std::filesystem::path& path, std::size_t markets);

}  // namespace dynhat
