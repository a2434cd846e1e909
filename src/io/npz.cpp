// scipy.sparse CSR matrices saved by save_npz: a ZIP archive of the .npy arrays indptr, indices,
// data, shape and format, its members stored (savez) or deflated (savez_compressed). The ZIP
// structures are parsed here (one volume, no encryption, no ZIP64 directory: archives and members
// under 4 GiB). Every offset and size read from the file is checked against the bytes actually
// there before it is used, and a member's declared size is bounded by what deflate can produce
// from its compressed bytes, so a corrupt or hostile file fails with a message instead of reading
// out of bounds or allocating gigabytes. Values are read as little-endian, as read_npy reads them
// (the hosts dynhat runs on).
#include "io/npz.hpp"

#include <fmt/format.h>

#define ZLIB_CONST
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "io/npy_header.hpp"

namespace dynhat {

namespace {

// ---- the ZIP archive ----------------------------------------------------------------------

constexpr std::uint32_t kEndSignature = 0x06054b50;      // end of central directory record
constexpr std::uint32_t kCentralSignature = 0x02014b50;  // central directory entry
constexpr std::uint32_t kLocalSignature = 0x04034b50;    // local file header
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kCentralSize = 46;
constexpr std::size_t kLocalSize = 30;
constexpr std::size_t kMaxCommentSize = 0xffff;
// A count, size or offset of all ones says the real value is in ZIP64 records.
constexpr std::uint16_t kZip64Count = 0xffff;
constexpr std::uint32_t kZip64Value = 0xffffffff;
// Deflate's densest stream (258-byte matches at 1 bit each) expands about 1032-fold.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
// Members named in the message of a missing member.
constexpr std::size_t kNamesListed = 10;

std::uint16_t le16(std::string_view bytes, std::uint64_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[at]) |
                                    (static_cast<unsigned char>(bytes[at + 1]) << 8));
}

std::uint32_t le32(std::string_view bytes, std::uint64_t at) {
  return static_cast<std::uint32_t>(le16(bytes, at)) |
         (static_cast<std::uint32_t>(le16(bytes, at + 2)) << 16);
}

/// A member as the central directory describes it.
struct Member {
  std::string name;
  std::uint16_t flags = 0;
  std::uint16_t method = 0;
  std::uint32_t crc = 0;
  std::uint32_t compressed_size = 0;
  std::uint32_t size = 0;
  std::uint32_t local_offset = 0;
};

/// A whole .npz file in memory and its central directory. The local headers are read only to find
/// where a member's data begin: their CRC and sizes may be 0 (the data-descriptor flag) or, as
/// numpy.savez always writes them, 0xffffffff with the real sizes in a ZIP64 extra field; the
/// central directory's are used.
class Archive {
 public:
  Archive(std::string bytes, std::string file) : bytes_(std::move(bytes)), file_(std::move(file)) {
    read_directory();
  }

  /// The member `name`, nullptr when there is none; throws when the name appears twice.
  const Member* find(std::string_view name) const {
    const Member* found = nullptr;
    for (const Member& member : members_) {
      if (member.name != name) continue;
      if (found != nullptr) {
        throw InvalidInput(fmt::format("{}: member {} appears twice in the archive", file_, name));
      }
      found = &member;
    }
    return found;
  }

