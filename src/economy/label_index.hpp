// The labels of one dimension of the tables (sectors, regions, country blocks) with their
// positions: the one lookup every reader of labels uses (the table loader, the shock tables, the
// scenario's shocks), so an unknown label gets the same message everywhere.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dynhat {

class LabelIndex {
 public:
  /// `kind` names one label in messages ("sector"); `source` says where the labels come from
  /// ("the tables", or a table's file name).
  LabelIndex(const std::vector<std::string>& names, std::string kind,
             std::string source = "the tables");

  std::size_t size() const { return names_->size(); }
  const std::string& name(std::size_t i) const { return (*names_)[i]; }
  const std::string& kind() const { return kind_; }

  /// The position of `label` (exact match), or size() when it is not one of the names.
  std::size_t find(const std::string& label) const;

  /// "is not a region of the tables (87 regions; closest "China")": the rule an unknown label
  /// breaks, with the closest name ignoring case.
  std::string not_found(const std::string& label) const;

 private:
  const std::vector<std::string>* names_;
  std::string kind_;
  std::string source_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace dynhat
