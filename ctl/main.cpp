// supctl: the control tool. All the logic is in supd_ctl (ctl/cli.h).
#include <iostream>

#include "ctl/cli.h"

int main(int argc, char** argv) { return supd::ctl::run(argc, argv, std::cout, std::cerr); }
