// A file that is not a page this supctl can read gives a clear error, never a wrong answer.
#include <cstring>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "os/file_mapping.h"
#include "status/status_reader.h"
#include "status/status_test_support.h"
#include "status/status_writer.h"

namespace supd::status {
namespace {

using testing::StatusPageTest;

class PageCheckTest : public StatusPageTest {
 protected:
  std::string open_error(const std::string& path) {
    auto reader = StatusReader::open(path);
    EXPECT_FALSE(reader.ok());
    return reader ? std::string() : reader.error().message();
  }

  // Makes a real page, then overwrites the 32-bit field at `offset` with `value`.
  void make_page_with(std::size_t offset, std::uint32_t value) {
    {
      auto writer = StatusWriter::create(page_, 2);
      ASSERT_TRUE(writer.ok()) << writer.error().message();
    }
    auto raw = os::FileMapping::create(page_, page_size(2), 0644);
    ASSERT_TRUE(raw.ok()) << raw.error().message();
    std::memcpy(raw->data() + offset, &value, sizeof value);
  }
};

TEST_F(PageCheckTest, AMissingPageSaysSo) {
  EXPECT_EQ(open_error(page_), "open " + page_ + ": No such file or directory");
}

TEST_F(PageCheckTest, AnEmptyFile) {
  std::ofstream out(page_);
  out.close();
  EXPECT_EQ(open_error(page_), "status page " + page_ + ": empty (supd has not written it yet)");
}

TEST_F(PageCheckTest, SomethingElseEntirely) {
  std::ofstream(page_) << std::string(4096, 'x');
  EXPECT_EQ(open_error(page_), "status page " + page_ + ": not a supd status page (bad magic)");
}

TEST_F(PageCheckTest, ANewerLayoutAsksForANewerSupctl) {
  make_page_with(offsetof(Header, layout_version), 3);
  EXPECT_EQ(open_error(page_), "status page " + page_ +
                                   ": layout version 3, this supctl reads version 1 \u2014 "
                                   "upgrade supctl");
}

TEST_F(PageCheckTest, AnOlderLayoutPointsAtTheOlderSupd) {
  make_page_with(offsetof(Header, layout_version), 0);
  const std::string error = open_error(page_);
  EXPECT_NE(error.find("layout version 0, this supctl reads version 1"), std::string::npos)
      << error;
  EXPECT_NE(error.find("older supd"), std::string::npos) << error;
}

TEST_F(PageCheckTest, ATruncatedPage) {
  make_page_with(offsetof(Header, record_capacity), 1000);
  EXPECT_EQ(open_error(page_), "status page " + page_ + ": truncated (" +
                                   std::to_string(page_size(2)) + " bytes, its header promises " +
                                   std::to_string(page_size(1000)) + ")");
}

TEST_F(PageCheckTest, ADamagedHeader) {
  make_page_with(offsetof(Header, record_size), 12);
  const std::string error = open_error(page_);
  EXPECT_NE(error.find("damaged header"), std::string::npos) << error;
}

TEST_F(PageCheckTest, LargerRecordsOfTheSameVersionAreSteppedOver) {
  // A newer supd of the same layout version may append fields: the stride grows.
  constexpr std::size_t kStride = sizeof(Record) + 64;
  {
    auto writer = StatusWriter::create(page_, 2);
    ASSERT_TRUE(writer.ok()) << writer.error().message();
    writer->add_or_find("first");
    writer->add_or_find("second");
  }
  auto raw = os::FileMapping::create(page_, sizeof(Header) + 2 * kStride, 0644);
  ASSERT_TRUE(raw.ok()) << raw.error().message();
  std::byte* records = raw->data() + sizeof(Header);
  std::memmove(records + kStride, records + sizeof(Record), sizeof(Record));
  const std::uint32_t stride = kStride;
  std::memcpy(raw->data() + offsetof(Header, record_size), &stride, sizeof stride);

  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  auto s = reader->read();
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->services.size(), 2u);
  EXPECT_EQ(s->services[0].name, "first");
  EXPECT_EQ(s->services[1].name, "second");
}

TEST_F(PageCheckTest, APageReplacedByAnUnreadableOneIsAnErrorOnRead) {
  {
    auto writer = StatusWriter::create(page_, 2);
    ASSERT_TRUE(writer.ok()) << writer.error().message();
  }
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  const std::string replacement = page_ + ".other";
  std::ofstream(replacement) << std::string(4096, 'x');
  std::filesystem::rename(replacement, page_);
  auto s = reader->read();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "status page " + page_ + ": not a supd status page (bad magic)");
}

TEST_F(PageCheckTest, AWriterReplacesAPageItCannotReadWithoutCarryingAnything) {
  std::ofstream(page_) << std::string(4096, 'x');
  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  EXPECT_FALSE(writer->previous_crash().has_value());
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
}

}  // namespace
}  // namespace supd::status
