#include "os/log_file_io.h"

#include <windows.h>

#include <string>

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "win_test_util.h"

namespace supd::os {
namespace {

std::string read_all(ReadFile& file) {
  std::string text;
  char buffer[256];
  for (;;) {
    auto n = file.read_at(text.size(), buffer, sizeof(buffer));
    if (!n || n.value() == 0) return text;
    text.append(buffer, n.value());
  }
}

TEST(WindowsLogFileIo, AppendsAndReadsAtOffsets) {
  test::TempDir dir;
  const std::string path = dir.file("web.out.log");
  auto out = AppendFile::open(path);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->write("hello ", 6).value(), 6u);
  // A second writer appends too, never overwrites.
  auto other = AppendFile::open(path);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->write("world\n", 6).value(), 6u);
  EXPECT_EQ(out->info().value().size, 12u);

  auto in = ReadFile::open(path);
  ASSERT_TRUE(in) << in.error().message();
  ASSERT_TRUE(in.value().has_value());
  EXPECT_EQ(read_all(**in), "hello world\n");
  char buffer[8];
  EXPECT_EQ((*in)->read_at(6, buffer, 5).value(), 5u);
  EXPECT_EQ(std::string(buffer, 5), "world");
  EXPECT_EQ((*in)->read_at(100, buffer, 5).value(), 0u);
  EXPECT_EQ((*in)->info().value().id, out->info().value().id);
}

TEST(WindowsLogFileIo, MissingFilesAreNotErrors) {
  test::TempDir dir;
  auto in = ReadFile::open(dir.file("nothing.log"));
  ASSERT_TRUE(in);
  EXPECT_FALSE(in.value().has_value());
  auto info = file_info(dir.file("nothing.log"));
  ASSERT_TRUE(info);
  EXPECT_FALSE(info.value().has_value());
  auto in_missing_dir = ReadFile::open(dir.file("no-dir\\nothing.log"));
  ASSERT_TRUE(in_missing_dir);
  EXPECT_FALSE(in_missing_dir.value().has_value());
}

TEST(WindowsLogFileIo, RotatesWhileTheLogIsOpenForWritingAndReading) {
  test::TempDir dir;
  const std::string path = dir.file("web.out.log");
  const std::string rotated = dir.file("web.out.log.1");
  auto out = AppendFile::open(path);
  ASSERT_TRUE(out);
  ASSERT_TRUE(out->write("before\n", 7));
  auto follower = ReadFile::open(path);
  ASSERT_TRUE(follower && follower->has_value());
  const FileId id = out->info().value().id;

  ASSERT_TRUE(test::ok(rename_file(path, rotated)));
  // The open handles follow the file to its new name.
  ASSERT_TRUE(out->write("after\n", 6));
  EXPECT_EQ(read_all(**follower), "before\nafter\n");
  auto moved = file_info(rotated);
  ASSERT_TRUE(moved && moved->has_value());
  EXPECT_EQ((*moved)->id, id);
  auto gone = file_info(path);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());

  // A new log at the old name is another file.
  auto fresh = AppendFile::open(path);
  ASSERT_TRUE(fresh);
  EXPECT_NE(fresh->info().value().id, id);
}

TEST(WindowsLogFileIo, RenameReplacesAnExistingFile) {
  test::TempDir dir;
  {
    auto a = AppendFile::open(dir.file("a"));
    ASSERT_TRUE(a && a->write("new", 3));
    auto b = AppendFile::open(dir.file("b"));
    ASSERT_TRUE(b && b->write("old", 3));
  }
  ASSERT_TRUE(test::ok(rename_file(dir.file("a"), dir.file("b"))));
  auto b = ReadFile::open(dir.file("b"));
  ASSERT_TRUE(b && b->has_value());
  EXPECT_EQ(read_all(**b), "new");
  auto failed = rename_file(dir.file("missing"), dir.file("b"));
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message().find("rename " + dir.file("missing") + " to "),
            std::string::npos);
}

TEST(WindowsLogFileIo, ClosedFilesSaySo) {
  AppendFile closed;
  EXPECT_FALSE(closed.is_open());
  EXPECT_FALSE(closed.write("x", 1));
}

}  // namespace
}  // namespace supd::os
