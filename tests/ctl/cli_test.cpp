// supctl as a whole, in-process: usage errors, status from a real status page, and the
// control-pipe verbs against a fake supd.
#include "ctl/cli.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "ctl/command_list.h"
#include "ctl/exit_codes.h"
#include "ctl_test_support.h"
#include "os/process.h"
#include "status/status_writer.h"

namespace supd::ctl {
namespace {

using testing::FakeDaemon;
using testing::Outcome;
using testing::ScratchDir;
using testing::supctl;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(Usage, NoCommandPrintsHelpAndExits2) {
  Outcome o = supctl({});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_TRUE(contains(o.err, "Usage:"));
}

TEST(Usage, UnknownCommandWithSuggestion) {
  Outcome o = supctl({"--socket", "/x", "stauts"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_TRUE(contains(o.err, "unknown command \"stauts\" (did you mean status?)")) << o.err;
}

TEST(Usage, UnknownFlagAndMissingArguments) {
  EXPECT_EQ(supctl({"status", "--bogus"}).code, kExitUsage);
  EXPECT_EQ(supctl({"start"}).code, kExitUsage);
  EXPECT_EQ(supctl({"wait", "web"}).code, kExitUsage);  // --state is required
  EXPECT_EQ(supctl({"logs"}).code, kExitUsage);
  EXPECT_EQ(supctl({"logs", "web", "-n", "-3"}).code, kExitUsage);
}

TEST(Usage, HelpForEveryCommand) {
  for (const char* command : {"status", "start", "stop", "restart", "signal", "wait", "logs",
                              "events", "top", "reload", "shutdown", "check-config", "version"}) {
    Outcome o = supctl({command, "--help"});
    EXPECT_EQ(o.code, kExitOk) << command;
    EXPECT_TRUE(contains(o.out, std::string("supctl ") + command)) << o.out;
  }
}

TEST(Usage, EachCommandGroupNamesWhatItAdds) {
  for (const CommandGroup& group : command_groups()) {
    CLI::App app;
    CommandList list(app);
    group.add(list);
    std::vector<std::string> added;
    for (const CLI::App* sub : app.get_subcommands({})) added.push_back(sub->get_name());
    EXPECT_EQ(added, std::vector<std::string>(group.names.begin(), group.names.end()));
  }
}

TEST(Usage, HelpListsEveryCommand) {
  Outcome o = supctl({"--help"});
  EXPECT_EQ(o.code, kExitOk);
  for (const CommandGroup& group : command_groups()) {
    for (std::string_view command : group.names) {
      EXPECT_TRUE(contains(o.out, "  " + std::string(command) + " ")) << command << "\n" << o.out;
    }
  }
}

TEST(Usage, BadDurationStateSignalAndAll) {
  Outcome o = supctl({"start", "web", "--timeout", "5x"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_TRUE(contains(o.err, "expected a duration")) << o.err;
  EXPECT_EQ(supctl({"wait", "web", "--state", "asleep"}).code, kExitUsage);
  o = supctl({"--socket", "/nonexistent/s.sock", "signal", "SIGFOO", "web"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_TRUE(contains(o.err, "accepted: HUP INT QUIT KILL USR1 USR2 TERM")) << o.err;
  o = supctl({"--socket", "/nonexistent/s.sock", "stop", "all", "web"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_TRUE(contains(o.err, "\"all\"")) << o.err;
}

TEST(Usage, ANamedConfigThatIsMissing) {
  Outcome o = supctl({"-c", "/nonexistent/supd.yaml", "status"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_TRUE(contains(o.err, "/nonexistent/supd.yaml")) << o.err;
}

class CheckConfig : public ::testing::Test {
 protected:
  ScratchDir dir_;
};

TEST_F(CheckConfig, ValidAndInvalid) {
  const std::string good = dir_.file("good.yaml");
  std::ofstream(good) << "services:\n  web:\n    command: [\"/bin/true\"]\n";
  Outcome o = supctl({"check-config", good});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_EQ(o.out, "ok\n");

  const std::string bad = dir_.file("bad.yaml");
  std::ofstream(bad) << "services:\n  web:\n    command: [\"/bin/true\"]\n    restart: sometimes\n";
  o = supctl({"check-config", bad});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_TRUE(contains(o.err, "bad.yaml:4:14: services.web.restart")) << o.err;

  // Without FILE: the -c one.
  o = supctl({"-c", good, "check-config"});
  EXPECT_EQ(o.code, kExitOk) << o.err;
}

// A status page written by a real StatusWriter, as supd keeps it.
class StatusFromPage : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    page_ = dir_.file("supd.status");
    socket_ = dir_.file("supd.sock");
    auto writer = status::StatusWriter::create(page_, 16);
    ASSERT_TRUE(writer) << writer.error().message();
    writer_.emplace(std::move(*writer));
    const std::int64_t now = now_ms();
    writer_->set_daemon_info(os::current_pid(), now / 1000 - 60);
    writer_->set_daemon_state(status::DaemonState::Running);
    writer_->heartbeat(now);
    add("web", status::ServiceState::Running, 4242, now / 1000 - 192);
    add("db", status::ServiceState::Stopped, 0, now / 1000 - 5);
  }
  void TearDown() override {
    writer_.reset();
    (void)os::NamedSemaphore::unlink(os::semaphore_name_for(page_));
  }

  void add(const std::string& name, status::ServiceState state, std::int64_t pid,
           std::int64_t since, status::Health health = status::Health::None) {
    status::ServiceStatus s;
    s.state = state;
    s.pid = pid;
    s.since = since;
    s.health = health;
    writer_->update(writer_->add_or_find(name), s);
  }

  Outcome status(std::vector<std::string> args) {
    std::vector<std::string> all = {"--status-page", page_, "--socket", socket_, "status"};
    all.insert(all.end(), args.begin(), args.end());
    return supctl(all);
  }

  ScratchDir dir_;
  std::string page_;
  std::string socket_;
  std::optional<status::StatusWriter> writer_;
};

TEST_F(StatusFromPage, TableOfEveryService) {
  Outcome o = status({});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_EQ(o.out,
            "NAME  STATE    PID   UPTIME  RESTARTS  LAST-EXIT\n"
            "web   running  4242  3m12s   0         -\n"
            "db    stopped  -     -       0         -\n");
  EXPECT_EQ(o.err, "");
}

TEST_F(StatusFromPage, NamedServiceNotRunningExits3) {
  EXPECT_EQ(status({"web"}).code, kExitOk);
  Outcome o = status({"db"});
  EXPECT_EQ(o.code, kExitNotRunning);
  EXPECT_TRUE(contains(o.out, "db    stopped")) << o.out;
}

TEST_F(StatusFromPage, BackoffOrFatalWithoutNamesExits3) {
  add("worker", status::ServiceState::Backoff, 0, 1);
  EXPECT_EQ(status({}).code, kExitNotRunning);
}

TEST_F(StatusFromPage, UnknownNameExits4WithSuggestion) {
  Outcome o = status({"webx"});
  EXPECT_EQ(o.code, kExitNoSuchService);
  EXPECT_EQ(o.err, "supctl: no such service: webx (did you mean web?)\n");
  EXPECT_EQ(o.out, "");
}

TEST_F(StatusFromPage, NamesThatAreAlsoCommandsStayNames) {
  add("logs", status::ServiceState::Running, 4343, now_ms() / 1000 - 3);
  Outcome o = status({"logs", "web"});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_TRUE(contains(o.out, "4343")) << o.out;
  EXPECT_TRUE(contains(o.out, "4242")) << o.out;
  EXPECT_FALSE(contains(o.out, "db")) << o.out;
}

TEST_F(StatusFromPage, HealthColumnWhenProbed) {
  add("api", status::ServiceState::Running, 77, now_ms() / 1000, status::Health::Ok);
  Outcome o = status({});
  EXPECT_TRUE(contains(o.out, "LAST-EXIT  HEALTH\n")) << o.out;
  EXPECT_TRUE(contains(o.out, "-          ok\n")) << o.out;
}

TEST_F(StatusFromPage, Json) {
  Outcome o = status({"--json"});
  ASSERT_EQ(o.code, kExitOk) << o.err;
  const nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["daemon"]["pid"], os::current_pid());
  EXPECT_EQ(j["daemon"]["state"], "running");
  ASSERT_EQ(j["services"].size(), 2u);
  EXPECT_EQ(j["services"][0]["name"], "web");
  EXPECT_EQ(j["services"][0]["pid"], 4242);
  EXPECT_TRUE(j["services"][1]["pid"].is_null());
  EXPECT_TRUE(j["services"][1]["health"].is_null());
  EXPECT_FALSE(j.contains("last_crash"));
}

TEST_F(StatusFromPage, SupdGoneIsSaidAndNotShownAsLive) {
  // A pid that surely no longer exists: a child of ours, reaped.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  writer_->set_daemon_info(child, now_ms() / 1000 - 60);

  Outcome o = status({});
  EXPECT_EQ(o.code, kExitNotRunning);  // web was meant to run and nothing supervises it
  EXPECT_EQ(o.out, "supd is not running (pid " + std::to_string(child) +
                       " is gone); showing its last known state\n"
                       "NAME  STATE    PID  UPTIME  RESTARTS  LAST-EXIT\n"
                       "web   running  -    -       0         -\n"
                       "db    stopped  -    -       0         -\n");
  o = status({"--json"});
  EXPECT_EQ(nlohmann::json::parse(o.out)["daemon"]["state"], "not running");
}

TEST_F(StatusFromPage, PreviousCrashIsShown) {
  writer_->record_crash(1795313663, 11, 0, "supd crashed");
  auto reopened = status::StatusWriter::create(page_, 16);  // the next supd
  ASSERT_TRUE(reopened) << reopened.error().message();
  writer_.emplace(std::move(*reopened));
  writer_->set_daemon_info(os::current_pid(), now_ms() / 1000);
  writer_->set_daemon_state(status::DaemonState::Running);
  writer_->heartbeat(now_ms());

  Outcome o = status({});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_TRUE(
      contains(o.out, "supd crashed at 2026-11-22 02:14:23 UTC: " + os::native_signal_name(11) +
                          " at 0x0 (previous run, pid " + std::to_string(os::current_pid()) + ")"))
      << o.out;
  o = status({"--json"});
  const nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["last_crash"]["time"], 1795313663);
  EXPECT_EQ(j["last_crash"]["previous_run"], true);
}

TEST(StatusWithoutPage, NoPageAndNoSupd) {
  ScratchDir dir;
  Outcome o = supctl({"--socket", dir.file("supd.sock"), "status"});
  EXPECT_EQ(o.code, kExitError);
  EXPECT_EQ(o.err, "supctl: supd is not running (no status page at " + dir.file("supd.status") +
                       ", no answer at socket " + dir.file("supd.sock") + ")\n");
}

// Answers `status` the way supd does.
void answer_status(const control::Request& request, const control::Responder& responder) {
  if (request.command != control::Command::Status) {
    responder.respond_error(control::ErrorCode::Failed, "unexpected");
    return;
  }
  responder.respond_ok(nlohmann::json::parse(R"({
      "daemon": {"pid": 99, "state": "running", "since": 1000},
      "services": [{"name": "web", "state": "fatal", "pid": null, "since": 1000,
                    "restarts": 5, "last_exit": "exited 1", "exit_code": 1, "signal": null,
                    "health": null, "reason": "too many restarts"}]})"));
}

TEST(StatusWithoutPage, AsksSupdInstead) {
  ScratchDir dir;
  const std::string socket = dir.file("supd.sock");
  FakeDaemon daemon(socket, answer_status);
  ASSERT_EQ(daemon.error(), "");
  Outcome o = supctl({"--socket", socket, "status"});
  EXPECT_EQ(o.code, kExitNotRunning) << o.err;  // web is fatal
  EXPECT_EQ(o.out,
            "NAME  STATE  PID  UPTIME  RESTARTS  LAST-EXIT\n"
            "web   fatal  -    -       5         exited 1\n");
  o = supctl({"--socket", socket, "--json", "status", "web"});
  const nlohmann::json j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["daemon"]["pid"], 99);
  EXPECT_EQ(j["services"][0]["exit_code"], 1);
  EXPECT_FALSE(j["services"][0].contains("reason"));  // SPEC's fields only
}

class Verbs : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    socket_ = dir_.file("supd.sock");
  }
  void serve(FakeDaemon::Script script) {
    daemon_.emplace(socket_, std::move(script));
    ASSERT_EQ(daemon_->error(), "");
  }
  Outcome run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", socket_});
    return supctl(args);
  }

  ScratchDir dir_;
  std::string socket_;
  std::optional<FakeDaemon> daemon_;
};

TEST_F(Verbs, StartPrintsEachServicesState) {
  serve([](const control::Request& request, const control::Responder& responder) {
    nlohmann::json services = nlohmann::json::array();
    for (const std::string& name : request.names) {
      services.push_back({{"name", name}, {"state", "running"}, {"pid", 100}});
    }
    responder.respond_ok({{"services", services}});
  });
  Outcome o = run({"start", "web", "db", "--timeout", "7s"});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_EQ(o.out, "web: running (pid 100)\ndb: running (pid 100)\n");
  auto requests = daemon_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].command, control::Command::Start);
  EXPECT_TRUE(requests[0].wait);
  EXPECT_EQ(requests[0].timeout_ms, 7000);

  o = run({"stop", "all", "--no-wait"});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  requests = daemon_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].command, control::Command::Stop);
  EXPECT_TRUE(requests[1].all());
  EXPECT_FALSE(requests[1].wait);
}

