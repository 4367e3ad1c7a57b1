// What the daemon writes is what supctl reads.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "status/status_reader.h"
#include "status/status_test_support.h"
#include "status/status_writer.h"

namespace supd::status {
namespace {

namespace fs = std::filesystem;
using testing::StatusPageTest;

ServiceStatus full_status(const std::string& name) {
  ServiceStatus s;
  s.name = name;
  s.state = ServiceState::Backoff;
  s.pid = 31337;
  s.since = 1700000123;
  s.restarts = 4;
  s.last_exit = "killed by SIGSEGV (core dumped)";
  s.exit_code = std::nullopt;
  s.signal = "SIGSEGV";
  s.health = Health::Failing;
  return s;
}

Snapshot read_page(const std::string& path) {
  auto reader = StatusReader::open(path);
  EXPECT_TRUE(reader.ok()) << reader.error().message();
  if (!reader) return {};
  auto snapshot = reader->read();
  EXPECT_TRUE(snapshot.ok()) << snapshot.error().message();
  return snapshot ? *snapshot : Snapshot{};
}

using RoundTripTest = StatusPageTest;

TEST_F(RoundTripTest, ReaderSeesWhatTheWriterWrote) {
  auto writer = StatusWriter::create(page_, 4);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  writer->set_daemon_info(4242, 1700000000);
  writer->set_daemon_state(DaemonState::Running);
  writer->heartbeat(1700000005123);
  const int web = writer->add_or_find("web");
  const int db = writer->add_or_find("db");
  ASSERT_GE(web, 0);
  ASSERT_GE(db, 0);
  ServiceStatus running;
  running.name = "db";
  running.state = ServiceState::Running;
  running.pid = 77;
  running.since = 1700000001;
  running.exit_code = 0;
  running.last_exit = "exited 0";
  writer->update(web, full_status("web"));
  writer->update(db, running);

  const Snapshot s = read_page(page_);
  EXPECT_EQ(s.path, page_);
  EXPECT_EQ(s.layout_version, kLayoutVersion);
  EXPECT_EQ(s.capacity, 4u);
  EXPECT_EQ(s.daemon.pid, 4242);
  EXPECT_EQ(s.daemon.start_time, 1700000000);
  EXPECT_EQ(s.daemon.heartbeat_ms, 1700000005123);
  EXPECT_EQ(s.daemon.state, DaemonState::Running);
  EXPECT_TRUE(s.locked);
  EXPECT_TRUE(s.complete);
  EXPECT_FALSE(s.last_crash.has_value());
  ASSERT_EQ(s.services.size(), 2u);
  EXPECT_EQ(s.services[0], full_status("web"));
  EXPECT_EQ(s.services[1], running);
}

TEST_F(RoundTripTest, EveryHealthValueSurvivesThePage) {
  auto writer = StatusWriter::create(page_, 4);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  const Health values[] = {Health::None, Health::Ok, Health::Failing, Health::Unknown};
  for (std::size_t i = 0; i < std::size(values); ++i) {
    ServiceStatus st = full_status("s" + std::to_string(i));
    st.health = values[i];
    writer->update(writer->add_or_find(st.name), st);
  }
  const Snapshot s = read_page(page_);
  ASSERT_EQ(s.services.size(), std::size(values));
  for (std::size_t i = 0; i < std::size(values); ++i) {
    EXPECT_EQ(s.services[i].health, values[i]) << health_name(values[i]);
  }
}

TEST_F(RoundTripTest, ANewServiceIsStoppedWithNothingElseSet) {
  auto writer = StatusWriter::create(page_, 4);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  ASSERT_GE(writer->add_or_find("idle"), 0);
  const Snapshot s = read_page(page_);
  ASSERT_EQ(s.services.size(), 1u);
  ServiceStatus expected;
  expected.name = "idle";
  EXPECT_EQ(s.services[0], expected);
}

TEST_F(RoundTripTest, AddOrFindKeepsOneSlotPerName) {
  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  const int a = writer->add_or_find("a");
  EXPECT_EQ(writer->add_or_find("a"), a);
  const int b = writer->add_or_find("b");
  EXPECT_NE(a, b);
  EXPECT_EQ(writer->add_or_find("c"), -1) << "the page is full";
  EXPECT_EQ(writer->add_or_find("b"), b);
  EXPECT_EQ(read_page(page_).services.size(), 2u);
}

TEST_F(RoundTripTest, NamesMustFitTheirField) {
  auto writer = StatusWriter::create(page_, 4);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  EXPECT_EQ(writer->add_or_find(""), -1);
  EXPECT_EQ(writer->add_or_find(std::string(kMaxNameLength + 1, 'n')), -1);
  const std::string longest(kMaxNameLength, 'n');
  ASSERT_GE(writer->add_or_find(longest), 0);
  const Snapshot s = read_page(page_);
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_EQ(s.services[0].name, longest);
}

TEST_F(RoundTripTest, RemovedServicesDisappearAndTheirSlotIsReused) {
  auto writer = StatusWriter::create(page_, 3);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  const int a = writer->add_or_find("a");
  const int b = writer->add_or_find("b");
  const int c = writer->add_or_find("c");
  writer->remove("b");
  writer->remove("unknown");
  Snapshot s = read_page(page_);
  ASSERT_EQ(s.services.size(), 2u);
  EXPECT_EQ(s.services[0].name, "a");
  EXPECT_EQ(s.services[1].name, "c");

  EXPECT_EQ(writer->add_or_find("d"), b);
  writer->remove("c");
  writer->remove("d");
  s = read_page(page_);
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_EQ(s.services[0].name, "a");
  EXPECT_EQ(writer->add_or_find("e"), b);
  EXPECT_EQ(writer->add_or_find("f"), c);
  EXPECT_EQ(writer->add_or_find("a"), a);
}

TEST_F(RoundTripTest, UpdatesOfInvalidOrFreeSlotsAreIgnored) {
  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  writer->update(-1, full_status("x"));
  writer->update(1, full_status("x"));
  writer->update(2, full_status("x"));
  EXPECT_TRUE(read_page(page_).services.empty());
}

TEST_F(RoundTripTest, TheSlotNamesTheRecordNotTheStatus) {
  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  const int slot = writer->add_or_find("web");
  writer->update(slot, full_status("something-else"));
  const Snapshot s = read_page(page_);
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_EQ(s.services[0].name, "web");
}

TEST_F(RoundTripTest, LongTextsAreCutAtACharacterBoundary) {
  auto writer = StatusWriter::create(page_, 1);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  const int slot = writer->add_or_find("web");
  ServiceStatus s = full_status("web");
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xc3\xa9";  // é, two bytes each
  s.last_exit = accents;
  s.signal = "SIGVERYLONGSIGNALNAME";
  writer->update(slot, s);
  const Snapshot snap = read_page(page_);
  ASSERT_EQ(snap.services.size(), 1u);
  EXPECT_EQ(snap.services[0].last_exit, accents.substr(0, 94));
  EXPECT_EQ(snap.services[0].signal, std::string("SIGVERYLONGSIGN"));
}

TEST_F(RoundTripTest, GenerationMovesWithChangesButNotWithHeartbeats) {
  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  const std::uint32_t g0 = reader->read()->generation;
  writer->heartbeat(1);
  EXPECT_EQ(reader->read()->generation, g0);
  const int slot = writer->add_or_find("web");
  const std::uint32_t g1 = reader->read()->generation;
  EXPECT_NE(g1, g0);
  writer->update(slot, full_status("web"));
  EXPECT_NE(reader->read()->generation, g1);
}

TEST_F(RoundTripTest, TheDaemonStateFollowsTheWriter) {
  auto writer = StatusWriter::create(page_, 1);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  EXPECT_EQ(reader->read()->daemon.state, DaemonState::Starting);
  for (DaemonState state : {DaemonState::Running, DaemonState::Stopping, DaemonState::Stopped}) {
    writer->set_daemon_state(state);
    EXPECT_EQ(reader->read()->daemon.state, state);
  }
}

TEST_F(RoundTripTest, AReaderFollowsThePageWhenSupdRecreatesIt) {
  auto first = StatusWriter::create(page_, 2);
  ASSERT_TRUE(first.ok()) << first.error().message();
  first->set_daemon_info(100, 1);
  ASSERT_GE(first->add_or_find("old"), 0);
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  ASSERT_EQ(reader->read()->services.size(), 1u);

  auto second = StatusWriter::create(page_, 8);
  ASSERT_TRUE(second.ok()) << second.error().message();
  second->set_daemon_info(200, 2);
  ASSERT_GE(second->add_or_find("new"), 0);
  auto s = reader->read();
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->daemon.pid, 200);
  EXPECT_EQ(s->capacity, 8u);
  ASSERT_EQ(s->services.size(), 1u);
  EXPECT_EQ(s->services[0].name, "new");
  EXPECT_TRUE(s->locked);
}

TEST_F(RoundTripTest, APageWhoseFileWasRemovedStaysReadable) {
  auto writer = StatusWriter::create(page_, 2);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  ASSERT_GE(writer->add_or_find("web"), 0);
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  fs::remove(page_);
  auto s = reader->read();
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->services.size(), 1u);
}

