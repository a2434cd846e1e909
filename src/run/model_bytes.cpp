// Every field of a run's inputs, in one order both ways (runtime/byte_stream.hpp). A field added
// to ModelInputs, DynamicModel, Economy or DynamicOptions must be added here:
// RunPipeline.InputsSurviveTheirBytes compares each of them.
#include "run/model_bytes.hpp"

#include <string>
#include <vector>

#include "runtime/byte_stream.hpp"

namespace dynhat::pipeline {

namespace {

template <class E, class F>
void economy_fields(E& e, F&& f) {
  f(e.sectors);
  f(e.regions);
  f(e.mobile_regions);
  f(e.sector_names);
  f(e.region_names);
  f(e.theta);
  f(e.gamma);
  f(e.xi);
  f(e.G);
  f(e.alpha);
  f(e.iota);
  f(e.chi);
  f(e.trade_flows);
  f(e.trade_shares);
  f(e.absorption);
  f(e.gross_output);
  f(e.VAL);
  f(e.VAR);
  f(e.balance);
}

template <class C, class F>
void changes_fields(C& c, F&& f) {
  f(c.productivity);  // trivially copyable records: copied whole
  f(c.trade_costs);
  f(c.news_slot);
}

template <class O, class F>
void options_fields(O& o, F&& f) {
  f(o.method);
  f(o.tol);
  f(o.max_iterations);
  f(o.anderson_memory);
  f(o.damping);
  f(o.te.tol);
  f(o.te.max_iterations);
  f(o.te.damping);
  f(o.te.anderson_memory);
  f(o.te.price_tol);
  f(o.te.max_price_iterations);
  f(o.te.expenditure_tol);
  f(o.te_chord);
  f(o.chord_max_unknowns);
  f(o.dense_news_block_max);
  f(o.mu0_storage);
}

template <class In, class F>
void each_field(In& in, F&& f) {
  economy_fields(in.model.economy, f);
  f(in.model.base_year.trade_shares);
  f(in.model.base_year.VAL);
  f(in.model.base_year.VAR);
  f(in.model.mu0);
  f(in.model.L0);
  f(in.model.periods);
  f(in.model.beta);
  f(in.model.nu);
  changes_fields(in.model.baseline_changes, f);
  changes_fields(in.changes, f);
  f(in.effects.manufacturing);
  options_fields(in.options, f);
  f(in.backend);
  f(in.device);
  f(in.first_quarter);
  f(in.description);
  f(in.source_json);
}

/// The input files' roles, paths and hashes: three lists of strings.
struct FileColumns {
  std::vector<std::string> roles, paths, hashes;
};

}  // namespace

std::string inputs_to_bytes(const ModelInputs& inputs) {
  ByteWriter w;
  each_field(inputs, [&](const auto& x) { w.put(x); });
  FileColumns files;
  for (const InputFile& file : inputs.files) {
    files.roles.push_back(file.role);
    files.paths.push_back(file.path.string());
    files.hashes.push_back(file.sha256);
  }
  w.put(files.roles);
  w.put(files.paths);
  w.put(files.hashes);
  return w.take();
}

ModelInputs inputs_from_bytes(const std::string& bytes) {
  ModelInputs inputs;
  ByteReader r(bytes, "a run's input bytes");
  each_field(inputs, [&](auto& x) { r.get(x); });
  FileColumns files;
  r.get(files.roles);
  r.get(files.paths);
  r.get(files.hashes);
  r.finish();
  if (files.paths.size() != files.roles.size() || files.hashes.size() != files.roles.size())
    throw Error("a run's input bytes are malformed: the file lists differ in length");
  for (std::size_t k = 0; k < files.roles.size(); ++k)
    inputs.files.push_back({files.roles[k], files.paths[k], files.hashes[k]});
  return inputs;
}

}  // namespace dynhat::pipeline