TEST_F(Verbs, NoSuchServiceExits4) {
  serve([](const control::Request&, const control::Responder& responder) {
    control::ControlError e;
    e.code = control::ErrorCode::NoSuchService;
    e.message = "no such service: webx";
    e.did_you_mean = "web";
    responder.respond_error(e);
  });
  Outcome o = run({"restart", "webx"});
  EXPECT_EQ(o.code, kExitNoSuchService);
  EXPECT_EQ(o.err, "supctl: no such service: webx (did you mean web?)\n");
}

TEST_F(Verbs, TimeoutOrFailureExits1WithTheDaemonsMessage) {
  serve([](const control::Request& request, const control::Responder& responder) {
    if (request.command == control::Command::Wait) {
      responder.respond_error(control::ErrorCode::Timeout,
                              "wait timed out after 1s: web is starting");
    } else {
      responder.respond_error(control::ErrorCode::Failed, "web is fatal: exited 1");
    }
  });
  Outcome o = run({"wait", "web", "--state", "running", "--timeout", "1s"});
  EXPECT_EQ(o.code, kExitError);
  EXPECT_EQ(o.err, "supctl: wait timed out after 1s: web is starting\n");
  o = run({"start", "web"});
  EXPECT_EQ(o.code, kExitError);
  EXPECT_EQ(o.err, "supctl: web is fatal: exited 1\n");
}

