// What a manifest records about where and when it was written (report.json, sweep.json).
#pragma once

#include <string>

namespace dynhat::pipeline {

/// "2026-12-04T05:06:07Z" of a Unix time in seconds.
std::string iso8601_utc(double unix_seconds);
/// The machine's host name ("" when it cannot be read).
std::string host_name();
/// The current Unix time in seconds.
double unix_seconds();

}  // namespace dynhat::pipeline