  /// The member's bytes, inflated when deflated, checked against its size and CRC-32.
  std::string extract(const Member& member) const {
    const std::string_view b = bytes_;
    if ((member.flags & 1) != 0) {
      throw InvalidInput(
          fmt::format("{} member {}: encrypted, which is not supported", file_, member.name));
    }
    if (member.method != 0 && member.method != 8) {
      throw InvalidInput(
          fmt::format("{} member {}: compression method {} is not supported, must be stored (0) "
                      "or deflated (8)",
                      file_, member.name, member.method));
    }
    const std::uint64_t at = member.local_offset;
    if (at + kLocalSize > b.size() || le32(b, at) != kLocalSignature) {
      corrupt(fmt::format("member {}: no local header at byte {}", member.name, at));
    }
    const std::uint64_t name_at = at + kLocalSize;
    const std::uint64_t data_at = name_at + le16(b, at + 26) + le16(b, at + 28);
    if (data_at + member.compressed_size > b.size()) {
      throw InvalidInput(fmt::format(
          "{}: truncated or corrupt archive: member {} ({} bytes at byte {}) runs past the end of "
          "the file ({} bytes)",
          file_, member.name, member.compressed_size, data_at, b.size()));
    }
    if (b.substr(name_at, le16(b, at + 26)) != member.name) {
      corrupt(fmt::format("member {}: its local header names '{}'", member.name,
                          printable(b.substr(name_at, le16(b, at + 26)))));
    }
    const std::string_view stored = b.substr(data_at, member.compressed_size);
    std::string out;
    if (member.method == 0) {
      if (member.size != member.compressed_size) {
        corrupt(fmt::format("stored member {} holds {} bytes, its directory entry says {}",
                            member.name, member.compressed_size, member.size));
      }
      out.assign(stored);
    } else {
      out = inflate_member(member, stored);
    }
    const uLong crc =
        crc32(0L, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size()));
    if (crc != member.crc) {
      corrupt(fmt::format("member {}: its CRC-32 is {:08x}, its directory entry says {:08x}",
                          member.name, crc, member.crc));
    }
    return out;
  }

  /// The member names for a message: 'a', 'b' (the first kNamesListed).
  std::string names() const {
    std::string out;
    for (std::size_t i = 0; i < members_.size() && i < kNamesListed; ++i) {
      fmt::format_to(std::back_inserter(out), "{}{}", i > 0 ? ", " : "",
                     printable(members_[i].name));
    }
    if (members_.size() > kNamesListed) {
      fmt::format_to(std::back_inserter(out), " and {} more", members_.size() - kNamesListed);
    }
    return members_.empty() ? std::string("no members") : out;
  }

  /// `text` with bytes outside printable ASCII as '?', for messages that quote the file.
  static std::string printable(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
      if (c < ' ' || c > '~') c = '?';
    }
    return out;
  }

 private:
  [[noreturn]] void corrupt(const std::string& what) const {
    throw InvalidInput(fmt::format("{}: corrupt archive: {}", file_, what));
  }

  void read_directory() {
    const std::string_view b = bytes_;
    // The end record is the last 22 bytes, or precedes a comment of at most 64 KiB.
    std::optional<std::uint64_t> end;
    if (b.size() >= kEndSize) {
      const std::uint64_t last = b.size() - kEndSize;
      const std::uint64_t lowest = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
      for (std::uint64_t at = last + 1; at-- > lowest;) {
        if (le32(b, at) == kEndSignature && at + kEndSize + le16(b, at + 20) <= b.size()) {
          end = at;
          break;
        }
      }
    }
    if (!end) {
      throw InvalidInput(fmt::format(
          "{}: truncated, or not a ZIP archive (.npz): no end-of-central-directory record", file_));
    }
    const std::uint16_t disk = le16(b, *end + 4), directory_disk = le16(b, *end + 6);
    const std::uint16_t count_here = le16(b, *end + 8), count = le16(b, *end + 10);
    const std::uint32_t directory_size = le32(b, *end + 12);
    const std::uint32_t directory_at = le32(b, *end + 16);
    if (count == kZip64Count || directory_size == kZip64Value || directory_at == kZip64Value) {
      throw InvalidInput(
          fmt::format("{}: a ZIP64 archive (over 65534 members or 4 GiB) is not supported", file_));
    }
    if (disk != 0 || directory_disk != 0 || count_here != count) {
      throw InvalidInput(
          fmt::format("{}: a multi-volume (split) ZIP archive is not supported", file_));
    }
    const std::uint64_t directory_end = std::uint64_t{directory_at} + directory_size;
    if (directory_end > *end) {
      corrupt(fmt::format(
          "the central directory ({} bytes at byte {}) runs past its end record at byte {}",
          directory_size, directory_at, *end));
    }
    members_.reserve(count);
    std::uint64_t at = directory_at;
    for (std::size_t i = 0; i < count; ++i) {
      if (at + kCentralSize > directory_end || le32(b, at) != kCentralSignature) {
        corrupt(
            fmt::format("central directory entry {} of {} is missing or truncated", i + 1, count));
      }
      const std::uint64_t name_size = le16(b, at + 28);
      const std::uint64_t next =
          at + kCentralSize + name_size + le16(b, at + 30) + le16(b, at + 32);
      if (next > directory_end) {
        corrupt(
            fmt::format("central directory entry {} of {} runs past the directory", i + 1, count));
      }
      Member member;
      member.name.assign(b.substr(at + kCentralSize, name_size));
      member.flags = le16(b, at + 8);
      member.method = le16(b, at + 10);
      member.crc = le32(b, at + 16);
      member.compressed_size = le32(b, at + 20);
      member.size = le32(b, at + 24);
      member.local_offset = le32(b, at + 42);
      if (member.compressed_size == kZip64Value || member.size == kZip64Value ||
          member.local_offset == kZip64Value) {
        throw InvalidInput(fmt::format(
            "{} member {}: ZIP64 sizes or offsets (a member or archive over 4 GiB) are not "
            "supported",
            file_, printable(member.name)));
      }
      members_.push_back(std::move(member));
      at = next;
    }
  }

  std::string inflate_member(const Member& member, std::string_view stored) const {
    if (std::uint64_t{member.size} > kMaxDeflateRatio * member.compressed_size + kMaxDeflateRatio) {
      corrupt(fmt::format(
          "member {} declares {} bytes from {} compressed, more than deflate can produce",
          member.name, member.size, member.compressed_size));
    }
    // One byte of room beyond the declared size tells a stream that runs longer from one that
    // fits. The size is below 2^32 - 1 (all ones is the ZIP64 marker, refused), so both fit a uInt.
    std::string out(std::size_t{member.size} + 1, '\0');
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw Error("zlib: cannot start inflating");
    z.next_in = reinterpret_cast<const Bytef*>(stored.data());
    z.avail_in = static_cast<uInt>(stored.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&z, Z_FINISH);
    const std::uint64_t produced = z.total_out;
    const std::string reason = z.msg != nullptr ? z.msg : "no reason given";
    inflateEnd(&z);
    if (status == Z_MEM_ERROR) throw Error(fmt::format("{}: out of memory inflating", file_));
    if (status == Z_DATA_ERROR || status == Z_NEED_DICT) {
      corrupt(fmt::format("member {}: bad deflate data ({})", member.name, reason));
    }
    if (produced > member.size) {
      corrupt(fmt::format("member {} inflates to more than the {} bytes its directory entry says",
                          member.name, member.size));
    }
    if (status != Z_STREAM_END) {
      corrupt(fmt::format("member {}: the deflate stream is cut short", member.name));
    }
    if (produced != member.size) {
      corrupt(fmt::format("member {} inflates to {} bytes, its directory entry says {}",
                          member.name, produced, member.size));
    }
    out.resize(member.size);
    return out;
  }

  std::string bytes_;
  std::string file_;
  std::vector<Member> members_;
};

