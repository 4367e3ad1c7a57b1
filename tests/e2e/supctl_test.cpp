// The real supctl against the real supd: exit codes and outputs of SPEC.md ("supctl").
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/supd_instance.h"

namespace supd::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kServices = R"(
services:
  web:
    command: ["@HELPER@", "print", "web up", "sleep", "60"]
    start_secs: 100ms
  slow:
    command: ["@HELPER@", "print", "slow up", "eprint", "slow err", "sleep", "60"]
    autostart: false
    start_secs: 1500ms
  worker:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
    depends_on: [web]
)";

class Supctl : public ::testing::Test {
 protected:
  void SetUp() override {
    if (supctl_binary().empty()) GTEST_SKIP() << "supctl is not built yet";
    ASSERT_TRUE(supd_.start());
    ASSERT_TRUE(supd_.wait_for_state("web", "running"));
    ASSERT_TRUE(supd_.wait_for_state("worker", "running"));
  }

  // Runs supctl and expects exit code `code`; the result for further checks.
  RunResult expect(int code, const std::vector<std::string>& args) {
    RunResult r = supd_.supctl(args);
    std::string cmd;
    for (const std::string& a : args) cmd += " " + a;
    EXPECT_EQ(exit_code(r), code) << "supctl" << cmd << "\nstdout:\n"
                                  << r.out << "stderr:\n"
                                  << r.err;
    return r;
  }

  json json_of(const RunResult& r) {
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << r.out;
    return j;
  }

  SupdInstance supd_{kServices};
};

const json* find_service(const json& services, const std::string& name) {
  for (const json& s : services) {
    if (s.value("name", "") == name) return &s;
  }
  return nullptr;
}

