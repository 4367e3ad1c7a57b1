#include "os/file_mapping.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace supd::os {
namespace {

namespace fs = std::filesystem;

int wait_child(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class FileMappingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "supd-mapping-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(FileMappingTest, CreateMakesAZeroFilledFileOfTheSize) {
  auto m = FileMapping::create(path("page"), 8192, 0600);
  ASSERT_TRUE(m.ok()) << m.error().message();
  ASSERT_NE(m->data(), nullptr);
  EXPECT_EQ(m->size(), 8192u);
  EXPECT_TRUE(m->writable());
  EXPECT_EQ(fs::file_size(path("page")), 8192u);
  for (std::size_t i = 0; i < m->size(); ++i) ASSERT_EQ(m->data()[i], std::byte{0}) << i;
}

TEST_F(FileMappingTest, ANewFileGetsExactlyTheMode) {
  const mode_t old = umask(077);
  auto m = FileMapping::create(path("page"), 4096, 0644);
  umask(old);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(fs::status(path("page")).permissions(), fs::perms::owner_read | fs::perms::owner_write |
                                                        fs::perms::group_read |
                                                        fs::perms::others_read);
}

TEST_F(FileMappingTest, AnExistingFileKeepsItsContentAndMode) {
  { std::ofstream(path("page")) << "hello"; }
  fs::permissions(path("page"), fs::perms::owner_read | fs::perms::owner_write);
  auto m = FileMapping::create(path("page"), 4096, 0644);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(std::memcmp(m->data(), "hello", 5), 0);
  EXPECT_EQ(m->data()[5], std::byte{0});
  EXPECT_EQ(fs::status(path("page")).permissions(), fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(FileMappingTest, WritesAreSharedWithOtherProcesses) {
  auto m = FileMapping::create(path("page"), 4096, 0600);
  ASSERT_TRUE(m.ok()) << m.error().message();
  std::memcpy(m->data(), "parent", 6);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A process of its own: its own mappings of the file.
    auto ro = FileMapping::open_read_only(path("page"));
    if (!ro || ro->size() != 4096 || std::memcmp(ro->data(), "parent", 6) != 0) _exit(1);
    auto rw = FileMapping::create(path("page"), 4096, 0600);
    if (!rw) _exit(2);
    std::memcpy(rw->data() + 100, "child", 5);
    _exit(0);
  }
  ASSERT_EQ(wait_child(child), 0);
  // Seen through the mapping made before the child wrote.
  EXPECT_EQ(std::memcmp(m->data() + 100, "child", 5), 0);
}

TEST_F(FileMappingTest, SyncWritesTheBytesToTheFile) {
  auto m = FileMapping::create(path("page"), 4096, 0600);
  ASSERT_TRUE(m.ok()) << m.error().message();
  std::memcpy(m->data(), "synced", 6);
  ASSERT_TRUE(m->sync().ok());
  std::ifstream in(path("page"), std::ios::binary);
  std::string head(6, '\0');
  in.read(head.data(), 6);
  EXPECT_EQ(head, "synced");
}

TEST_F(FileMappingTest, CreateInAMissingDirectorySaysSo) {
  const std::string where = path("missing/page");
  auto m = FileMapping::create(where, 4096, 0600);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message(), "create " + where + ": No such file or directory");
}

TEST_F(FileMappingTest, OpenReadOnlyOfAMissingFileSaysSo) {
  const std::string where = path("nothing");
  auto m = FileMapping::open_read_only(where);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message(), "open " + where + ": No such file or directory");
}

TEST_F(FileMappingTest, OpenReadOnlyMapsTheWholeFile) {
  { std::ofstream(path("page")) << std::string(10000, 'x'); }
  auto m = FileMapping::open_read_only(path("page"));
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->size(), 10000u);
  EXPECT_FALSE(m->writable());
  EXPECT_EQ(m->data()[9999], std::byte{'x'});
}

TEST_F(FileMappingTest, AnEmptyFileMapsToNothing) {
  { std::ofstream out(path("page")); }
  auto m = FileMapping::open_read_only(path("page"));
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->size(), 0u);
  EXPECT_EQ(m->data(), nullptr);
}

TEST_F(FileMappingTest, StillAtNoticesReplacementAndRemoval) {
  auto m = FileMapping::create(path("page"), 4096, 0600);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_TRUE(m->still_at());
  { std::ofstream(path("other")) << "new"; }
  EXPECT_FALSE(m->still_at(path("other")));
  fs::rename(path("other"), path("page"));
  EXPECT_FALSE(m->still_at());
  fs::remove(path("page"));
  EXPECT_FALSE(m->still_at());
}

TEST_F(FileMappingTest, MovingKeepsTheMapping) {
  auto m = FileMapping::create(path("page"), 4096, 0600);
  ASSERT_TRUE(m.ok()) << m.error().message();
  std::byte* data = m->data();
  FileMapping moved = std::move(*m);
  EXPECT_EQ(moved.data(), data);
  EXPECT_EQ(moved.size(), 4096u);
  auto other = FileMapping::create(path("other"), 4096, 0600);
  ASSERT_TRUE(other.ok());
  *other = std::move(moved);
  EXPECT_EQ(other->data(), data);
  other->data()[0] = std::byte{42};
  EXPECT_EQ(other->path(), path("page"));
}

}  // namespace
}  // namespace supd::os
