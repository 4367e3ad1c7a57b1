// StrictModes: as root, config files that others could have changed are refused.
#include "os/file_security.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "config/load.h"
#include "test_util.h"

namespace supd::config {
namespace {

using testing::TempDir;
using Lines = std::vector<std::string>;

void set_mode(const std::string& path, int mode) {
  std::filesystem::permissions(path, std::filesystem::perms(mode));
}

LoadOptions strict() {
  LoadOptions options;
  options.strict_permissions = true;
  return options;
}

TEST(FileSecurity, PrivateFileIsAccepted) {
  TempDir dir;
  const std::string file = dir.write("supd.yaml", "");
  for (int mode : {0644, 0600, 0444, 0640}) {
    set_mode(file, mode);
    EXPECT_TRUE(os::check_config_file_permissions(file).ok()) << std::oct << mode;
  }
}

TEST(FileSecurity, GroupOrWorldWritableIsRefused) {
  TempDir dir;
  const std::string file = dir.write("supd.yaml", "");
  set_mode(file, 0664);
  os::Status st = os::check_config_file_permissions(file);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(
      st.error().message(),
      "refusing to load: file is writable by group or others (mode 0664); run chmod go-w " + file);
  set_mode(file, 0646);
  EXPECT_FALSE(os::check_config_file_permissions(file).ok());
  set_mode(file, 0666);
  EXPECT_FALSE(os::check_config_file_permissions(file).ok());
}

TEST(FileSecurity, OnlyRegularFiles) {
  TempDir dir;
  os::Status st = os::check_config_file_permissions(dir.path().string());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "refusing to load: not a regular file (it is a directory)");
}

TEST(FileSecurity, MissingFile) {
  TempDir dir;
  os::Status st = os::check_config_file_permissions(dir / "nope.yaml");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "cannot check its permissions: No such file or directory");
}

TEST(FileSecurity, FollowsSymlinksToTheFile) {
  TempDir dir;
  const std::string target = dir.write("real.yaml", "");
  std::filesystem::create_symlink(target, dir.path() / "link.yaml");
  EXPECT_TRUE(os::check_config_file_permissions(dir / "link.yaml").ok());
  set_mode(target, 0666);
  EXPECT_FALSE(os::check_config_file_permissions(dir / "link.yaml").ok());
}

TEST(FileSecurity, OwnedBySomeoneElseIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "changing a file's owner needs root";
  TempDir dir;
  const std::string file = dir.write("supd.yaml", "");
  ASSERT_EQ(chown(file.c_str(), 65534, static_cast<gid_t>(-1)), 0);
  os::Status st = os::check_config_file_permissions(file);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(),
            "refusing to load: file is owned by uid 65534, not by root or the user running supd; "
            "run chown root " +
                file);
}

TEST(FileSecurity, RunningAsRootMatchesTheEffectiveUser) {
  EXPECT_EQ(os::running_as_root(), geteuid() == 0);
  EXPECT_EQ(LoadOptions{}.strict_permissions, geteuid() == 0);
}

TEST(FileSecurity, StrictLoadRefusesTheMainFile) {
  TempDir dir;
  const std::string file = dir.write("supd.yaml", "services:\n  a: {command: x}\n");
  set_mode(file, 0664);
  LoadResult r = load_config(file, strict());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(testing::messages(r),
            Lines{file +
                  ": refusing to load: file is writable by group or others (mode 0664); "
                  "run chmod go-w " +
                  file});
  EXPECT_TRUE(load_config(file, testing::lenient()).ok());
}

TEST(FileSecurity, StrictLoadRefusesAnIncludedFile) {
  TempDir dir;
  const std::string main = dir.write("supd.yaml", "supd:\n  include: [\"conf.d/*.yaml\"]\n");
  const std::string part = dir.write("conf.d/a.yaml", "services:\n  a: {command: x}\n");
  EXPECT_TRUE(load_config(main, strict()).ok());
  set_mode(part, 0646);
  EXPECT_EQ(testing::messages(load_config(main, strict())),
            Lines{part +
                  ": refusing to load: file is writable by group or others (mode 0646); "
                  "run chmod go-w " +
                  part});
}

TEST(FileSecurity, StrictLoadRefusesAnEnvFile) {
  TempDir dir;
  const std::string main =
      dir.write("supd.yaml", "services:\n  a: {command: x, env_file: a.env}\n");
  const std::string env = dir.write("a.env", "A=1\n");
  EXPECT_TRUE(load_config(main, strict()).ok());
  set_mode(env, 0660);
  EXPECT_EQ(testing::messages(load_config(main, strict())),
            Lines{main + ":2:29: services.a.env_file: " + env +
                  ": refusing to load: file is writable by group or others (mode 0660); run "
                  "chmod go-w " +
                  env});
}

}  // namespace
}  // namespace supd::config
