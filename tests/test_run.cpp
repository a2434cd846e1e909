// The run pipeline (dynhat/run.hpp): a saved baseline reused bit for bit, refused when it was
// solved for other inputs, output directories read back with the layouts their manifest states,
// quarter labels and the demo's manufacturing subset.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dynhat/error.hpp"
#include "dynhat/run.hpp"
#include "dynhat/version.hpp"
#include "run/model_bytes.hpp"
#include "support/fixtures.hpp"
#include "support/sequential_reference.hpp"

namespace dynhat {
namespace {

/// A small dynamic model with a productivity rise in a country and a trade-cost cut.
ModelInputs small_inputs() {
  ModelInputs in;
  in.model = testing::small_dynamic_model(11, 30, 0.5);
  for (std::size_t q = 1; q <= 10; ++q) {
    for (std::size_t j : {0, 1}) in.changes.productivity.push_back({q, j, 4, std::pow(1.5, 0.1)});
  }
  in.changes.trade_costs.push_back({3, 2, 0, 5, 0.8});
  in.effects.manufacturing = {0, 1};
  in.description = "small test model";
  return in;
}

/// The bits of two matrices are equal (EXPECT_EQ on doubles would accept -0 == +0).
void expect_same_bits(const Matrix& a, const Matrix& b, const char* what) {
  ASSERT_EQ(a.rows, b.rows) << what;
  ASSERT_EQ(a.cols, b.cols) << what;
  EXPECT_EQ(0, std::memcmp(a.data.data(), b.data.data(), a.size() * sizeof(double))) << what;
}

void expect_same_path(const PathSolution& a, const PathSolution& b) {
  expect_same_bits(a.Y, b.Y, "Y");
  expect_same_bits(a.L, b.L, "L");
  expect_same_bits(a.real_wage, b.real_wage, "real_wage");
  expect_same_bits(a.stay, b.stay, "stay");
  expect_same_bits(a.omega, b.omega, "omega");
  expect_same_bits(a.price_index, b.price_index, "price_index");
  EXPECT_EQ(a.report.iterations, b.report.iterations);
  EXPECT_EQ(a.report.residual_history, b.report.residual_history);
}

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

class RunPipeline : public testing::ScratchDirectoryTest,
                    public ::testing::WithParamInterface<OutputFormat> {};

// The counterfactual from a baseline written to disk and read back is the one solved in one go,
// bit for bit: both writers round-trip every double, and the solver is deterministic.
TEST_P(RunPipeline, ReloadedBaselineGivesTheSameCounterfactualBitForBit) {
  const ModelInputs in = small_inputs();
  const RunResult one_go = run(in);
  ASSERT_TRUE(one_go.converged());
  {
    OutputDirectory out(dir_ / "first");
    write_outputs(out, in, one_go, {GetParam(), "test"});
  }
  const SavedBaseline saved = read_baseline(dir_ / "first");
  require_matching_baseline(saved, in);
  expect_same_path(saved.solution, one_go.baseline);

  RunOptions reuse;
  reuse.baseline = &saved.solution;
  const RunResult second = run(in, reuse);
  EXPECT_TRUE(second.baseline_reused);
  expect_same_path(*second.counterfactual, *one_go.counterfactual);
  expect_same_bits(second.counterfactual->Y_relative, one_go.counterfactual->Y_relative, "Yrel");
  EXPECT_EQ(second.effects->welfare, one_go.effects->welfare);

  const SavedRun back = read_outputs(dir_ / "first");
  ASSERT_TRUE(back.counterfactual);
  expect_same_path(*back.counterfactual, *one_go.counterfactual);
}

// Every matrix file the manifest lists has the rows and columns its layout states, and every
// listed file exists.
TEST_P(RunPipeline, ManifestListsEveryFileWithItsLayout) {
  const ModelInputs in = small_inputs();
  const RunResult r = run(in);
  OutputDirectory out(dir_ / "run");
  const std::vector<std::string> files = write_outputs(out, in, r, {GetParam(), "dynhat test"});
  const nlohmann::json report = read_json(dir_ / "run" / "report.json");
  EXPECT_EQ(report["files"].get<std::vector<std::string>>(), files);
  EXPECT_EQ(report["run"]["command_line"], "dynhat test");
  EXPECT_EQ(report["run"]["dynhat_version"], DYNHAT_VERSION);
  EXPECT_EQ(report["run"]["git_revision"], DYNHAT_GIT_REVISION);
  for (const char* key : {"started", "finished", "host", "omp_threads", "backend", "device"}) {
    EXPECT_TRUE(report["run"].contains(key)) << key;
  }
  EXPECT_EQ(report["changes"]["productivity"]["rows"].size(), in.changes.productivity.size());
  std::size_t matrices = 0;
  for (const std::string& name : files) {
    EXPECT_TRUE(std::filesystem::exists(dir_ / "run" / name)) << name;
    const std::string ext = std::filesystem::path(name).extension().string();
    if (ext != ".csv" && ext != ".npy") continue;
    if (name.rfind("effects/", 0) == 0) continue;  // labelled tables with a header
    ++matrices;
    ASSERT_TRUE(report["layouts"].contains(name)) << name;
    const Matrix x = read_matrix(dir_ / "run" / name);
    EXPECT_EQ(x.rows, report["layouts"][name]["rows"].get<std::size_t>()) << name;
    EXPECT_EQ(x.cols, report["layouts"][name]["columns"].get<std::size_t>()) << name;
  }
  EXPECT_EQ(matrices, 6u + 7u);  // baseline: 6 files; counterfactual: the same and Y_own
}

/// csv and npy, and mat (CSV paths plus the kit's workspaces) in a build with matio.
std::vector<OutputFormat> output_formats() {
  std::vector<OutputFormat> formats = {OutputFormat::csv, OutputFormat::npy};
  if (mat_files_supported()) formats.push_back(OutputFormat::mat);
  return formats;
}

INSTANTIATE_TEST_SUITE_P(Formats, RunPipeline, ::testing::ValuesIn(output_formats()),
                         [](const auto& format) { return std::string(to_string(format.param)); });

// --format mat: the kit's value-change matrices are dynhat's paths transposed (M x T), exactly:
// the same doubles in MATLAB's column-major order. Ldyn and rwage (3-D) are checked in Octave
// (tests/kit_outputs.m).
TEST(KitWorkspaces, ValueChangesAreThePathsTransposed) {
  if (!mat_files_supported()) GTEST_SKIP() << "\n*** built without matio: no .mat outputs ***";
  const ModelInputs in = small_inputs();
  const RunResult r = run(in);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "dynhat-KitWorkspaces-run";
  std::filesystem::remove_all(dir);
  OutputDirectory out(dir);
  const std::vector<std::string> files = write_outputs(out, in, r, {OutputFormat::mat, "test"});
  const nlohmann::json report = read_json(dir / "report.json");
  const auto transposed = [](const Matrix& x) {
    Matrix t(x.cols, x.rows);
    for (std::size_t i = 0; i < x.rows; ++i) {
      for (std::size_t j = 0; j < x.cols; ++j) t(j, i) = x(i, j);
    }
    return t;
  };
  const Matrix H = read_mat_variable(dir / "baseline.mat", "Hvectnoshock");
  expect_same_bits(H, transposed(r.baseline.Y), "Hvectnoshock");
  const Matrix V = read_mat_variable(dir / "counterfactual.mat", "V");
  expect_same_bits(V, transposed(r.counterfactual->Y_relative), "V");
  for (const char* var :
       {"baseline.mat:Ldyn", "counterfactual.mat:rwage", "counterfactual.mat:V"}) {
    EXPECT_TRUE(report["layouts"].contains(var)) << var;
  }
  EXPECT_EQ(report["layouts"]["baseline.mat:Ldyn"]["dimensions"].get<std::vector<std::size_t>>(),
            (std::vector<std::size_t>{in.model.economy.sectors + 1, in.model.economy.mobile_regions,
                                      in.model.periods}));
  std::filesystem::remove_all(dir);
}

class SavedBaselines : public testing::ScratchDirectoryTest {
 protected:
  void SetUp() override {
    testing::ScratchDirectoryTest::SetUp();
    OutputDirectory out(dir_ / "base");
    write_outputs(out, in_, run_baseline(in_), {});
  }
  ModelInputs in_ = small_inputs();
};

TEST_F(SavedBaselines, OtherInputsAreRefusedNamingTheField) {
  const SavedBaseline saved = read_baseline(dir_ / "base" / "baseline");  // the folder works too
  {
    ModelInputs other = in_;
    other.model.L0[3] *= 1.0 + 1e-12;  // any change of the data changes its hash
    const std::string message =
        testing::message_of([&] { require_matching_baseline(saved, other); });
    EXPECT_NE(message.find("data.L0_sha256"), std::string::npos) << message;
  }
  {
    ModelInputs other = in_;
    other.model.periods = 31;
    const std::string message =
        testing::message_of([&] { require_matching_baseline(saved, other); });
    EXPECT_NE(message.find("model.periods is 30 in the saved baseline, 31 in this scenario"),
              std::string::npos)
        << message;
  }
  {
    ModelInputs other = in_;
    other.options.te.tol = 1e-9;
    const std::string message =
        testing::message_of([&] { require_matching_baseline(saved, other); });
    EXPECT_NE(message.find("solver.te_tol"), std::string::npos) << message;
  }
  {
    ModelInputs other = in_;
    other.model.economy.theta[1] *= 1.01;
    const std::string message =
        testing::message_of([&] { require_matching_baseline(saved, other); });
    EXPECT_NE(message.find("data.tables_sha256"), std::string::npos) << message;
  }
  {
    ModelInputs other = in_;  // a baseline with its own changes of fundamentals is another path
    other.model.baseline_changes.productivity.push_back({2, 0, 1, 1.05});
    const std::string message =
        testing::message_of([&] { require_matching_baseline(saved, other); });
    EXPECT_NE(message.find("model.baseline_changes is 0 in the saved baseline, 1 in this scenario"),
              std::string::npos)
        << message;
  }
  // Options that change only the speed (Anderson memory, damping) do not matter.
  ModelInputs faster = in_;
  faster.options.anderson_memory = 4;
  faster.options.damping = 0.7;
  EXPECT_NO_THROW(require_matching_baseline(saved, faster));
}

TEST_F(SavedBaselines, MissingOrBrokenPartsAreNamed) {
  std::filesystem::remove(dir_ / "base" / "baseline" / "omega.csv");
  std::string message = testing::message_of([&] { read_baseline(dir_ / "base"); });
  EXPECT_NE(message.find("omega"), std::string::npos) << message;
  message = testing::message_of([&] { read_baseline(dir_ / "nothing-here"); });
  EXPECT_NE(message.find("no baseline.json"), std::string::npos) << message;
  write("base/baseline/baseline.json", "{\"schema_version\": 1, ");
  message = testing::message_of([&] { read_baseline(dir_ / "base"); });
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

// What rank 0 of an MPI run broadcasts (run/model_bytes.hpp): the inputs back from their bytes
// solve to the same bits (so every field the solve reads came back), and the fields the
// manifest reports are equal; a message cut short or with bytes left over is refused.
TEST(ModelBytes, InputsComeBackFromTheirBytes) {
  ModelInputs in = small_inputs();
  in.model.baseline_changes.productivity.push_back({2, 1, 3, 1.01});
  in.model.baseline_changes.trade_costs.push_back({4, 0, 1, 2, 0.95});
  in.options.tol = 1e-9;
  in.options.te.damping = 0.2;
  in.options.te.max_price_iterations = 777;
  in.options.dense_news_block_max = 7;  // the GMRES news block: another code path, same answer
  in.options.mu0_storage = Mu0Storage::sparse;
  in.device = 3;  // ignored on the CPU, carried all the same
  in.first_quarter = "1999Q4";
  in.source_json = R"({"scenario": "x.toml"})";
  in.files = {{"L0", "/data/L0.csv", "ab12"}, {"mu0", "mu0.npy", ""}};
  const std::string bytes = pipeline::inputs_to_bytes(in);
  const ModelInputs out = pipeline::inputs_from_bytes(bytes);

  const Economy &e = in.model.economy, &f = out.model.economy;
  EXPECT_EQ(f.sector_names, e.sector_names);
  EXPECT_EQ(f.region_names, e.region_names);
  EXPECT_EQ(f.mobile_regions, e.mobile_regions);
  EXPECT_EQ(f.trade_flows, e.trade_flows);
  EXPECT_EQ(f.balance, e.balance);
  EXPECT_EQ(f.chi, e.chi);
  EXPECT_EQ(out.model.mu0.data, in.model.mu0.data);
  EXPECT_EQ(out.model.periods, in.model.periods);
  EXPECT_EQ(out.model.baseline_changes.trade_costs.size(), 1u);
  EXPECT_EQ(out.model.baseline_changes.trade_costs[0].source, 2u);
  EXPECT_EQ(out.changes.news_slot, in.changes.news_slot);
  EXPECT_EQ(out.changes.productivity.size(), in.changes.productivity.size());
  EXPECT_EQ(out.effects.manufacturing, in.effects.manufacturing);
  EXPECT_EQ(out.options.te.max_price_iterations, 777);
  EXPECT_EQ(out.options.dense_news_block_max, 7u);
  EXPECT_EQ(out.options.mu0_storage, Mu0Storage::sparse);
  EXPECT_EQ(out.device, 3);
  EXPECT_EQ(out.first_quarter, "1999Q4");
  EXPECT_EQ(out.description, in.description);
  EXPECT_EQ(out.source_json, in.source_json);
  ASSERT_EQ(out.files.size(), 2u);
  EXPECT_EQ(out.files[0].path, "/data/L0.csv");
  EXPECT_EQ(out.files[0].sha256, "ab12");
  EXPECT_EQ(out.files[1].role, "mu0");

  const RunResult a = run(in), b = run(out);
  expect_same_path(a.baseline, b.baseline);
  expect_same_path(*a.counterfactual, *b.counterfactual);

  EXPECT_THROW(pipeline::inputs_from_bytes(bytes.substr(0, bytes.size() - 1)), Error);
  EXPECT_THROW(pipeline::inputs_from_bytes(bytes + "x"), Error);
  EXPECT_THROW(pipeline::inputs_from_bytes(bytes.substr(0, 20)), Error);
}

TEST(QuarterLabels, CountQuartersFromTheFirst) {
  EXPECT_EQ(quarter_label("2000Q1", 0), "2000Q1");
  EXPECT_EQ(quarter_label("2000Q1", 5), "2001Q2");
  EXPECT_EQ(quarter_label("2000Q1", 199), "2049Q4");
  EXPECT_EQ(quarter_label("1999Q4", 1), "2000Q1");
  EXPECT_THROW(quarter_label("2000Q5", 0), InvalidInput);
  EXPECT_THROW(quarter_label("200Q1", 0), InvalidInput);
}

// The demo's manufacturing sectors are a strict subset (else its effect is 0 by construction):
// 12 of 22 as in the CDP, in proportion otherwise.
TEST(DemoModel, ManufacturingIsAStrictSubset) {
  for (const auto& [sectors, expected] :
       {std::pair<std::size_t, std::size_t>{4, 2}, {2, 1}, {22, 12}}) {
    DemoSpec spec;
    spec.regions = 8;
    spec.mobile_regions = 3;
    spec.sectors = sectors;
    spec.periods = 5;
    const ModelInputs in = demo_model(spec);
    EXPECT_EQ(in.effects.manufacturing.size(), expected) << sectors << " sectors";
  }
}

}  // namespace
}  // namespace dynhat
