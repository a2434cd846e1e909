// Writes the tests' tiny economy into the directory given as the only argument (cli_test.sh).
#include <iostream>

#include "support/tiny_economy.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_tiny_economy DIR\n";
    return 1;
  }
  dynhat::testing::write_tiny_economy(argv[1]);
  return 0;
}
