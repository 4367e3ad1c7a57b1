// Readers never see a torn record while the daemon, in another process, hammers updates.
#include <signal.h>

#include <chrono>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "status/status_reader.h"
#include "status/status_test_support.h"
#include "status/status_writer.h"

namespace supd::status {
namespace {

using std::chrono::steady_clock;
using testing::derived_status;
using testing::is_consistent;
using testing::StatusPageTest;
using testing::wait_child;

constexpr int kServices = 6;

// Forks a process that updates every record as fast as it can, from one counter, until
// killed (or 60 s pass, so it never outlives a broken test for long).
pid_t start_hammering(StatusWriter& writer, const std::vector<int>& slots) {
  const pid_t child = fork();
  if (child != 0) return child;
  const auto give_up = steady_clock::now() + std::chrono::seconds(60);
  for (std::uint32_t c = 1;; ++c) {
    for (std::size_t i = 0; i < slots.size(); ++i) {
      writer.update(slots[i],
                    derived_status("svc" + std::to_string(i), c + static_cast<std::uint32_t>(i)));
    }
    if ((c & 1023u) == 0 && steady_clock::now() > give_up) _exit(0);
  }
}

void expect_no_torn_reads(const std::string& page, const WriterOptions& writer_options,
                          const ReaderOptions& reader_options) {
  auto writer = StatusWriter::create(page, 16, writer_options);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  std::vector<int> slots;
  slots.reserve(kServices);
  for (int i = 0; i < kServices; ++i) {
    slots.push_back(writer->add_or_find("svc" + std::to_string(i)));
  }
  const pid_t child = start_hammering(*writer, slots);
  ASSERT_GT(child, 0);

  // A writer preempted inside a record on a loaded machine must be waited out, not taken
  // as found: this test is about what the seqlock lets through.
  ReaderOptions options = reader_options;
  options.settle_budget = std::chrono::seconds(10);
  auto reader = StatusReader::open(page, options);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  std::set<std::int64_t> seen;
  long reads = 0;
  long torn = 0;
  while (reads < 100000 && steady_clock::now() < deadline) {
    auto snapshot = reader->read();
    ASSERT_TRUE(snapshot.ok()) << snapshot.error().message();
    ++reads;
    ASSERT_EQ(snapshot->services.size(), static_cast<std::size_t>(kServices));
    EXPECT_TRUE(snapshot->complete);
    for (const ServiceStatus& s : snapshot->services) {
      if (!is_consistent(s)) {
        if (++torn <= 3) {
          ADD_FAILURE() << "torn record: pid " << s.pid << " last_exit " << s.last_exit;
        }
      }
    }
    if (seen.size() < 1000) seen.insert(snapshot->services[0].pid);
  }
  kill(child, SIGKILL);
  EXPECT_EQ(wait_child(child), 128 + SIGKILL);
  EXPECT_EQ(torn, 0) << "in " << reads << " reads";
  // The writer really was writing while we read.
  EXPECT_GT(seen.size(), 10u) << "in " << reads << " reads";
  EXPECT_GE(reads, 1000);
}

using TornReadTest = StatusPageTest;

TEST_F(TornReadTest, SeqlocksAloneKeepRecordsWhole) {
  WriterOptions w;
  w.use_lock = false;
  ReaderOptions r;
  r.use_lock = false;
  expect_no_torn_reads(page_, w, r);
}

TEST_F(TornReadTest, RecordsStayWholeWithTheLockInUse) {
  expect_no_torn_reads(page_, WriterOptions{}, ReaderOptions{});
}

TEST_F(TornReadTest, ARecordWhoseWriterDiedInsideItIsShownAsFound) {
  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  writer->update(writer->add_or_find("web"), derived_status("web", 7));
  // Leave the record's sequence odd, as a writer killed mid-update would.
  auto raw = os::FileMapping::create(page_, page_size(2), 0644);
  ASSERT_TRUE(raw.ok());
  raw->data()[sizeof(Header) + offsetof(Record, seq)] |= std::byte{1};

  ReaderOptions options;
  options.settle_budget = std::chrono::milliseconds(20);
  auto reader = StatusReader::open(page_, options);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  const auto start = steady_clock::now();
  auto snapshot = reader->read();
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message();
  EXPECT_FALSE(snapshot->complete);
  ASSERT_EQ(snapshot->services.size(), 1u);
  EXPECT_EQ(snapshot->services[0], derived_status("web", 7));
}

}  // namespace
}  // namespace supd::status