TEST_F(Supctl, StatusTable) {
  RunResult r = expect(0, {"status"});
  EXPECT_NE(r.out.find("NAME"), std::string::npos) << r.out;
  for (const char* column : {"STATE", "PID", "UPTIME", "RESTARTS", "LAST-EXIT"}) {
    EXPECT_NE(r.out.find(column), std::string::npos) << column << " in\n" << r.out;
  }
  std::istringstream lines(r.out);
  std::string line;
  bool found = false;
  while (std::getline(lines, line)) {
    if (line.rfind("web ", 0) == 0) {
      found = true;
      EXPECT_NE(line.find("running"), std::string::npos) << line;
      EXPECT_NE(line.find(std::to_string(supd_.service("web")->pid)), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(found) << r.out;
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "colour without a terminal";
}

TEST_F(Supctl, StatusJson) {
  json j = json_of(expect(0, {"--json", "status"}));
  EXPECT_EQ(j["daemon"]["pid"], supd_.daemon_pid());
  EXPECT_EQ(j["daemon"]["state"], "running");
  EXPECT_TRUE(j["daemon"]["since"].is_number());
  ASSERT_EQ(j["services"].size(), 3u) << j.dump();
  const json* web = find_service(j["services"], "web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ((*web)["state"], "running");
  EXPECT_EQ((*web)["pid"], supd_.service("web")->pid);
  for (const char* key : {"since", "restarts", "last_exit", "exit_code", "signal", "health"}) {
    EXPECT_TRUE(web->contains(key)) << key << " missing: " << web->dump();
  }
  const json* slow = find_service(j["services"], "slow");
  ASSERT_NE(slow, nullptr);
  EXPECT_EQ((*slow)["state"], "stopped");
  EXPECT_TRUE((*slow)["pid"].is_null());
  // Global options also after the command.
  json after = json_of(expect(0, {"status", "--json", "web"}));
  ASSERT_EQ(after["services"].size(), 1u);
}

TEST_F(Supctl, StatusExitCodes) {
  expect(0, {"status", "web", "worker"});
  RunResult r = expect(3, {"status", "slow"});
  r = expect(4, {"status", "wbe"});
  EXPECT_NE(r.err.find("no such service: wbe"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean web"), std::string::npos) << r.err;
  expect(2, {"status", "--no-such-flag"});
  expect(2, {"bogus-command"});
}

TEST_F(Supctl, StatusIs3WhenSomethingIsFatal) {
  supd_.write_config(std::string(kServices) + R"(
  crasher:
    command: ["@HELPER@", "exit", "1"]
    start_secs: 0
    max_restarts: 1
)");
  expect(0, {"reload"});
  ASSERT_TRUE(supd_.wait_for_state("crasher", "fatal"));
  expect(3, {"status"});
  expect(0, {"status", "web"});
}

TEST_F(Supctl, StartStopRestart) {
  RunResult r = expect(0, {"start", "slow"});
  EXPECT_NE(r.out.find("slow: running (pid " + std::to_string(supd_.service("slow")->pid) + ")"),
            std::string::npos)
      << r.out;
  const Pid web = supd_.service("web")->pid;
  r = expect(0, {"restart", "web"});
  EXPECT_NE(supd_.service("web")->pid, web);
  EXPECT_FALSE(process_alive(web));
  r = expect(0, {"stop", "slow", "--no-wait"});
  ASSERT_TRUE(supd_.wait_for_state("slow", "stopped"));
  r = expect(1, {"start", "slow", "--timeout", "200ms"});
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
  r = expect(0, {"--json", "stop", "all"});
  json j = json_of(r);
  EXPECT_EQ(j["services"].size(), 3u) << j.dump();
  for (const json& s : j["services"]) EXPECT_EQ(s["state"], "stopped") << s.dump();
  expect(4, {"start", "nope"});
}

TEST_F(Supctl, SignalWaitLogsVersion) {
  const Pid web = supd_.service("web")->pid;
  RunResult r = expect(0, {"signal", "term", "web"});
  EXPECT_NE(r.out.find("sent SIGTERM to web"), std::string::npos) << r.out;
  ASSERT_NE(supd_.wait_for_new_pid("web", web), 0);
  expect(2, {"signal", "SIGNOPE", "web"});

  expect(0, {"wait", "web", "--state", "running", "--timeout", "30s"});
  r = expect(1, {"wait", "web", "--state", "stopped", "--timeout", "200ms"});

  expect(0, {"start", "slow"});
  r = expect(0, {"logs", "slow", "-n", "5"});
  EXPECT_EQ(r.out, "slow up\n");
  r = expect(0, {"logs", "slow", "--stderr"});
  EXPECT_EQ(r.out, "slow err\n");

  r = expect(0, {"version"});
  EXPECT_NE(r.out.find("supctl"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::string("supd ") + SUPD_VERSION), std::string::npos) << r.out;
}

TEST_F(Supctl, ReloadAndCheckConfig) {
  supd_.write_config(R"(
services:
  web:
    command: ["@HELPER@", "sleep", "60"]
    restart: sometimes
)");
  RunResult r = expect(2, {"reload"});
  EXPECT_NE(r.err.find(supd_.config_path() + ":"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("services.web.restart"), std::string::npos) << r.err;
  r = expect(2, {"check-config", supd_.config_path()});
  EXPECT_NE(r.err.find("services.web.restart"), std::string::npos) << r.err;
  // Still the old config in force.
  expect(0, {"status", "web", "worker"});

  supd_.write_config(kServices);
  r = expect(0, {"check-config"});
  EXPECT_NE(r.out.find("ok"), std::string::npos) << r.out;
  expect(0, {"reload"});
}

TEST_F(Supctl, EventsPrintsJsonLinesUntilInterrupted) {
  const std::string out = supd_.path("events.out");
  Spawned events = spawn_program({supctl_binary(), "-c", supd_.config_path(), "events", "web"},
                                 supd_.dir(), out, supd_.path("events.err"), supd_.tag());
  ASSERT_GT(events.pid, 0);
  // Restart until supctl has printed every transition of one whole restart (it may have
  // subscribed in the middle of the first).
  auto whole_restart_seen = [&] {
    const std::string text = read_file(out);
    return std::count(text.begin(), text.end(), '\n') >= 3 &&
           text.find("\"to\":\"running\"") != std::string::npos;
  };
  const auto deadline = Clock::now() + 30s;
  while (!whole_restart_seen() && Clock::now() < deadline) expect(0, {"restart", "web"});
  ::kill(static_cast<pid_t>(events.pid), SIGINT);
  auto ending = wait_child(events.pid, 10s);
  ASSERT_TRUE(ending) << "supctl events did not stop on SIGINT";
  std::istringstream lines(read_file(out));
  std::string line;
  int parsed = 0;
  while (std::getline(lines, line)) {
    json e = json::parse(line, nullptr, false);
    ASSERT_FALSE(e.is_discarded()) << line;
    for (const char* key : {"time", "service", "from", "to", "pid", "reason"}) {
      EXPECT_TRUE(e.contains(key)) << key << " missing: " << line;
    }
    EXPECT_EQ(e["service"], "web");
    ++parsed;
  }
  EXPECT_GE(parsed, 3);
}

// `top` in a real terminal (a pseudo-terminal): the services appear, `q` quits with 0 and
// the terminal gets its normal screen back.
TEST_F(Supctl, TopShowsTheServicesAndQuitsOnQ) {
  int master = -1;
  winsize size{};
  size.ws_row = 24;
  size.ws_col = 100;
  // Everything the child needs is made before fork(): this process has threads.
  std::vector<std::string> args = {supctl_binary(), "-c",         supd_.config_path(),
                                   "top",           "--interval", "100ms"};
  std::vector<std::string> env = {"TERM=xterm"};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view var = *e;
    if (!var.starts_with("TERM=") && !var.starts_with("NO_COLOR=")) env.emplace_back(var);
  }
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  for (std::string& e : env) envp.push_back(e.data());
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  ASSERT_GE(pid, 0) << std::strerror(errno);
  if (pid == 0) {
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  std::string screen;
  // Reads what supctl drew until `needle` shows up or the deadline passes.
  auto read_until = [&](const std::string& needle) {
    const auto deadline = Clock::now() + 20s;
    while (screen.find(needle) == std::string::npos && Clock::now() < deadline) {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;
      screen.append(buf, static_cast<std::size_t>(n));
    }
    return screen.find(needle) != std::string::npos;
  };
  EXPECT_TRUE(read_until("worker")) << screen;
  EXPECT_TRUE(read_until("running")) << screen;
  ASSERT_EQ(::write(master, "q", 1), 1);
  EXPECT_TRUE(read_until("\x1b[?1049l")) << "the normal screen was not restored";
  auto ending = wait_child(pid, 10s);
  ::close(master);
  ASSERT_TRUE(ending) << "supctl top did not quit on q";
  EXPECT_EQ(ending->code, 0);
}

TEST_F(Supctl, ShutdownAndThenSupdIsGone) {
  expect(0, {"shutdown"});
  auto ending = supd_.wait_exit();
  ASSERT_TRUE(ending);
  EXPECT_EQ(ending->code, 0);
  // Nobody answers now; the page still tells the last known state.
  expect(1, {"stop", "web"});
  RunResult r = expect(0, {"status"});
  EXPECT_NE(r.out.find("supd is not running"), std::string::npos) << r.out;
  json j = json_of(expect(0, {"--json", "status"}));
  EXPECT_EQ(j["daemon"]["state"], "not running");
  for (const json& s : j["services"]) EXPECT_EQ(s["state"], "stopped") << s.dump();
}

TEST(SupctlAlone, NoDaemonAtAll) {
  if (supctl_binary().empty()) GTEST_SKIP() << "supctl is not built yet";
  SupdInstance supd(kServices);  // written, never started
  RunResult r = supd.supctl({"status"});
  EXPECT_EQ(exit_code(r), 1) << r.out << r.err;
  EXPECT_NE(r.err.find("not running"), std::string::npos) << r.err;
  r = supd.supctl({"stop", "web"});
  EXPECT_EQ(exit_code(r), 1) << r.out << r.err;
  EXPECT_NE(r.err.find("no supd listening at " + supd.socket_path()), std::string::npos) << r.err;
  r = supd.supctl({"check-config"});
  EXPECT_EQ(exit_code(r), 0) << r.out << r.err;
}

}  // namespace
}  // namespace supd::e2e
