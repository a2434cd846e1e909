#include "economy/label_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <numeric>

namespace dynhat {

namespace {

/// Levenshtein distance ignoring case: how far a mistyped label is from a real one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t k = 1; k <= b.size(); ++k) {
      const std::size_t substitute = diagonal + (lower(a[i - 1]) == lower(b[k - 1]) ? 0 : 1);
      diagonal = row[k];
      row[k] = std::min({row[k] + 1, row[k - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

}  // namespace

LabelIndex::LabelIndex(const std::vector<std::string>& names, std::string kind, std::string source)
    : names_(&names), kind_(std::move(kind)), source_(std::move(source)) {
  for (std::size_t i = 0; i < names.size(); ++i) index_.emplace(names[i], i);
}

std::size_t LabelIndex::find(const std::string& label) const {
  const auto found = index_.find(label);
  return found == index_.end() ? size() : found->second;
}

std::string LabelIndex::not_found(const std::string& label) const {
  std::string closest;
  std::size_t best = std::string::npos;
  for (const std::string& name : *names_) {
    const std::size_t d = edit_distance(label, name);
    if (d < best) {
      best = d;
      closest = name;
    }
  }
  return fmt::format("is not a {} of {} ({} {}s{})", kind_, source_, size(), kind_,
                     closest.empty() ? "" : fmt::format("; closest \"{}\"", closest));
}

}  // namespace dynhat
