// supd.exe end to end: started on a config, watched and driven with supctl.exe, a service
// killed behind its back and restarted, one stopped and started, the status page read, and
// a shutdown that leaves nothing running.
#include <windows.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e_util.h"
#include "temp_dir.h"

namespace supd::e2e {
namespace {

using namespace std::chrono_literals;

// The first "grandchild <pid>" line of a service's stdout log; 0 when there is none yet.
os::Pid grandchild_in(const std::string& log) {
  for (const std::string& line : os::test::lines(read_text(log))) {
    if (line.rfind("grandchild ", 0) == 0) return std::stoll(line.substr(11));
  }
  return 0;
}

class SupdEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.file("supd.yaml");
    page_ = dir_.file("supd.status");
    log_file_ = dir_.file("supd.log");
    const std::string child = yaml_quoted(os::test::child_program());
    ASSERT_TRUE(write_text(config_,
                           "supd:\n"
                           "  control: " +
                               yaml_quoted(dir_.file("supd.sock")) +
                               "\n"
                               "  status_page: " +
                               yaml_quoted(page_) +
                               "\n"
                               "  log_dir: " +
                               yaml_quoted(dir_.file("log")) +
                               "\n"
                               "  log_file: " +
                               yaml_quoted(log_file_) +
                               "\n"
                               "  shutdown_timeout: 30s\n"
                               "services:\n"
                               "  worker:\n"
                               "    command: [" +
                               child +
                               ", sleep, '600000']\n"
                               "    restart: always\n"
                               "    start_secs: 200ms\n"
                               "    backoff: {initial: 100ms, max: 100ms}\n"
                               "  spare:\n"
                               "    command: [" +
                               child +
                               ", grandchild, sleep, '600000']\n"
                               "    start_secs: 200ms\n"));
  }

  // supd's own log, for failure messages.
  std::string supd_log() const { return "supd's log:\n" + read_text(log_file_); }

  std::optional<ToolRun> ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"-c", config_});
    return supctl(std::move(args));
  }

  os::test::TempDir dir_;
  std::string config_;
  std::string page_;
  std::string log_file_;
};

