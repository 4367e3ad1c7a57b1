#include "config/glob.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace supd::config {
namespace {

TEST(Glob, Match) {
  EXPECT_TRUE(glob_match("*.yaml", "web.yaml"));
  EXPECT_FALSE(glob_match("*.yaml", "web.yml"));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_TRUE(glob_match("[ab]*", "beta"));
  EXPECT_FALSE(glob_match("[!ab]*", "beta"));
  EXPECT_TRUE(glob_match("[0-9][0-9]-*.yaml", "10-web.yaml"));
  EXPECT_FALSE(glob_match("[0-9][0-9]-*.yaml", "1x-web.yaml"));
  EXPECT_TRUE(glob_match("*a*b*", "xxaxxbxx"));
  EXPECT_FALSE(glob_match("*a*b*", "xxbxxaxx"));
  EXPECT_TRUE(glob_match("[", "["));
  EXPECT_TRUE(glob_match("", ""));
}

TEST(Glob, HasGlobChars) {
  EXPECT_TRUE(has_glob_chars("conf.d/*.yaml"));
  EXPECT_TRUE(has_glob_chars("a?"));
  EXPECT_TRUE(has_glob_chars("[ab]"));
  EXPECT_FALSE(has_glob_chars("conf.d/web.yaml"));
}

TEST(Glob, ExpandsSortedRegularFilesSkippingHiddenOnes) {
  testing::TempDir dir;
  dir.write("conf.d/20-b.yaml", "");
  dir.write("conf.d/10-a.yaml", "");
  dir.write("conf.d/.hidden.yaml", "");
  dir.write("conf.d/notes.txt", "");
  std::filesystem::create_directories(dir.path() / "conf.d/sub.yaml");
  GlobResult r = expand_glob(dir / "conf.d/*.yaml");
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(r.files,
            (std::vector<std::string>{dir / "conf.d/10-a.yaml", dir / "conf.d/20-b.yaml"}));
  EXPECT_EQ(expand_glob(dir / "conf.d/.*.yaml").files,
            (std::vector<std::string>{dir / "conf.d/.hidden.yaml"}));
}

TEST(Glob, WildcardsInDirectories) {
  testing::TempDir dir;
  dir.write("b/x.yaml", "");
  dir.write("a/x.yaml", "");
  dir.write("a/y.yaml", "");
  EXPECT_EQ(expand_glob(dir / "*/x.yaml").files,
            (std::vector<std::string>{dir / "a/x.yaml", dir / "b/x.yaml"}));
}

TEST(Glob, NothingMatchesIsNotAnError) {
  testing::TempDir dir;
  GlobResult r = expand_glob(dir / "missing/*.yaml");
  EXPECT_TRUE(r.files.empty());
  EXPECT_TRUE(r.error.empty());
}

}  // namespace
}  // namespace supd::config
