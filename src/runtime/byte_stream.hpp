// Values as bytes and back, bit for bit, for messages between processes of one build (MPI
// broadcasts): each number in its native bytes, each array and string length-prefixed, the fields
// in the order the caller writes them; no byte order or versioning is needed.
#pragma once

#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/matrix.hpp"

namespace dynhat {

class ByteWriter {
 public:
  template <class T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  template <class T>
  void put(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    put(values.size());
    bytes_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  }
  void put(const std::string& text) {
    put(text.size());
    bytes_.append(text);
  }
  void put(const std::vector<std::string>& texts) {
    put(texts.size());
    for (const std::string& t : texts) put(t);
  }
  void put(const Matrix& x) {
    put(x.rows);
    put(x.cols);
    put(x.data);
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

/// Reads what ByteWriter wrote, in the same order; throws Error naming `what` (e.g. "a solved
/// path's bytes") when the bytes end early or a length does not fit.
class ByteReader {
 public:
  ByteReader(const std::string& bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
  template <class T>
  void get(T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::memcpy(&value, take(sizeof value), sizeof value);
  }
  template <class T>
  void get(std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::size_t n = length(sizeof(T));
    values.resize(n);
    if (n > 0) std::memcpy(values.data(), take(n * sizeof(T)), n * sizeof(T));
  }
  void get(std::string& text) {
    const std::size_t n = length(1);
    text.assign(take(n), n);
  }
  void get(std::vector<std::string>& texts) {
    texts.resize(length(sizeof(std::size_t)));
    for (std::string& t : texts) get(t);
  }
  void get(Matrix& x) {
    get(x.rows);
    get(x.cols);
    get(x.data);
    if (x.data.size() != x.rows * x.cols) fail();
  }
  /// Throws unless every byte was read.
  void finish() const {
    if (at_ != bytes_.size()) throw Error(what_ + " hold more than was written");
  }

 private:
  /// A length prefix of items of at least `item` bytes each, checked against what is left.
  std::size_t length(std::size_t item) {
    std::size_t n = 0;
    get(n);
    if (n > (bytes_.size() - at_) / item) fail();
    return n;
  }
  const char* take(std::size_t n) {
    if (n > bytes_.size() - at_) fail();
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  [[noreturn]] void fail() const { throw Error(what_ + " are truncated or malformed"); }

  const std::string& bytes_;
  const std::string what_;
  std::size_t at_ = 0;
};

}  // namespace dynhat