// ---- the .npy members ---------------------------------------------------------------------

/// A member NAME.npy, inflated, its header parsed.
struct NpyMember {
  std::string where;  ///< "FILE member NAME.npy", how messages name it
  std::string bytes;
  NpyHeader header;
  std::uint64_t data_offset = 0;
  std::size_t item_size = 0;  ///< bytes per element, from the dtype (require_integers, ...)
  std::uint64_t count = 0;    ///< elements, from the shape (require_rank)

  const char* element(std::uint64_t i) const { return bytes.data() + data_offset + i * item_size; }
};

/// The shape as NumPy prints it: (), (5,), (2, 3).
std::string shape_text(const std::vector<std::uint64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "{}{}", i > 0 ? ", " : "", shape[i]);
  }
  return out + ")";
}

NpyMember load_member(const Archive& archive, const std::string& file, const std::string& name) {
  const Member* member = archive.find(name + ".npy");
  if (member == nullptr) {
    throw InvalidInput(fmt::format(
        "{}: member {}.npy is missing; a scipy.sparse CSR .npz holds indptr, indices, data, shape "
        "and format (this one holds {})",
        file, name, archive.names()));
  }
  NpyMember m;
  m.where = fmt::format("{} member {}.npy", file, name);
  m.bytes = archive.extract(*member);
  const NpyLayout layout = parse_npy_preamble(m.bytes, m.bytes.size(), m.where);
  m.header = parse_npy_dictionary(
      std::string_view(m.bytes).substr(layout.dictionary_offset, layout.dictionary_size), m.where);
  m.data_offset = layout.data_offset;
  return m;
}