TEST_F(Verbs, ReloadConfigErrorExits2WithEveryProblem) {
  serve([](const control::Request&, const control::Responder& responder) {
    control::ControlError e;
    e.code = control::ErrorCode::ConfigError;
    e.message = "supd.yaml: 2 problems; the running config stays in force";
    e.details = {"supd.yaml:3:5: services.web.restart: expected one of always, on-failure, never",
                 "supd.yaml:9:1: services.x: unknown key"};
    responder.respond_error(e);
  });
  Outcome o = run({"reload"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_EQ(o.err,
            "supctl: supd.yaml: 2 problems; the running config stays in force\n"
            "supd.yaml:3:5: services.web.restart: expected one of always, on-failure, never\n"
            "supd.yaml:9:1: services.x: unknown key\n");
}

TEST_F(Verbs, SignalSendsTheCanonicalName) {
  serve([](const control::Request& request, const control::Responder& responder) {
    responder.respond_ok({{"signalled", request.names}});
  });
  Outcome o = run({"signal", "usr1", "web"});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_EQ(o.out, "sent SIGUSR1 to web\n");
  ASSERT_EQ(daemon_->requests().size(), 1u);
  EXPECT_EQ(daemon_->requests()[0].signal, os::Signal::Usr1);
}

TEST_F(Verbs, LogsPrintsLines) {
  serve([](const control::Request& request, const control::Responder& responder) {
    EXPECT_EQ(request.lines, 2);
    EXPECT_EQ(request.stream, control::LogStream::Stderr);
    responder.respond_ok({{"path", "/var/log/web.err.log"}, {"lines", {"one", "two"}}});
  });
  Outcome o = run({"logs", "web", "-n", "2", "--stderr"});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_EQ(o.out, "one\ntwo\n");
}

TEST_F(Verbs, FollowAndEventsPrintEachEventUntilTheStreamEnds) {
  serve([](const control::Request& request, const control::Responder& responder) {
    if (request.command == control::Command::Logs) {
      EXPECT_TRUE(request.follow);
      responder.send_event({{"line", "a"}});
      responder.send_event({{"line", "b"}});
    } else {
      responder.send_event({{"service", "web"},
                            {"time", 1.5},
                            {"from", "starting"},
                            {"to", "running"},
                            {"pid", 7},
                            {"reason", "up for 1s"}});
    }
    responder.respond_ok();  // supd ends the stream (it is shutting down)
  });
  Outcome o = run({"logs", "-f", "web"});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_EQ(o.out, "a\nb\n");
  o = run({"events"});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_EQ(o.out, R"({"time":1.5,"service":"web","from":"starting","to":"running","pid":7,)"
                   R"("reason":"up for 1s"})"
                   "\n");
}

TEST_F(Verbs, VersionAndShutdown) {
  serve([](const control::Request& request, const control::Responder& responder) {
    if (request.command == control::Command::Version) {
      responder.respond_ok({{"version", "9.9.9"}, {"protocol", 1}});
    } else {
      responder.respond_ok({{"message", "shutting down"}});
    }
  });
  Outcome o = run({"version"});
  EXPECT_EQ(o.code, kExitOk);
  EXPECT_TRUE(contains(o.out, "supd 9.9.9 (protocol 1)\n")) << o.out;
  o = run({"shutdown"});
  EXPECT_EQ(o.code, kExitOk) << o.err;
  EXPECT_EQ(daemon_->requests().back().command, control::Command::Shutdown);
}

TEST_F(Verbs, UnreachableDaemonExits1AndSaysWhatToDo) {
  Outcome o = run({"start", "web"});
  EXPECT_EQ(o.code, kExitError);
  EXPECT_TRUE(contains(o.err, "is supd running?")) << o.err;
  o = run({"version"});
  EXPECT_EQ(o.code, kExitOk);  // supctl's own version is still worth printing
  EXPECT_TRUE(contains(o.out, "supd: not reachable")) << o.out;
}

TEST(Discovery, SupdSocketFromTheEnvironment) {
  ScratchDir dir;
  const std::string socket = dir.file("env.sock");
  FakeDaemon daemon(socket, answer_status);
  ASSERT_EQ(daemon.error(), "");
  const std::string config = dir.file("supd.yaml");
  std::ofstream(config) << "supd:\n  control: " << dir.file("config.sock") << "\n";
  ASSERT_EQ(setenv("SUPD_SOCKET", socket.c_str(), 1), 0);
  Outcome o = supctl({"-c", config, "status"});
  unsetenv("SUPD_SOCKET");
  EXPECT_EQ(o.code, kExitNotRunning) << o.err;  // answered by the fake: web is fatal
  EXPECT_TRUE(contains(o.out, "web   fatal")) << o.out;
}

}  // namespace
}  // namespace supd::ctl