TEST_F(RoundTripTest, ThePageGetsTheModeAskedFor) {
  WriterOptions options;
  options.mode = 0640;
  auto writer = StatusWriter::create(page_, 1, options);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  EXPECT_EQ(fs::status(page_).permissions(),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_FALSE(fs::exists(page_ + ".new"));
}

TEST_F(RoundTripTest, ThePageIsRecreatedInPlaceWhenItCannotBeBuiltBeside) {
  {
    auto first = StatusWriter::create(page_, 2);
    ASSERT_TRUE(first.ok()) << first.error().message();
    first->set_daemon_info(100, 1);
    first->record_crash(5, 11, 0, "crash");
    ASSERT_GE(first->add_or_find("old"), 0);
  }
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  // Something that is not ours sits where the new page would be built.
  fs::create_directories(dir_ / "supd.status.new" / "in-the-way");

  auto readers_lock = os::NamedSemaphore::open(os::semaphore_name_for(page_));
  ASSERT_TRUE(readers_lock.ok()) << readers_lock.error().message();

  auto second = StatusWriter::create(page_, 2);
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_TRUE(second->previous_run_crashed());
  second->set_daemon_info(200, 2);
  ASSERT_GE(second->add_or_find("new"), 0);
  // The writer kept the semaphore that readers of the file already have.
  ASSERT_TRUE(readers_lock->try_wait());
  second->set_daemon_state(DaemonState::Running);
  EXPECT_EQ(second->lock_timeouts(), 1u);
  ASSERT_TRUE(readers_lock->post().ok());
  auto s = reader->read();  // the same file, rewritten
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->daemon.pid, 200);
  ASSERT_EQ(s->services.size(), 1u);
  EXPECT_EQ(s->services[0].name, "new");
  ASSERT_TRUE(s->last_crash.has_value());
  EXPECT_EQ(s->last_crash->text, "crash");
  EXPECT_TRUE(s->locked);
}