[[noreturn]] void unsupported_dtype(const NpyMember& m, const char* rule) {
  throw InvalidInput(fmt::format("{}: dtype '{}' is not supported, must be {}", m.where,
                                 Archive::printable(m.header.descr), rule));
}

/// indptr, indices and shape: int32 or int64 (scipy picks the narrowest that holds the values).
void require_integers(NpyMember& m) {
  if (m.header.descr == "<i4") {
    m.item_size = 4;
  } else if (m.header.descr == "<i8") {
    m.item_size = 8;
  } else {
    unsupported_dtype(m, "int32 ('<i4') or int64 ('<i8')");
  }
}

void require_doubles(NpyMember& m) {
  if (m.header.descr != "<f8") unsupported_dtype(m, "float64 ('<f8')");
  m.item_size = 8;
}

/// The member has `rank` dimensions and exactly the data bytes its shape and dtype need. (Fortran
/// order is the same layout for the 0-d and 1-d arrays read here, so it is not checked.)
void require_rank(NpyMember& m, std::size_t rank) {
  const std::vector<std::uint64_t>& shape = m.header.shape;
  if (shape.size() != rank) {
    throw InvalidInput(
        fmt::format("{}: the array has {} dimensions, must have {}", m.where, shape.size(), rank));
  }
  std::optional<std::uint64_t> bytes = m.item_size;
  std::uint64_t count = 1;
  for (const std::uint64_t n : shape) {
    if (n != 0 && count > std::numeric_limits<std::uint64_t>::max() / m.item_size / n) {
      bytes.reset();
      break;
    }
    count *= n;
    *bytes = count * m.item_size;
  }
  const std::uint64_t held = m.bytes.size() - m.data_offset;
  if (!bytes || *bytes != held) {
    throw InvalidInput(
        fmt::format("{}: shape {} needs {} data bytes after the header, the member has {}", m.where,
                    shape_text(shape),
                    bytes ? fmt::format("{}", *bytes) : std::string("more than 2^64"), held));
  }
  m.count = count;
}

std::int64_t integer_at(const NpyMember& m, std::uint64_t i) {
  if (m.item_size == 4) {
    std::int32_t value = 0;
    std::memcpy(&value, m.element(i), sizeof value);
    return value;
  }
  std::int64_t value = 0;
  std::memcpy(&value, m.element(i), sizeof value);
  return value;
}

/// format.npy: the 0-d string "csr", as '|S3' (bytes, as scipy writes it) or '<U3' (unicode, 4
/// bytes a character, as older scipy wrote it). Other widths are read too, so that the message
/// names what a 'coo' or 'bsr' archive holds.
void require_csr(NpyMember& m) {
  const std::string& descr = m.header.descr;
  const bool unicode = descr.compare(0, 2, "<U") == 0;
  const bool bytes = descr.compare(0, 2, "|S") == 0;
  std::size_t width = 0;
  bool digits = descr.size() > 2 && descr.size() <= 4;
  for (std::size_t i = 2; digits && i < descr.size(); ++i) {
    digits = descr[i] >= '0' && descr[i] <= '9';
    width = width * 10 + static_cast<std::size_t>(descr[i] - '0');
  }
  if (!(unicode || bytes) || !digits || width == 0) {
    throw InvalidInput(
        fmt::format("{}: dtype '{}' is not supported, must be a string ('<U3' or '|S3')", m.where,
                    Archive::printable(descr)));
  }
  m.item_size = unicode ? 4 * width : width;
  require_rank(m, 0);
  std::string text;
  for (std::size_t i = 0; i < width; ++i) {
    std::uint32_t c = static_cast<unsigned char>(m.element(0)[i]);
    if (unicode) std::memcpy(&c, m.element(0) + 4 * i, sizeof c);
    if (c == 0) break;  // NumPy pads short strings with NULs
    text += c < 0x80 ? static_cast<char>(c) : '?';
  }
  if (text != "csr") {
    throw InvalidInput(
        fmt::format("{}: the matrix is stored as '{}', must be 'csr' (save "
                    "matrix.tocsr())",
                    m.where, Archive::printable(text)));
  }
}

}  // namespace