TEST_F(SupdEndToEnd, RunsRestartsStopsStartsAndShutsDownLeavingNothing) {
  asio::io_context io;
  os::ProcessSpec spec;
  spec.argv = {SUPD_EXE, "-c", config_};
  spec.stdout_mode = os::StdioMode::Null;
  spec.stderr_mode = os::StdioMode::Null;
  // In a kill-on-close job of this test's: should anything below fail, nothing outlives it.
  auto daemon = os::spawn(io, spec);
  ASSERT_TRUE(daemon) << daemon.error().message();
  auto exited = std::make_shared<std::optional<os::ExitStatus>>();
  daemon.value()->async_wait([exited](const os::ExitStatus& s) { *exited = s; });

  // Both services come up; supctl sees them running.
  auto worker = wait_for_service(page_, "worker", is_running);
  ASSERT_TRUE(worker && is_running(*worker)) << supd_log();
  auto spare = wait_for_service(page_, "spare", is_running);
  ASSERT_TRUE(spare && is_running(*spare)) << supd_log();
  auto status = ctl({"status"});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0) << *status;
  EXPECT_NE(status->out.find("worker"), std::string::npos) << *status;
  EXPECT_NE(status->out.find("running"), std::string::npos) << *status;

  // Killed behind supd's back: restarted, with a new process.
  const os::Pid first_worker = worker->pid;
  {
    HANDLE process = OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(first_worker));
    ASSERT_NE(process, nullptr) << GetLastError();
    EXPECT_TRUE(TerminateProcess(process, 1));
    CloseHandle(process);
  }
  worker = wait_for_service(page_, "worker", [&](const status::ServiceStatus& s) {
    return is_running(s) && s.pid != first_worker;
  });
  ASSERT_TRUE(worker && is_running(*worker) && worker->pid != first_worker) << supd_log();
  EXPECT_EQ(worker->restarts, 1u);
  EXPECT_EQ(worker->last_exit, "exited 1");

  // Stopped and started with supctl: the stop takes the service's grandchild too.
  const std::string spare_log = dir_.file("log\\spare.out.log");
  os::Pid grandchild = 0;
  ASSERT_TRUE(
      os::test::wait_until([&] { return (grandchild = grandchild_in(spare_log)) != 0; }, 60s))
      << "spare's log: " << read_text(spare_log);
  EXPECT_TRUE(os::process_exists(grandchild));
  const os::Pid first_spare = spare->pid;
  auto stopped = ctl({"stop", "spare"});
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->code, 0) << *stopped;
  spare = page_service(page_, "spare");
  ASSERT_TRUE(spare);
  EXPECT_EQ(spare->state, status::ServiceState::Stopped) << status::state_name(spare->state);
  EXPECT_EQ(spare->pid, 0);
  EXPECT_TRUE(os::test::wait_until([&] { return !os::process_exists(first_spare); }, 30s));
  EXPECT_TRUE(os::test::wait_until([&] { return !os::process_exists(grandchild); }, 30s));

  auto started = ctl({"start", "spare", "--timeout", "60s"});
  ASSERT_TRUE(started);
  EXPECT_EQ(started->code, 0) << *started << supd_log();
  spare = wait_for_service(page_, "spare", is_running);
  ASSERT_TRUE(spare && is_running(*spare)) << supd_log();

  // The status page, as supctl reads it (without asking supd), in JSON.
  auto json = ctl({"--json", "status"});
  ASSERT_TRUE(json);
  ASSERT_EQ(json->code, 0) << *json;
  const nlohmann::json page = nlohmann::json::parse(json->out, nullptr, false);
  ASSERT_FALSE(page.is_discarded()) << json->out;
  EXPECT_EQ(page["daemon"]["state"], "running") << json->out;
  EXPECT_EQ(page["daemon"]["pid"], daemon.value()->pid()) << json->out;
  std::vector<os::Pid> pids;
  ASSERT_EQ(page["services"].size(), 2u) << json->out;
  for (const nlohmann::json& s : page["services"]) {
    EXPECT_EQ(s["state"], "running") << json->out;
    pids.push_back(s["pid"].get<os::Pid>());
  }
  EXPECT_EQ(page["services"][0]["name"], "worker");
  EXPECT_EQ(page["services"][0]["restarts"], 1);
  EXPECT_EQ(page["services"][0]["last_exit"], "exited 1");

  // Shut down: supd exits 0 and nothing it started is left.
  os::Pid new_grandchild = 0;
  ASSERT_TRUE(os::test::wait_until(
      [&] {
        const auto& lines = os::test::lines(read_text(spare_log));
        for (const std::string& line : lines) {
          if (line.rfind("grandchild ", 0) == 0) new_grandchild = std::stoll(line.substr(11));
        }
        return new_grandchild != 0 && new_grandchild != grandchild;
      },
      60s))
      << "spare's log: " << read_text(spare_log);
  pids.push_back(new_grandchild);
  auto shutdown = ctl({"shutdown"});
  ASSERT_TRUE(shutdown);
  EXPECT_EQ(shutdown->code, 0) << *shutdown;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!*exited && std::chrono::steady_clock::now() < deadline) {
    io.run_for(20ms);
    if (io.stopped()) io.restart();
  }
  ASSERT_TRUE(*exited) << "supd did not exit after supctl shutdown\n" << supd_log();
  EXPECT_EQ((*exited)->code, 0) << (*exited)->describe() << "\n" << supd_log();
  for (os::Pid pid : pids) {
    EXPECT_TRUE(os::test::wait_until([&] { return !os::process_exists(pid); }, 10s))
        << "process " << pid << " outlived supd";
  }
  auto after = ctl({"--json", "status"});
  ASSERT_TRUE(after);
  EXPECT_NE(after->out.find("not running"), std::string::npos) << *after;
}

}  // namespace
}  // namespace supd::e2e
