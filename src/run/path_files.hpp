// A solved path as files of an output directory (baseline/ or counterfactual/), their layouts
// for the manifest, and the path's solver record, written and read back losslessly (the CSV
// writer's shortest round-trip form and .npy both give back the same doubles).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dynhat/run.hpp"

namespace dynhat::pipeline {

/// Version of the output directory's layout, in report.json and baseline.json.
constexpr int kSchemaVersion = 1;

/// Writes `dir`/{Y,L,real_wage,stay,omega,price_index} (and Y_own for a counterfactual: its own
/// value changes; Y is then relative to the baseline) into the staging area; returns the names.
std::vector<std::string> write_path_files(const OutputDirectory& out, const std::string& dir,
                                          const PathSolution& p, OutputFormat format);
/// Reads what write_path_files wrote (with `record` from path_record) back into a PathSolution.
PathSolution read_path_files(const std::filesystem::path& dir, const nlohmann::json& record,
                             bool counterfactual);

/// The outer iteration and temporary-equilibrium record of a path (report.json, baseline.json).
nlohmann::json path_record(const PathSolution& p, Backend backend);

/// Every solver setting of a run (report.json's "options").
nlohmann::json options_record(const DynamicOptions& options);
/// Resolved changes of fundamentals in full (report.json's changes and baseline_changes):
/// productivity and trade_costs, each {columns, rows}, one row per change with labels.
nlohmann::json changes_record(const Economy& economy, const FundamentalChanges& changes);

/// Rows, columns and index rule of every matrix file of a run, by file name relative to the
/// output directory.
nlohmann::json matrix_layouts(const ModelInputs& in, const std::vector<std::string>& files);

/// The scenario parts a baseline depends on: data (hashes of the tables' content, L0, mu0), model
/// and solver tolerances.
nlohmann::json baseline_dependencies(const ModelInputs& in);

}  // namespace dynhat::pipeline