SparseMatrix read_sparse_npz(const std::filesystem::path& path, std::size_t markets) {
  const std::string file = path.string();
  const Archive archive(read_text_file(path), file);
  // The format first: a COO or CSC archive holds other members, and its format says why.
  NpyMember format = load_member(archive, file, "format");
  require_csr(format);

  NpyMember shape = load_member(archive, file, "shape");
  require_integers(shape);
  require_rank(shape, 1);
  if (shape.count != 2) {
    throw InvalidInput(
        fmt::format("{}: {} entries, must be 2 (rows, columns)", shape.where, shape.count));
  }
  const std::int64_t rows = integer_at(shape, 0), cols = integer_at(shape, 1);
  const auto m = static_cast<std::int64_t>(markets);
  if (rows != m || cols != m) {
    throw InvalidInput(fmt::format(
        "{}: the matrix is {} x {}, must be {} x {} (one row and one column per market)",
        shape.where, rows, cols, markets, markets));
  }

  NpyMember indptr = load_member(archive, file, "indptr");
  require_integers(indptr);
  require_rank(indptr, 1);
  if (indptr.count != std::uint64_t{markets} + 1) {
    throw InvalidInput(fmt::format("{}: {} entries, must be {} (one more than the {} rows)",
                                   indptr.where, indptr.count, markets + 1, markets));
  }
  NpyMember indices = load_member(archive, file, "indices");
  require_integers(indices);
  require_rank(indices, 1);
  NpyMember data = load_member(archive, file, "data");
  require_doubles(data);
  require_rank(data, 1);
  if (indices.count != data.count) {
    throw InvalidInput(fmt::format(
        "{}: indices.npy has {} entries and data.npy {}, must be as many (one per stored entry)",
        file, indices.count, data.count));
  }
  // A member is under 4 GiB, so fewer than 2^30 entries: the comparisons with indptr are exact.
  const auto stored = static_cast<std::int64_t>(data.count);

  SparseMatrix x;
  x.rows = markets;
  x.cols = markets;
  x.row_start.resize(markets + 1);
  for (std::size_t i = 0; i <= markets; ++i) {
    const std::int64_t start = integer_at(indptr, i);
    if (i == 0 && start != 0) {
      throw InvalidInput(fmt::format("{} entry 0 is {}, must be 0", indptr.where, start));
    }
    if (i > 0 && start < x.row_start[i - 1]) {
      throw InvalidInput(
          fmt::format("{} entry {} is {}, below entry {} ({}): must be non-decreasing",
                      indptr.where, i, start, i - 1, x.row_start[i - 1]));
    }
    x.row_start[i] = start;
  }
  if (x.row_start[markets] != stored) {
    throw InvalidInput(fmt::format(
        "{} entry {} (the last) is {}, must equal the number of stored entries, {} (the length of "
        "indices and data)",
        indptr.where, markets, x.row_start[markets], stored));
  }
  x.columns.resize(data.count);
  x.values.resize(data.count);
  for (std::size_t i = 0; i < markets; ++i) {
    for (auto e = static_cast<std::size_t>(x.row_start[i]);
         e < static_cast<std::size_t>(x.row_start[i + 1]); ++e) {
      const std::int64_t k = integer_at(indices, e);
      if (k < 0 || k >= m) {
        throw InvalidInput(fmt::format(
            "{} entry {} (row {}): column {} is out of range, must be in [0, {}) (the markets)",
            indices.where, e, i, k, markets));
      }
      if (e > static_cast<std::size_t>(x.row_start[i]) && k <= x.columns[e - 1]) {
        throw InvalidInput(fmt::format(
            "{} entry {} (row {}): column {} is not above column {} of entry {}: the columns of a "
            "row must be ascending and distinct (call sort_indices() on the matrix before "
            "save_npz, and sum_duplicates() where a column repeats)",
            indices.where, e, i, k, x.columns[e - 1], e - 1));
      }
      x.columns[e] = static_cast<std::int32_t>(k);
      double v = 0.0;
      std::memcpy(&v, data.element(e), sizeof v);
      if (!std::isfinite(v)) {
        throw InvalidInput(fmt::format("{} entry {} (row {}, column {}) is {}, must be finite",
                                       data.where, e, i, k, v));
      }
      if (v < 0.0) {
        throw InvalidInput(fmt::format("{} entry {} (row {}, column {}) is {}, must be >= 0",
                                       data.where, e, i, k, v));
      }
      x.values[e] = v;
    }
  }
  return x;
}

}  // namespace dynhat
