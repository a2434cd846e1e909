// Writes the tests' tiny economy into the directory given as the first argument (cli_test.sh),
// and with a second one the same tables in the replication kit's layout there
// (kit_outputs_test.sh), with the θ and the labels the kit's files do not carry in theta.txt,
// sectors.txt and regions.txt.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "support/kit_layout.hpp"
#include "support/tiny_economy.hpp"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::cerr << "usage: make_tiny_economy DIR [KIT_DIR]\n";
    return 1;
  }
  dynhat::testing::write_tiny_economy(argv[1]);
  if (argc == 3) {
    const std::filesystem::path kit = argv[2];
    const dynhat::KitLabels labels = dynhat::testing::write_kit_layout(argv[1], kit);
    std::ofstream theta(kit / "theta.txt"), sectors(kit / "sectors.txt"),
        regions(kit / "regions.txt");
    for (double t : labels.theta) theta << fmt::format("{}\n", t);
    for (const std::string& s : labels.sector_names) sectors << s << '\n';
    for (const std::string& r : labels.region_names) regions << r << '\n';
  }
  return 0;
}
