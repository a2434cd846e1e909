// Sparse migration matrices: the long-format CSV read and written bit for bit, scipy's CSR .npz
// read (the archives built here byte by byte: a small ZIP writer, stored or deflated members, and
// .npy members as NumPy lays them out), and every rule broken named with the file, the entry and
// the rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#define ZLIB_CONST
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "support/fixtures.hpp"

namespace dynhat {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::message_of;

// ---- archives written by hand ---------------------------------------------------------------

/// `value` as `bytes` little-endian bytes.
std::string le(std::uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

template <class T>
std::string raw(const std::vector<T>& values) {
  std::string out(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

/// A .npy file as NumPy writes it: magic, version 1.0, the dictionary padded with spaces so the
/// data start at a multiple of 64 bytes, '\n', then `data`.
std::string npy(const std::string& descr, const std::string& shape, const std::string& data) {
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t unpadded = 6 + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  return std::string("\x93NUMPY\x01\x00", 8) + le(header.size(), 2) + header + data;
}

/// `text` as NumPy's '<U' strings hold it: UTF-32LE, 4 bytes a character.
std::string utf32(const std::string& text) {
  std::string out;
  for (const char c : text) out += le(static_cast<unsigned char>(c), 4);
  return out;
}

std::string deflate_raw(const std::string& bytes) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
  z.next_in = reinterpret_cast<const Bytef*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

struct ZipMember {
  std::string name;
  std::string bytes;
  bool deflate = false;
};

/// How the archive is laid out. numpy.savez forces ZIP64 in every local header: sizes 0xffffffff
/// and the real ones in a ZIP64 extra field (the central directory has plain sizes); a writer
/// that cannot seek sets the data-descriptor flag and leaves the local header's CRC and sizes 0.
struct ZipLayout {
  bool zip64_extra = false;
  bool data_descriptor = false;
};

std::string zip(const std::vector<ZipMember>& members, ZipLayout layout = {}) {
  std::string archive, directory;
  for (const ZipMember& m : members) {
    const std::string stored = m.deflate ? deflate_raw(m.bytes) : m.bytes;
    const auto crc = static_cast<std::uint32_t>(crc32(
        0L, reinterpret_cast<const Bytef*>(m.bytes.data()), static_cast<uInt>(m.bytes.size())));
    const std::uint16_t flags = layout.data_descriptor ? 8 : 0;
    const std::uint16_t method = m.deflate ? 8 : 0;
    const std::string extra =
        layout.zip64_extra ? le(1, 2) + le(16, 2) + le(m.bytes.size(), 8) + le(stored.size(), 8)
                           : std::string();
    const std::uint64_t offset = archive.size();
    const bool zeros = layout.data_descriptor;
    const std::uint64_t local_size = zeros ? 0 : layout.zip64_extra ? 0xffffffff : m.bytes.size();
    const std::uint64_t local_stored = zeros ? 0 : layout.zip64_extra ? 0xffffffff : stored.size();
    archive += le(0x04034b50, 4) + le(layout.zip64_extra ? 45 : 20, 2) + le(flags, 2) +
               le(method, 2) + le(0, 2) + le(0x21, 2) + le(zeros ? 0 : crc, 4) +
               le(local_stored, 4) + le(local_size, 4) + le(m.name.size(), 2) +
               le(extra.size(), 2) + m.name + extra + stored;
    if (layout.data_descriptor) {
      archive += le(0x08074b50, 4) + le(crc, 4) + le(stored.size(), 4) + le(m.bytes.size(), 4);
    }
    directory += le(0x02014b50, 4) + le(20, 2) + le(20, 2) + le(flags, 2) + le(method, 2) +
                 le(0, 2) + le(0x21, 2) + le(crc, 4) + le(stored.size(), 4) +
                 le(m.bytes.size(), 4) + le(m.name.size(), 2) + le(0, 2) + le(0, 2) + le(0, 2) +
                 le(0, 2) + le(0, 4) + le(offset, 4) + m.name;
  }
  const std::uint64_t directory_at = archive.size();
  return archive + directory + le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(members.size(), 2) +
         le(members.size(), 2) + le(directory.size(), 4) + le(directory_at, 4) + le(0, 2);
}

/// The byte where `name`'s central directory entry starts.
std::size_t central_entry(const std::string& archive, const std::string& name) {
  const std::size_t at = archive.find(std::string("\x50\x4b\x01\x02", 4));
  std::size_t entry = at;
  while (entry != std::string::npos) {
    const std::size_t name_size = static_cast<unsigned char>(archive[entry + 28]) |
                                  (static_cast<unsigned char>(archive[entry + 29]) << 8);
    if (archive.compare(entry + 46, name_size, name) == 0) return entry;
    entry = archive.find(std::string("\x50\x4b\x01\x02", 4), entry + 46);
  }
  ADD_FAILURE() << "no central directory entry " << name;
  return 0;
}

void patch(std::string& bytes, std::size_t at, std::uint64_t value, int size) {
  bytes.replace(at, static_cast<std::size_t>(size), le(value, size));
}

/// A CSR matrix as scipy holds it, and the options of how save_npz wrote it.
struct Csr {
  std::vector<std::int64_t> indptr;
  std::vector<std::int64_t> indices;
  std::vector<double> data;
  std::vector<std::int64_t> shape;
  std::string format = "csr";
  bool int64_indices = false;
  bool unicode_format = false;  ///< '<U3' (else '|S3')
  bool deflate = false;
};

/// The 4 x 4 matrix of the tests: row 0 {0: 0.5, 2: 0.5}, row 1 {1: 1}, row 2 empty, row 3
/// {0: 0.25, 1: an explicit 0, 3: 0.75}.
Csr example() {
  Csr c;
  c.indptr = {0, 2, 3, 3, 6};
  c.indices = {0, 2, 1, 0, 1, 3};
  c.data = {0.5, 0.5, 1.0, 0.25, 0.0, 0.75};
  c.shape = {4, 4};
  return c;
}

const char* const kExampleCsv =
    "origin,destination,share\n0,0,0.5\n0,2,0.5\n1,1,1\n3,0,0.25\n3,1,0\n3,3,0.75\n";

std::string integers(const std::vector<std::int64_t>& values, bool int64) {
  if (int64) return npy("<i8", "(" + std::to_string(values.size()) + ",)", raw(values));
  const std::vector<std::int32_t> narrow(values.begin(), values.end());
  return npy("<i4", "(" + std::to_string(values.size()) + ",)", raw(narrow));
}

/// The members in save_npz's order (indices, indptr, format, shape, data).
std::vector<ZipMember> members(const Csr& c) {
  const std::string format =
      c.unicode_format ? npy("<U3", "()", utf32(c.format)) : npy("|S3", "()", c.format);
  return {
      {"indices.npy", integers(c.indices, c.int64_indices), c.deflate},
      {"indptr.npy", integers(c.indptr, c.int64_indices), c.deflate},
      {"format.npy", format, c.deflate},
      {"shape.npy", npy("<i8", "(2,)", raw(c.shape)), c.deflate},
      {"data.npy", npy("<f8", "(" + std::to_string(c.data.size()) + ",)", raw(c.data)), c.deflate}};
}

/// `members` with the one named `name` replaced by `bytes` (or dropped when `bytes` is empty).
std::vector<ZipMember> replaced(std::vector<ZipMember> list, const std::string& name,
                                const std::string& bytes) {
  std::vector<ZipMember> out;
  for (ZipMember& m : list) {
    if (m.name != name) {
      out.push_back(std::move(m));
    } else if (!bytes.empty()) {
      out.push_back({name, bytes, m.deflate});
    }
  }
  return out;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void expect_equal(const SparseMatrix& a, const SparseMatrix& b) {
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.cols, b.cols);
  EXPECT_EQ(a.row_start, b.row_start);
  EXPECT_EQ(a.columns, b.columns);
  EXPECT_EQ(a.values, b.values);
  EXPECT_TRUE(same_bits(a.values, b.values));
}

class SparseFiles : public testing::ScratchDirectoryTest {
 protected:
  std::string error_of(const fs::path& path, std::size_t markets = 4) {
    return message_of([&] { read_sparse_matrix(path, markets); });
  }
  std::string npz_error(const std::string& name, const std::vector<ZipMember>& list,
                        std::size_t markets = 4) {
    return error_of(write(name, zip(list)), markets);
  }
  std::string npz_error(const std::string& name, const Csr& c, std::size_t markets = 4) {
    return npz_error(name, members(c), markets);
  }
};

// ---- the CSV ------------------------------------------------------------------------------

TEST_F(SparseFiles, CsvRoundTripIsBitExact) {
  SparseMatrix x;
  x.rows = 4;
  x.cols = 4;
  x.row_start = {0, 3, 3, 4, 6};  // row 1 empty
  x.columns = {0, 2, 3, 1, 0, 3};
  x.values = {0.1, 1.0 / 3.0, 0.0, 1e-300, 5e-324, 0.9999999999999999};  // 0.0: stored zero
  ASSERT_TRUE(x.consistent());
  write_sparse_csv(dir_ / "mu.csv", x);
  EXPECT_EQ(read_text_file(dir_ / "mu.csv"),
            "origin,destination,share\n0,0,0.1\n0,2,0.3333333333333333\n0,3,0\n2,1,1e-300\n"
            "3,0,5e-324\n3,3,0.9999999999999999\n");
  const SparseMatrix y = read_sparse_matrix(dir_ / "mu.csv", 4);
  expect_equal(y, x);
  EXPECT_TRUE(y.consistent());
}

TEST_F(SparseFiles, CsvRowsInAnyOrderAreSortedIntoRows) {
  const fs::path path = write("mu.csv",
                              " origin , destination,share \r\n3,3,0.75\r\n0, 2 ,0.5\r\n1,1,1\r\n"
                              "3,0,0.25\r\n3,1,0\r\n0,0,5e-1\r\n\r\n\n");
  const SparseMatrix x = read_sparse_matrix(path, 4);
  EXPECT_EQ(x.rows, 4u);
  EXPECT_EQ(x.cols, 4u);
  EXPECT_EQ(x.row_start, (std::vector<std::int64_t>{0, 2, 3, 3, 6}));
  EXPECT_EQ(x.columns, (std::vector<std::int32_t>{0, 2, 1, 0, 1, 3}));
  EXPECT_EQ(x.values, (std::vector<double>{0.5, 0.5, 1.0, 0.25, 0.0, 0.75}));
  const Matrix dense = to_dense(x);
  EXPECT_EQ(dense.rows, 4u);
  EXPECT_EQ(dense.cols, 4u);
  EXPECT_EQ(dense.data, (std::vector<double>{0.5, 0, 0.5, 0,  //
                                             0, 1, 0, 0,      //
                                             0, 0, 0, 0,      //
                                             0.25, 0, 0, 0.75}));
}

TEST_F(SparseFiles, CsvHeaderAloneIsAllZeros) {
  const SparseMatrix x =
      read_sparse_matrix(write("zero.csv", "\xEF\xBB\xBForigin,destination,share"), 3);
  EXPECT_EQ(x.row_start, (std::vector<std::int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(x.nonzeros(), 0u);
  EXPECT_TRUE(x.consistent());
}

TEST_F(SparseFiles, CsvErrorsNameFileLineAndRule) {
  const std::string h = "origin,destination,share\n";
  EXPECT_EQ(error_of(write("empty.csv", "")),
            (dir_ / "empty.csv").string() +
                ": the file is empty, must start with the header 'origin,destination,share'");
  EXPECT_THAT(error_of(write("dense.csv", "0.5,0.5\n0,1\n")),
              HasSubstr("dense.csv line 1: the header is '0.5,0.5', must be "
                        "'origin,destination,share'"));
  EXPECT_THAT(error_of(write("order.csv", "destination,origin,share\n")),
              HasSubstr("order.csv line 1: the header is 'destination,origin,share'"));
  EXPECT_THAT(error_of(write("fields.csv", h + "0,1,0.5\n0,2\n")),
              HasSubstr("fields.csv line 3: 2 fields, must be 3 as in the header "
                        "'origin,destination,share'"));
  EXPECT_THAT(error_of(write("four.csv", h + "0,1,0.5,7\n")),
              HasSubstr("four.csv line 2: 4 fields"));
  EXPECT_THAT(error_of(write("word.csv", h + "0,x,0.5\n")),
              HasSubstr("word.csv line 2: destination 'x' is not a non-negative integer"));
  EXPECT_THAT(error_of(write("minus.csv", h + "-1,0,0.5\n")),
              HasSubstr("minus.csv line 2: origin '-1' is not a non-negative integer"));
  EXPECT_THAT(error_of(write("real.csv", h + "1.0,0,0.5\n")),
              HasSubstr("real.csv line 2: origin '1.0' is not a non-negative integer"));
  EXPECT_THAT(error_of(write("range.csv", h + "0,1,0.5\n2,4,0.5\n")),
              HasSubstr("range.csv line 3: destination 4 is out of range, must be below 4 (the "
                        "markets, numbered from 0)"));
  EXPECT_THAT(error_of(write("huge.csv", h + "99999999999999999999999,0,1\n")),
              HasSubstr("huge.csv line 2: origin 99999999999999999999999 is out of range"));
  EXPECT_THAT(error_of(write("twice.csv", h + "0,1,0.5\n1,1,1\n0,1,0.25\n")),
              HasSubstr("twice.csv lines 2 and 4: origin 0, destination 1 is listed twice, each "
                        "pair at most once"));
  EXPECT_THAT(error_of(write("negative.csv", h + "0,1,-0.5\n")),
              HasSubstr("negative.csv line 2: share -0.5 is negative, must be >= 0"));
  EXPECT_THAT(error_of(write("nan.csv", h + "0,1,nan\n")),
              HasSubstr("nan.csv line 2: share 'nan' is not finite, must be a finite number"));
  EXPECT_THAT(error_of(write("inf.csv", h + "0,1,0.5\n1,2,-inf\n")),
              HasSubstr("inf.csv line 3: share '-inf' is not finite"));
  EXPECT_THAT(error_of(write("overflow.csv", h + "0,1,1e999\n")),
              HasSubstr("overflow.csv line 2: share '1e999' is not finite"));
  EXPECT_THAT(error_of(write("text.csv", h + "0,1,half\n")),
              HasSubstr("text.csv line 2: share 'half' is not a number"));
  EXPECT_THAT(error_of(write("gap.csv", h + "0,1,0.5\n\n1,1,1\n")),
              HasSubstr("gap.csv line 3: blank line inside the table (blank lines are allowed "
                        "only at the end)"));
  EXPECT_THAT(error_of(dir_ / "missing.csv"), HasSubstr("missing.csv: cannot open for reading"));
  EXPECT_THAT(error_of(write("mu.txt", h)),
              HasSubstr("mu.txt: unknown sparse matrix format '.txt', use .csv"));
  EXPECT_THROW(read_sparse_matrix(write("big.csv", h), std::size_t{1} << 31), DimensionMismatch);
}

TEST_F(SparseFiles, WriterRefusesAMatrixBreakingTheCsrRules) {
  SparseMatrix x;
  x.rows = 2;
  x.cols = 2;
  x.row_start = {0, 2, 2};
  x.columns = {1, 0};  // descending within row 0
  x.values = {0.5, 0.5};
  EXPECT_THROW(write_sparse_csv(dir_ / "bad.csv", x), DimensionMismatch);
  EXPECT_FALSE(fs::exists(dir_ / "bad.csv"));
}

// ---- the .npz -----------------------------------------------------------------------------

TEST_F(SparseFiles, NpzReadsEveryLayoutSaveNpzWrites) {
  const SparseMatrix expected = read_sparse_matrix(write("mu.csv", kExampleCsv), 4);
  for (const bool int64_indices : {false, true}) {
    for (const bool unicode_format : {false, true}) {
      for (const bool deflate : {false, true}) {
        for (const ZipLayout layout :
             {ZipLayout{false, false}, ZipLayout{true, false}, ZipLayout{true, true}}) {
          SCOPED_TRACE(::testing::Message()
                       << "int64 " << int64_indices << " unicode " << unicode_format << " deflate "
                       << deflate << " zip64 extra " << layout.zip64_extra << " data descriptor "
                       << layout.data_descriptor);
          Csr c = example();
          c.int64_indices = int64_indices;
          c.unicode_format = unicode_format;
          c.deflate = deflate;
          const SparseMatrix x = read_sparse_matrix(write("mu.npz", zip(members(c), layout)), 4);
          expect_equal(x, expected);
        }
      }
    }
  }
}

TEST_F(SparseFiles, NpzIgnoresOtherMembers) {  // scipy adds _is_array.npy for sparse arrays
  std::vector<ZipMember> list = members(example());
  list.push_back({"_is_array.npy", npy("|b1", "()", std::string(1, '\1'))});
  expect_equal(read_sparse_matrix(write("mu.npz", zip(list)), 4),
               read_sparse_matrix(write("mu.csv", kExampleCsv), 4));
}

TEST_F(SparseFiles, NpzArchiveErrorsNameFileMemberAndRule) {
  EXPECT_EQ(error_of(write("text.npz", "not a zip archive")),
            (dir_ / "text.npz").string() +
                ": truncated, or not a ZIP archive (.npz): no end-of-central-directory record");
  const std::string good = zip(members(example()));
  EXPECT_THAT(error_of(write("cut.npz", good.substr(0, good.size() / 2))),
              HasSubstr("cut.npz: truncated, or not a ZIP archive (.npz)"));

  std::string past_end = good;  // format.npy claims more bytes than the file holds
  patch(past_end, central_entry(past_end, "format.npy") + 20, 100000, 4);
  EXPECT_THAT(error_of(write("past.npz", past_end)),
              HasSubstr("past.npz: truncated or corrupt archive: member format.npy (100000 bytes "
                        "at byte "));

  std::string flipped = good;  // one byte of data.npy's last value changed
  flipped[flipped.find(std::string("\x50\x4b\x01\x02", 4)) - 1] ^= 0x10;
  EXPECT_THAT(error_of(write("crc.npz", flipped)),
              HasSubstr("crc.npz: corrupt archive: member data.npy: its CRC-32 is "));

  Csr deflated = example();
  deflated.deflate = true;
  std::string garbled = zip(members(deflated));
  const std::size_t first_data = 30 + std::string("indices.npy").size();
  garbled[first_data] = '\xff';  // block type 3: invalid
  EXPECT_THAT(error_of(write("inflate.npz", garbled)),
              HasSubstr("inflate.npz: corrupt archive: member indices.npy: bad deflate data"));

  std::string zip64 = good;  // the end record's directory offset: the ZIP64 marker
  patch(zip64, zip64.size() - 6, 0xffffffff, 4);
  EXPECT_THAT(error_of(write("zip64.npz", zip64)),
              HasSubstr("zip64.npz: a ZIP64 archive (over 65534 members or 4 GiB) is not "
                        "supported"));

  std::string encrypted = good;
  patch(encrypted, central_entry(encrypted, "format.npy") + 8, 1, 2);
  EXPECT_THAT(error_of(write("encrypted.npz", encrypted)),
              HasSubstr("encrypted.npz member format.npy: encrypted, which is not supported"));

  std::string bzip2 = good;
  patch(bzip2, central_entry(bzip2, "format.npy") + 10, 12, 2);
  EXPECT_THAT(error_of(write("bzip2.npz", bzip2)),
              HasSubstr("bzip2.npz member format.npy: compression method 12 is not supported, "
                        "must be stored (0) or deflated (8)"));

  std::vector<ZipMember> twice = members(example());
  twice.push_back(twice[2]);
  EXPECT_THAT(npz_error("twice.npz", twice),
              HasSubstr("twice.npz: member format.npy appears twice in the archive"));

  EXPECT_THAT(npz_error("missing.npz", replaced(members(example()), "indices.npy", "")),
              HasSubstr("missing.npz: member indices.npy is missing; a scipy.sparse CSR .npz "
                        "holds indptr, indices, data, shape and format (this one holds "
                        "indptr.npy, format.npy, shape.npy, data.npy)"));
  EXPECT_THAT(npz_error("notnpy.npz", replaced(members(example()), "shape.npy", "garbage")),
              HasSubstr("notnpy.npz member shape.npy: not a .npy file (bad magic string)"));
}

TEST_F(SparseFiles, NpzArrayErrorsNameFileMemberEntryAndRule) {
  Csr c = example();
  c.format = "coo";
  EXPECT_THAT(npz_error("coo.npz", c),
              HasSubstr("coo.npz member format.npy: the matrix is stored as 'coo', must be "
                        "'csr' (save matrix.tocsr())"));
  EXPECT_THAT(npz_error("fmt.npz", replaced(members(example()), "format.npy",
                                            npy("<i8", "()", raw(std::vector<std::int64_t>{1})))),
              HasSubstr("fmt.npz member format.npy: dtype '<i8' is not supported, must be a "
                        "string ('<U3' or '|S3')"));

  c = example();
  c.shape = {4, 5};
  EXPECT_THAT(npz_error("shape.npz", c),
              HasSubstr("shape.npz member shape.npy: the matrix is 4 x 5, must be 4 x 4 (one row "
                        "and one column per market)"));
  EXPECT_THAT(npz_error("markets.npz", example(), 5),
              HasSubstr("markets.npz member shape.npy: the matrix is 4 x 4, must be 5 x 5"));

  EXPECT_THAT(npz_error("float.npz", replaced(members(example()), "indices.npy",
                                              npy("<f8", "(6,)", raw(std::vector<double>(6))))),
              HasSubstr("float.npz member indices.npy: dtype '<f8' is not supported, must be "
                        "int32 ('<i4') or int64 ('<i8')"));
  EXPECT_THAT(npz_error("single.npz", replaced(members(example()), "data.npy",
                                               npy("<f4", "(6,)", std::string(24, '\0')))),
              HasSubstr("single.npz member data.npy: dtype '<f4' is not supported, must be "
                        "float64 ('<f8')"));
  EXPECT_THAT(npz_error("short.npz", replaced(members(example()), "data.npy",
                                              npy("<f8", "(6,)", std::string(40, '\0')))),
              HasSubstr("short.npz member data.npy: shape (6,) needs 48 data bytes after the "
                        "header, the member has 40"));
  EXPECT_THAT(npz_error("rank.npz", replaced(members(example()), "data.npy",
                                             npy("<f8", "(2, 3)", std::string(48, '\0')))),
              HasSubstr("rank.npz member data.npy: the array has 2 dimensions, must have 1"));

  c = example();
  c.indptr = {0, 2, 3, 6};
  EXPECT_THAT(npz_error("rows.npz", c),
              HasSubstr("rows.npz member indptr.npy: 4 entries, must be 5 (one more than the 4 "
                        "rows)"));
  c = example();
  c.indptr = {1, 2, 3, 3, 6};
  EXPECT_THAT(npz_error("first.npz", c),
              HasSubstr("first.npz member indptr.npy entry 0 is 1, must be 0"));
  c = example();
  c.indptr = {0, 3, 2, 3, 6};
  EXPECT_THAT(npz_error("decreasing.npz", c),
              HasSubstr("decreasing.npz member indptr.npy entry 2 is 2, below entry 1 (3): must "
                        "be non-decreasing"));
  c = example();
  c.indptr = {0, 2, 3, 3, 5};
  EXPECT_THAT(npz_error("last.npz", c),
              HasSubstr("last.npz member indptr.npy entry 4 (the last) is 5, must equal the "
                        "number of stored entries, 6 (the length of indices and data)"));
  c = example();
  c.data.pop_back();
  EXPECT_THAT(npz_error("lengths.npz", c),
              HasSubstr("lengths.npz: indices.npy has 6 entries and data.npy 5, must be as many"));

  c = example();
  c.indices = {2, 0, 1, 0, 1, 3};
  EXPECT_THAT(npz_error("unsorted.npz", c),
              HasSubstr("unsorted.npz member indices.npy entry 1 (row 0): column 0 is not above "
                        "column 2 of entry 0: the columns of a row must be ascending and distinct "
                        "(call sort_indices() on the matrix before save_npz"));
  c = example();
  c.indices = {0, 2, 1, 0, 0, 3};
  EXPECT_THAT(npz_error("repeated.npz", c),
              HasSubstr("repeated.npz member indices.npy entry 4 (row 3): column 0 is not above "
                        "column 0 of entry 3"));
  c = example();
  c.indices = {0, 2, 1, 0, 1, 4};
  c.int64_indices = true;
  EXPECT_THAT(npz_error("range.npz", c),
              HasSubstr("range.npz member indices.npy entry 5 (row 3): column 4 is out of range, "
                        "must be in [0, 4)"));
  c = example();
  c.indices = {0, -2, 1, 0, 1, 3};
  EXPECT_THAT(npz_error("minus.npz", c),
              HasSubstr("minus.npz member indices.npy entry 1 (row 0): column -2 is out of range"));
  c = example();
  c.data[3] = -0.25;
  EXPECT_THAT(npz_error("negative.npz", c),
              HasSubstr("negative.npz member data.npy entry 3 (row 3, column 0) is -0.25, must be "
                        ">= 0"));
  c = example();
  c.data[2] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(
      npz_error("nan.npz", c),
      HasSubstr("nan.npz member data.npy entry 2 (row 1, column 1) is nan, must be finite"));
  c = example();
  c.data[5] = std::numeric_limits<double>::infinity();
  EXPECT_THAT(
      npz_error("inf.npz", c),
      HasSubstr("inf.npz member data.npy entry 5 (row 3, column 3) is inf, must be finite"));
}

TEST_F(SparseFiles, TellsSparseFilesFromDenseOnes) {
  EXPECT_TRUE(is_sparse_matrix_file(write("mu.npz", zip(members(example())))));
  EXPECT_TRUE(is_sparse_matrix_file(write("mu.csv", kExampleCsv)));
  EXPECT_TRUE(is_sparse_matrix_file(write("blanks.csv", "  origin,destination,share \r\n0,0,1\n")));
  EXPECT_TRUE(is_sparse_matrix_file(write("header.csv", "origin,destination,share")));
  EXPECT_FALSE(is_sparse_matrix_file(write("dense.csv", "1,0\n0,1\n")));
  EXPECT_FALSE(is_sparse_matrix_file(write("other.csv", "origin,destination,value\n")));
  write_npy(dir_ / "mu.npy", Matrix(2, 2, 0.5));
  EXPECT_FALSE(is_sparse_matrix_file(dir_ / "mu.npy"));
  EXPECT_FALSE(is_sparse_matrix_file(dir_ / "missing.csv"));
  fs::create_directory(dir_ / "folder.csv");
  EXPECT_FALSE(is_sparse_matrix_file(dir_ / "folder.csv"));
}

}  // namespace
}  // namespace dynhat
