#include "os/file_mapping.h"

#include <windows.h>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "win_test_util.h"

namespace supd::os {
namespace {

TEST(WindowsFileMapping, WritesAreSeenByAReader) {
  test::TempDir dir;
  const std::string path = dir.file("page.status");
  auto writer = FileMapping::create(path, 4096, 0644);
  ASSERT_TRUE(writer) << writer.error().message();
  ASSERT_EQ(writer->size(), 4096u);
  EXPECT_TRUE(writer->writable());
  EXPECT_EQ(writer->data()[100], std::byte{0});
  std::memcpy(writer->data(), "hello", 5);

  auto reader = FileMapping::open_read_only(path);
  ASSERT_TRUE(reader) << reader.error().message();
  ASSERT_EQ(reader->size(), 4096u);
  EXPECT_FALSE(reader->writable());
  EXPECT_EQ(std::memcmp(reader->data(), "hello", 5), 0);
  std::memcpy(writer->data() + 5, "!", 1);
  EXPECT_EQ(static_cast<char>(reader->data()[5]), '!');
  EXPECT_TRUE(test::ok(writer->sync()));
}

// The status page's use: supd writes, supctl (another process) reads, and the other way.
TEST(WindowsFileMapping, IsSharedWithAnotherProcessBothWays) {
  test::TempDir dir;
  const std::string path = dir.file("page.status");
  auto mine = FileMapping::create(path, 4096, 0644);
  ASSERT_TRUE(mine) << mine.error().message();
  std::memcpy(mine->data(), "from the parent", 16);

  auto read = test::run(test::child_spec({"map-read", path}));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status.code, 0) << read->err;
  EXPECT_EQ(test::lines(read->out), std::vector<std::string>{"from the parent"});

  // The child maps the same file while this mapping stays open; its write shows up here
  // without re-mapping.
  auto wrote = test::run(test::child_spec({"map-write", path, "4096", "child!"}));
  ASSERT_TRUE(wrote);
  EXPECT_EQ(wrote->status.code, 0) << wrote->err;
  EXPECT_EQ(std::memcmp(mine->data(), "child!he parent", 16), 0)
      << std::string(reinterpret_cast<const char*>(mine->data()), 16);
}

TEST(WindowsFileMapping, CreateResizesAnExistingFileAndKeepsItsBytes) {
  test::TempDir dir;
  const std::string path = dir.file("page.status");
  {
    auto first = FileMapping::create(path, 100, 0600);
    ASSERT_TRUE(first);
    std::memcpy(first->data(), "kept", 4);
  }
  auto second = FileMapping::create(path, 8192, 0600);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->size(), 8192u);
  EXPECT_EQ(std::memcmp(second->data(), "kept", 4), 0);
  EXPECT_EQ(second->data()[8000], std::byte{0});
}

TEST(WindowsFileMapping, AnEmptyFileMapsToNothing) {
  test::TempDir dir;
  const std::string path = dir.file("empty");
  auto created = FileMapping::create(path, 0, 0644);
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ(created->data(), nullptr);
  auto opened = FileMapping::open_read_only(path);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->size(), 0u);
  EXPECT_EQ(opened->data(), nullptr);
}

TEST(WindowsFileMapping, KnowsWhenItsFileWasReplaced) {
  test::TempDir dir;
  const std::string path = dir.file("page.status");
  auto mapping = FileMapping::create(path, 4096, 0644);
  ASSERT_TRUE(mapping);
  EXPECT_TRUE(mapping->still_at());
  // Moved away while mapped: the file was opened sharing delete, so this works.
  ASSERT_TRUE(MoveFileExW(win::widen(path).c_str(), win::widen(dir.file("old")).c_str(), 0))
      << GetLastError();
  EXPECT_FALSE(mapping->still_at());
  EXPECT_TRUE(mapping->still_at(dir.file("old")));
  auto other = FileMapping::create(path, 4096, 0644);
  ASSERT_TRUE(other);
  EXPECT_FALSE(mapping->still_at());
  EXPECT_TRUE(other->still_at());
}

TEST(WindowsFileMapping, ErrorsNameThePath) {
  test::TempDir dir;
  const std::string path = dir.file("no-such-dir\\page.status");
  auto created = FileMapping::create(path, 4096, 0644);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().message().rfind("create " + path + ": ", 0), 0u)
      << created.error().message();
  auto opened = FileMapping::open_read_only(dir.file("missing"));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().message().rfind("open " + dir.file("missing") + ": ", 0), 0u);
}

}  // namespace
}  // namespace supd::os
