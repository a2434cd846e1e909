// The tiny hand-written economy of the tests: sectors "Goods, Wares" (quoted: its name holds a
// comma) and Services, regions A, B (mobile) and C (a country), IO blocks "United States" (A, B)
// and C. structures_share.csv has CRLF line ends. test_economy_data.cpp derives E30-E36 for it by
// hand; cli_test.sh solves its equilibria (through the make_tiny_economy program).
#include "support/tiny_economy.hpp"

#include <fstream>

namespace dynhat::testing {

void write_tiny_economy(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto write = [&dir](const char* name, const char* text) {
    std::ofstream(dir / name, std::ios::binary) << text;
  };
  write("value_added_share.csv",
        "sector,region,value\n"
        "\"Goods, Wares\",A,0.5\n"
        "\"Goods, Wares\",B,0.4\n"
        "\"Goods, Wares\",C,0.6\n"
        "Services,A,1\n"
        "Services,B,0.5\n"
        "Services,C,0.25\n");
  write("structures_share.csv",
        "region,value\r\n"
        "A,0.5\r\n"
        "B,0.25\r\n"
        "C,0.4\r\n");
  write("sectoral_dispersion.csv",
        "sector,value\n"
        "\"Goods, Wares\",0.25\n"
        "Services,0.5\n");
  write("bilateral_trade.csv",
        "sector,destination,source,value\n"
        "\"Goods, Wares\",A,A,6\n"
        "\"Goods, Wares\",A,B,2\n"
        "\"Goods, Wares\",A,C,2\n"
        "\"Goods, Wares\",B,A,1\n"
        "\"Goods, Wares\",B,B,4\n"
        "\"Goods, Wares\",B,C,0\n"
        "\"Goods, Wares\",C,A,3\n"
        "\"Goods, Wares\",C,B,1\n"
        "\"Goods, Wares\",C,C,16\n"
        "Services,A,A,8\n"
        "Services,A,B,0\n"
        "Services,A,C,0\n"
        "Services,B,A,0\n"
        "Services,B,B,6\n"
        "Services,B,C,2\n"
        "Services,C,A,2\n"
        "Services,C,B,0\n"
        "Services,C,C,10\n");
  write("gross_output.csv",
        "sector,region,value\n"
        "\"Goods, Wares\",A,10\n"
        "\"Goods, Wares\",B,7\n"
        "\"Goods, Wares\",C,18\n"
        "Services,A,10\n"
        "Services,B,6\n"
        "Services,C,12\n");
  write("io_coefficients.csv",
        "country,source_sector,dest_sector,value\n"
        "United States,\"Goods, Wares\",\"Goods, Wares\",0.5\n"
        "United States,\"Goods, Wares\",Services,0.2\n"
        "United States,Services,\"Goods, Wares\",0.5\n"
        "United States,Services,Services,0.8\n"
        "C,\"Goods, Wares\",\"Goods, Wares\",1\n"
        "C,\"Goods, Wares\",Services,0.25\n"
        "C,Services,\"Goods, Wares\",0\n"
        "C,Services,Services,0.75\n");
}

}  // namespace dynhat::testing
