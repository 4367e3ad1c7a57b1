// Every tests/config/bad/NAME.yaml is a broken config; NAME.expected holds exactly what the
// loader must say about it, with file names relative to tests/config/bad.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "config/load.h"
#include "test_util.h"

namespace supd::config {
namespace {

namespace fs = std::filesystem;

const fs::path kBadDir = fs::path(SUPD_SOURCE_DIR) / "tests/config/bad";

std::vector<fs::path> bad_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kBadDir)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class BadFile : public ::testing::TestWithParam<fs::path> {};

TEST_P(BadFile, GivesExactlyTheExpectedDiagnostics) {
  const fs::path yaml = GetParam();
  fs::path expected_path = yaml;
  expected_path.replace_extension(".expected");
  ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path;

  LoadResult r = load_config(yaml.string(), testing::lenient());
  EXPECT_FALSE(r.ok());
  std::vector<Diagnostic> relative = r.diagnostics;
  const std::string prefix = kBadDir.string() + "/";
  for (Diagnostic& d : relative) {
    if (d.file.starts_with(prefix)) d.file.erase(0, prefix.size());
    std::string::size_type at = 0;
    while ((at = d.message.find(prefix, at)) != std::string::npos) {
      d.message.erase(at, prefix.size());
    }
  }
  EXPECT_EQ(format_diagnostics(relative), read(expected_path));
}

INSTANTIATE_TEST_SUITE_P(Config, BadFile, ::testing::ValuesIn(bad_files()),
                         [](const ::testing::TestParamInfo<fs::path>& param) {
                           std::string name = param.param.stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(BadFiles, ThereAreSome) { EXPECT_GE(bad_files().size(), 10u); }

}  // namespace
}  // namespace supd::config
