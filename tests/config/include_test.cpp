// include: globs relative to the including file, services from every file, and the errors
// that only exist across files.
#include <gtest/gtest.h>

#include "test_util.h"

namespace supd::config {
namespace {

using testing::lenient;
using testing::messages;
using testing::TempDir;
using Lines = std::vector<std::string>;

std::vector<std::string> names(const Config& c) {
  std::vector<std::string> out;
  for (const ServiceConfig& s : c.services) out.push_back(s.name);
  return out;
}

TEST(Include, GlobsAreSortedAndFollowTheMainFile) {
  TempDir dir;
  const std::string main = dir.write(
      "etc/supd.yaml", "supd:\n  include: [\"conf.d/*.yaml\"]\nservices:\n  main: {command: x}\n");
  dir.write("etc/conf.d/20-b.yaml", "services:\n  b: {command: x}\n");
  dir.write("etc/conf.d/10-a.yaml", "services:\n  a1: {command: x}\n  a2: {command: x}\n");
  dir.write("etc/conf.d/ignored.yml", "services:\n  nope: {command: x}\n");
  LoadResult r = load_config(main, lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  EXPECT_EQ(names(*r.config), (Lines{"main", "a1", "a2", "b"}));
  EXPECT_EQ(r.config->files,
            (Lines{main, dir / "etc/conf.d/10-a.yaml", dir / "etc/conf.d/20-b.yaml"}));
  EXPECT_EQ(r.config->services[1].origin.file, dir / "etc/conf.d/10-a.yaml");
  EXPECT_EQ(r.config->services[1].origin.line, 2);
}

TEST(Include, PatternsAreRelativeToTheIncludingFileNotTheWorkingDirectory) {
  TempDir dir;
  dir.write("cfg/parts/web.yaml", "services:\n  web: {command: x}\n");
  const std::string main = dir.write("cfg/supd.yaml", "supd:\n  include: parts/web.yaml\n");
  LoadResult r = load_config(main, lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  EXPECT_EQ(names(*r.config), Lines{"web"});
}

TEST(Include, AGlobMatchingNothingIsFine) {
  TempDir dir;
  const std::string main = dir.write("supd.yaml", "supd:\n  include: [\"conf.d/*.yaml\"]\n");
  LoadResult r = load_config(main, lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  EXPECT_TRUE(r.config->services.empty());
}

TEST(Include, AMissingLiteralPathIsAnError) {
  TempDir dir;
  const std::string main =
      dir.write("supd.yaml", "supd:\n  include:\n    - \"conf.d/*.yaml\"\n    - extra.yaml\n");
  LoadResult r = load_config(main, lenient());
  EXPECT_EQ(messages(r),
            Lines{main + ":4:7: supd.include[1]: no such file: " + dir / "extra.yaml"});
}

TEST(Include, ADirectoryIsNotAFile) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "conf.d");
  const std::string main = dir.write("supd.yaml", "supd:\n  include: conf.d\n");
  LoadResult r = load_config(main, lenient());
  EXPECT_EQ(messages(r),
            Lines{main + ":2:12: supd.include: " + dir / "conf.d" +
                  " is a directory; to include the files in it, write " + dir / "conf.d/*.yaml"});
}

TEST(Include, IncludedFilesMayNotHaveASupdSection) {
  TempDir dir;
  const std::string main = dir.write("supd.yaml", "supd:\n  include: [part.yaml]\n");
  const std::string part =
      dir.write("part.yaml", "supd:\n  log_level: debug\nservices:\n  a: {command: x}\n");
  LoadResult r = load_config(main, lenient());
  EXPECT_EQ(messages(r), Lines{part + ":1:1: supd: a 'supd:' section belongs in the main config "
                                      "file; an included file may hold only 'services:'"});
}

TEST(Include, DuplicateAcrossFilesNamesBothLocations) {
  TempDir dir;
  const std::string main = dir.write(
      "supd.yaml", "supd:\n  include: [\"*.d/*.yaml\"]\nservices:\n  web: {command: x}\n");
  const std::string part = dir.write("conf.d/web.yaml", "services:\n\n  web: {command: y}\n");
  LoadResult r = load_config(main, lenient());
  EXPECT_EQ(messages(r), Lines{part +
                               ":3:3: services.web: duplicate service name 'web'; first "
                               "defined at " +
                               main + ":4:3"});
}

TEST(Include, TheMainFileMatchedByAGlobIsNotReadTwice) {
  TempDir dir;
  const std::string main =
      dir.write("supd.yaml", "supd:\n  include: [\"*.yaml\"]\nservices:\n  main: {command: x}\n");
  dir.write("other.yaml", "services:\n  other: {command: x}\n");
  LoadResult r = load_config(main, lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  EXPECT_EQ(names(*r.config), (Lines{"main", "other"}));
}

TEST(Include, AFileMatchedByTwoPatternsIsReadOnce) {
  TempDir dir;
  const std::string main =
      dir.write("supd.yaml", "supd:\n  include: [\"conf.d/*.yaml\", conf.d/a.yaml]\n");
  dir.write("conf.d/a.yaml", "services:\n  a: {command: x}\n");
  LoadResult r = load_config(main, lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  EXPECT_EQ(names(*r.config), Lines{"a"});
}

TEST(Include, ErrorsInIncludedFilesNameThoseFiles) {
  TempDir dir;
  const std::string main = dir.write("supd.yaml", "supd:\n  include: [a.yaml, b.yaml]\n");
  const std::string a = dir.write("a.yaml", "services:\n  a:\n    command: x\n    restart: no\n");
  const std::string b = dir.write("b.yaml", "services: [oops\n");
  LoadResult r = load_config(main, lenient());
  EXPECT_EQ(messages(r),
            (Lines{a + ":4:14: services.a.restart: expected one of always, on-failure, never, got "
                       "\"no\"",
                   b + ":2:1: invalid YAML: end of sequence flow not found"}));
}

TEST(Include, DependenciesAndCyclesAcrossFiles) {
  TempDir dir;
  const std::string main = dir.write(
      "supd.yaml", "supd:\n  include: [x.yaml]\nservices:\n  a: {command: x, depends_on: [b]}\n");
  dir.write("x.yaml", "services:\n  b: {command: x, depends_on: [a]}\n");
  LoadResult r = load_config(main, lenient());
  EXPECT_EQ(messages(r),
            Lines{main + ":4:32: services.a.depends_on[0]: dependency cycle: a -> b -> a"});
}

TEST(Include, EnvFileIsRelativeToItsOwnFile) {
  TempDir dir;
  const std::string main = dir.write("supd.yaml", "supd:\n  include: [sub/a.yaml]\n");
  dir.write("sub/a.yaml", "services:\n  a: {command: x, env_file: a.env}\n");
  dir.write("sub/a.env", "FROM=sub\n");
  LoadResult r = load_config(main, lenient());
  ASSERT_TRUE(r.ok()) << format_diagnostics(r.diagnostics);
  EXPECT_EQ(r.config->services[0].env, (std::vector<EnvVar>{{"FROM", "sub"}}));
}

}  // namespace
}  // namespace supd::config