TEST_F(RoundTripTest, CreatingInAMissingDirectorySaysSo) {
  const std::string where = (dir_ / "missing" / "supd.status").string();
  auto writer = StatusWriter::create(where, 1);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().message(), "create " + where + ": No such file or directory");
}

TEST_F(RoundTripTest, CapacityMustBeSensible) {
  auto none = StatusWriter::create(page_, 0);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(),
            "status page " + page_ + ": capacity 0 is out of range (1 to 65536)");
  EXPECT_FALSE(StatusWriter::create(page_, StatusWriter::kMaxCapacity + 1).ok());
}

TEST_F(RoundTripTest, APageReachedThroughASymlinkSharesItsLock) {
  const std::string real = (dir_ / "real.status").string();
  const std::string link = (dir_ / "link.status").string();
  fs::create_symlink(real, link);
  auto writer = StatusWriter::create(link, 1);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  EXPECT_TRUE(fs::is_symlink(link)) << "the link stays; the file behind it is the page";
  auto reader = StatusReader::open(real);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  EXPECT_TRUE(reader->has_lock());
  EXPECT_TRUE(reader->read()->locked);
  (void)os::NamedSemaphore::unlink(os::semaphore_name_for(real));
}

TEST_F(RoundTripTest, WithoutTheLockReadsStillWork) {
  WriterOptions options;
  options.use_lock = false;
  auto writer = StatusWriter::create(page_, 1, options);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  writer->update(writer->add_or_find("web"), full_status("web"));
  auto reader = StatusReader::open(page_);
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  EXPECT_FALSE(reader->has_lock());
  auto s = reader->read();
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->locked);
  ASSERT_EQ(s->services.size(), 1u);
  EXPECT_EQ(s->services[0], full_status("web"));
}

TEST(StateNames, AreSpelledAsTheSpecSpellsThem) {
  EXPECT_STREQ(state_name(ServiceState::Stopped), "stopped");
  EXPECT_STREQ(state_name(ServiceState::Starting), "starting");
  EXPECT_STREQ(state_name(ServiceState::Running), "running");
  EXPECT_STREQ(state_name(ServiceState::Stopping), "stopping");
  EXPECT_STREQ(state_name(ServiceState::Backoff), "backoff");
  EXPECT_STREQ(state_name(ServiceState::Exited), "exited");
  EXPECT_STREQ(state_name(ServiceState::Fatal), "fatal");
  for (std::uint8_t i = 0; i < kServiceStateCount; ++i) {
    const auto state = static_cast<ServiceState>(i);
    EXPECT_EQ(parse_state(state_name(state)), state);
  }
  EXPECT_EQ(parse_state("Running"), std::nullopt);
  EXPECT_STREQ(health_name(Health::None), "none");
  EXPECT_STREQ(health_name(Health::Ok), "ok");
  EXPECT_STREQ(health_name(Health::Failing), "failing");
  EXPECT_STREQ(health_name(Health::Unknown), "unknown");
  EXPECT_STREQ(daemon_state_name(DaemonState::Stopping), "stopping");
}

}  // namespace
}  // namespace supd::status
