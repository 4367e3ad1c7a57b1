// Every verb of the control protocol against the real daemon (lib/control/FORMAT.md).
#include <signal.h>

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "control/client.h"
#include "e2e/event_log.h"
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
    command: ["@HELPER@", "sleep", "60"]
    autostart: false
    start_secs: 1500ms
  stubborn:
    command: ["@HELPER@", "ignore-term"]
    start_secs: 100ms
    stop_timeout: 500ms
  talker:
    command: ["@HELPER@", "write-pattern", "stdout", "100", "eprint", "to stderr",
              "print", "before go", "wait-file", "@DIR@/go", "print", "after go", "sleep", "60"]
    start_secs: 100ms
)";

class Control : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(supd_.start());
    for (const char* name : {"web", "stubborn", "talker"}) {
      ASSERT_TRUE(supd_.wait_for_state(name, "running"));
    }
  }

  json error_of(const json& request) {
    json answer = supd_.call(request);
    EXPECT_FALSE(answer.value("ok", true)) << request.dump() << " -> " << answer.dump();
    return answer.is_object() && answer.contains("error") ? answer["error"] : json();
  }

  SupdInstance supd_{kServices};
};

const json* find_service(const json& services, const std::string& name) {
  for (const json& s : services) {
    if (s.value("name", "") == name) return &s;
  }
  return nullptr;
}

TEST_F(Control, PingAndVersion) {
  EXPECT_EQ(supd_.call_ok({{"cmd", "ping"}}), json({{"pong", true}}));
  json version = supd_.call_ok({{"cmd", "version"}});
  EXPECT_EQ(version["version"], SUPD_VERSION);
  EXPECT_EQ(version["protocol"], 1);
}

TEST_F(Control, StatusAnswersTheShapeSupctlPrints) {
  json status = supd_.call_ok({{"cmd", "status"}});
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["daemon"]["pid"], supd_.daemon_pid());
  EXPECT_EQ(status["daemon"]["state"], "running");
  EXPECT_TRUE(status["daemon"]["since"].is_number());
  ASSERT_EQ(status["services"].size(), 4u) << status.dump();
  const json* web = find_service(status["services"], "web");
  ASSERT_NE(web, nullptr);
  for (const char* key : {"name", "state", "pid", "since", "restarts", "last_exit", "exit_code",
                          "signal", "health"}) {
    EXPECT_TRUE(web->contains(key)) << key << " missing in " << web->dump();
  }
  EXPECT_EQ((*web)["state"], "running");
  EXPECT_EQ((*web)["pid"], supd_.service("web")->pid);
  EXPECT_EQ((*web)["restarts"], 0);
  EXPECT_EQ((*web)["last_exit"], "");
  EXPECT_TRUE((*web)["exit_code"].is_null());
  EXPECT_TRUE((*web)["signal"].is_null());
  EXPECT_TRUE((*web)["health"].is_null());
  const json* slow = find_service(status["services"], "slow");
  ASSERT_NE(slow, nullptr);
  EXPECT_EQ((*slow)["state"], "stopped");
  EXPECT_TRUE((*slow)["pid"].is_null());

  json one = supd_.call_ok({{"cmd", "status"}, {"names", {"slow"}}});
  ASSERT_EQ(one["services"].size(), 1u);
  EXPECT_EQ(one["services"][0]["name"], "slow");
}

TEST_F(Control, UnknownServiceIsNoSuchServiceWithDidYouMean) {
  for (const char* cmd : {"status", "start", "stop", "restart"}) {
    json error = error_of({{"cmd", cmd}, {"names", {"wbe"}}});
    EXPECT_EQ(error["code"], "no_such_service") << cmd;
    EXPECT_EQ(error["did_you_mean"], "web") << cmd;
  }
  json error = error_of({{"cmd", "signal"}, {"names", {"stubbor"}}, {"signal", "HUP"}});
  EXPECT_EQ(error["code"], "no_such_service");
  EXPECT_EQ(error["did_you_mean"], "stubborn");
  error = error_of({{"cmd", "logs"}, {"names", {"talkr"}}});
  EXPECT_EQ(error["code"], "no_such_service");
  EXPECT_EQ(error["did_you_mean"], "talker");
  error = error_of({{"cmd", "wait"}, {"names", {"slw"}}, {"state", "running"}});
  EXPECT_EQ(error["code"], "no_such_service");
  EXPECT_EQ(error["did_you_mean"], "slow");
  error = error_of({{"cmd", "stop"}, {"names", {"zzzzzzzz"}}});
  EXPECT_EQ(error["code"], "no_such_service");
  EXPECT_FALSE(error.contains("did_you_mean")) << error.dump();
}

TEST_F(Control, MalformedRequestsAreAnsweredWithTheirError) {
  json error = error_of({{"cmd", "strat"}, {"names", {"web"}}});
  EXPECT_EQ(error["code"], "unknown_command");
  EXPECT_EQ(error["did_you_mean"], "start");
  error = error_of({{"cmd", "status"}, {"colour", true}});
  EXPECT_EQ(error["code"], "bad_request");
  EXPECT_NE(error["message"].get<std::string>().find("colour"), std::string::npos);
  error = error_of({{"v", 2}, {"cmd", "status"}});
  EXPECT_EQ(error["code"], "unsupported_version");
  error = error_of({{"cmd", "wait"}, {"names", {"web"}}, {"state", "sleeping"}});
  EXPECT_EQ(error["code"], "bad_request");
}

TEST_F(Control, StartWaitsForRunningAndNoWaitAnswersAtOnce) {
  const auto before = Clock::now();
  json started = supd_.call_ok({{"cmd", "start"}, {"names", {"slow"}}});
  const double took = seconds_between(before, Clock::now());
  ASSERT_FALSE(started.is_null());
  EXPECT_EQ(started["services"][0]["state"], "running");
  EXPECT_GE(took, 1.4) << "answered before start_secs passed";
  report_measure("start with wait, start_secs 1.5s (s)", std::to_string(took));

  ASSERT_FALSE(supd_.call_ok({{"cmd", "stop"}, {"names", {"slow"}}}).is_null());
  json no_wait = supd_.call_ok({{"cmd", "start"}, {"names", {"slow"}}, {"wait", false}});
  ASSERT_FALSE(no_wait.is_null());
  EXPECT_EQ(no_wait["services"][0]["state"], "starting");
  json waited = supd_.call_ok({{"cmd", "wait"}, {"names", {"slow"}}, {"state", "running"}});
  ASSERT_FALSE(waited.is_null());
  EXPECT_EQ(waited["services"][0]["state"], "running");
}

TEST_F(Control, StartAndWaitTimeOut) {
  json error = error_of({{"cmd", "start"}, {"names", {"slow"}}, {"timeout_ms", 200}});
  EXPECT_EQ(error["code"], "timeout");
  EXPECT_NE(error["message"].get<std::string>().find("slow is starting"), std::string::npos)
      << error.dump();
  error =
      error_of({{"cmd", "wait"}, {"names", {"web"}}, {"state", "stopped"}, {"timeout_ms", 200}});
  EXPECT_EQ(error["code"], "timeout");
}

TEST_F(Control, StopWaitsForRestAndNoWaitAnswersAtOnce) {
  json no_wait = supd_.call_ok({{"cmd", "stop"}, {"names", {"stubborn"}}, {"wait", false}});
  ASSERT_FALSE(no_wait.is_null());
  EXPECT_EQ(no_wait["services"][0]["state"], "stopping");
  json waited = supd_.call_ok({{"cmd", "wait"}, {"names", {"stubborn"}}, {"state", "stopped"}});
  ASSERT_FALSE(waited.is_null());
  EXPECT_EQ(supd_.service("stubborn")->last_exit, "killed by SIGKILL after stop timeout");

  json stopped = supd_.call_ok({{"cmd", "stop"}, {"names", {"web"}}});
  ASSERT_FALSE(stopped.is_null());
  EXPECT_EQ(stopped["services"][0]["state"], "stopped");
  EXPECT_TRUE(stopped["services"][0]["pid"].is_null());
}

TEST_F(Control, RestartGivesANewProcess) {
  const Pid before = supd_.service("web")->pid;
  json restarted = supd_.call_ok({{"cmd", "restart"}, {"names", {"web"}}});
  ASSERT_FALSE(restarted.is_null());
  EXPECT_EQ(restarted["services"][0]["state"], "running");
  EXPECT_NE(restarted["services"][0]["pid"], before);
  EXPECT_FALSE(process_alive(before));
  // Restarts by request are not counted as restarts.
  EXPECT_EQ(supd_.service("web")->restarts, 0u);

  json all = supd_.call_ok({{"cmd", "restart"}, {"names", {"all"}}, {"wait", false}});
  ASSERT_FALSE(all.is_null());
  EXPECT_EQ(all["services"].size(), 4u);
}

TEST_F(Control, SignalGoesToTheMainProcess) {
  const Pid before = supd_.service("web")->pid;
  json signalled = supd_.call_ok({{"cmd", "signal"}, {"names", {"web"}}, {"signal", "term"}});
  ASSERT_FALSE(signalled.is_null());
  const Pid after = supd_.wait_for_new_pid("web", before);
  ASSERT_NE(after, 0);
  auto s = supd_.service("web");
  EXPECT_EQ(s->last_exit, "killed by SIGTERM");
  EXPECT_EQ(s->signal, "SIGTERM");
  EXPECT_EQ(s->restarts, 1u);

  // A signal the helper ignores leaves it be.
  const Pid stubborn = supd_.service("stubborn")->pid;
  ASSERT_FALSE(
      supd_.call_ok({{"cmd", "signal"}, {"names", {"stubborn"}}, {"signal", "SIGTERM"}}).is_null());
  EXPECT_EQ(supd_.service("stubborn")->pid, stubborn);

  json error = error_of({{"cmd", "signal"}, {"names", {"slow"}}, {"signal", "HUP"}});
  EXPECT_EQ(error["code"], "failed");
  EXPECT_NE(error["message"].get<std::string>().find("slow has no running process"),
            std::string::npos)
      << error.dump();
  error = error_of({{"cmd", "signal"}, {"names", {"web"}}, {"signal", "SIGNOPE"}});
  EXPECT_EQ(error["code"], "bad_request");
}

// Lines from a `logs` answer, whichever way the daemon sends them: as event lines before
// the final answer, or as a list in the result.
std::vector<std::string> log_lines(SupdInstance& supd, const json& request) {
  std::vector<std::string> lines;
  auto client = control::ControlClient::connect(supd.socket_path());
  if (!client) {
    ADD_FAILURE() << client.error().message();
    return lines;
  }
  auto answer = client->stream(
      request,
      [&](const json& event) {
        lines.push_back(event.value("line", ""));
        return true;
      },
      std::chrono::seconds(30));
  if (!answer || !answer->value("ok", false)) {
    ADD_FAILURE() << request.dump() << ": " << (answer ? answer->dump() : answer.error().message());
    return lines;
  }
  if ((*answer)["result"].contains("lines")) {
    for (const json& l : (*answer)["result"]["lines"]) lines.push_back(l.get<std::string>());
  }
  return lines;
}

std::string pattern_line(const std::string& stream, long n) {
  char prefix[40];
  std::snprintf(prefix, sizeof prefix, "%s %010ld ", stream.c_str(), n);
  std::string line(prefix);
  line.resize(63, 'x');
  return line;
}

TEST_F(Control, LogsGivesTheLastLines) {
  std::vector<std::string> lines =
      log_lines(supd_, {{"cmd", "logs"}, {"names", {"talker"}}, {"lines", 3}});
  std::vector<std::string> expected = {pattern_line("stdout", 99), pattern_line("stdout", 100),
                                       "before go"};
  EXPECT_EQ(lines, expected);
  lines = log_lines(supd_, {{"cmd", "logs"}, {"names", {"talker"}}, {"lines", 1000}});
  ASSERT_EQ(lines.size(), 101u);
  EXPECT_EQ(lines[0], pattern_line("stdout", 1));
  lines = log_lines(supd_, {{"cmd", "logs"}, {"names", {"talker"}}});  // default: 50
  EXPECT_EQ(lines.size(), 50u);
  lines = log_lines(supd_, {{"cmd", "logs"}, {"names", {"talker"}}, {"stream", "stderr"}});
  EXPECT_EQ(lines, std::vector<std::string>{"to stderr"});
}

TEST_F(Control, LogsFollowStreamsNewLines) {
  auto client = control::ControlClient::connect(supd_.socket_path());
  ASSERT_TRUE(client);
  std::vector<std::string> lines;
  bool released = false;
  auto answer = client->stream(
      {{"cmd", "logs"}, {"names", {"talker"}}, {"lines", 1}, {"follow", true}},
      [&](const json& event) {
        lines.push_back(event.value("line", ""));
        if (!released) {
          released = true;
          write_file(supd_.path("go"), "");
        }
        return lines.size() < 2;
      },
      std::chrono::seconds(30));
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_TRUE(answer->is_null()) << "the stream ended before the client left: " << answer->dump();
  EXPECT_EQ(lines, (std::vector<std::string>{"before go", "after go"}));
}

TEST_F(Control, EventsStreamStateChanges) {
  EventLog events(supd_.socket_path(), {"web"});
  ASSERT_FALSE(supd_.call_ok({{"cmd", "restart"}, {"names", {"web"}}}).is_null());
  const StateEvent running = events.wait_for_transition("web", "running");
  const auto all = events.events();
  ASSERT_GE(all.size(), 3u) << events.dump();
  EXPECT_EQ(all[0].from, "running");
  EXPECT_EQ(all[0].to, "stopping");
  EXPECT_EQ(all[0].reason, "restart requested");
  EXPECT_NE(running.pid, 0);
  EXPECT_GT(running.time, 1.0e9);
  for (const StateEvent& e : all) EXPECT_EQ(e.service, "web");
}

TEST_F(Control, ReloadWithBadConfigIsAConfigErrorAndChangesNothing) {
  const Pid web = supd_.service("web")->pid;
  supd_.write_config(R"(
services:
  web:
    command: ["@HELPER@", "sleep", "60"]
    restart: sometimes
)");
  json error = error_of({{"cmd", "reload"}});
  EXPECT_EQ(error["code"], "config_error");
  ASSERT_TRUE(error["details"].is_array()) << error.dump();
  ASSERT_EQ(error["details"].size(), 1u) << error.dump();
  // file:line:col: key: what is wrong
  const std::string detail = error["details"][0];
  EXPECT_NE(detail.find(supd_.config_path() + ":"), std::string::npos) << detail;
  // The position of the offending value.
  const std::string text = read_file(supd_.config_path());
  const std::size_t at = text.find("sometimes");
  const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
  const long column = static_cast<long>(at - text.rfind('\n', at));
  EXPECT_NE(detail.find(supd_.config_path() + ":" + std::to_string(line) + ":" +
                        std::to_string(column) + ":"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find("services.web.restart"), std::string::npos) << detail;
  EXPECT_NE(detail.find("sometimes"), std::string::npos) << detail;

  json status = supd_.call_ok({{"cmd", "status"}});
  EXPECT_EQ(status["services"].size(), 4u);
  EXPECT_EQ(supd_.service("web")->pid, web);
  for (const char* name : {"web", "stubborn", "talker"}) {
    EXPECT_EQ(status::state_name(supd_.service(name)->state), std::string("running")) << name;
  }
}

TEST_F(Control, ReloadSaysWhatChanged) {
  const Pid talker = supd_.service("talker")->pid;
  supd_.write_config(R"(
services:
  web:
    command: ["@HELPER@", "print", "web up", "sleep", "60"]
    start_secs: 100ms
    env: {CHANGED: "yes"}
  stubborn:
    command: ["@HELPER@", "ignore-term"]
    start_secs: 100ms
    stop_timeout: 500ms
  talker:
    command: ["@HELPER@", "write-pattern", "stdout", "100", "eprint", "to stderr",
              "print", "before go", "wait-file", "@DIR@/go", "print", "after go", "sleep", "60"]
    start_secs: 100ms
  extra:
    command: ["@HELPER@", "sleep", "60"]
    start_secs: 100ms
)");
  json result = supd_.call_ok({{"cmd", "reload"}});
  ASSERT_FALSE(result.is_null());
  EXPECT_EQ(result["added"], json({"extra"})) << result.dump();
  EXPECT_EQ(result["removed"], json({"slow"})) << result.dump();
  EXPECT_EQ(result["changed"], json({"web"})) << result.dump();
  EXPECT_EQ(result["unchanged"], json({"stubborn", "talker"})) << result.dump();
  ASSERT_TRUE(supd_.wait_for_state("extra", "running"));
  EXPECT_EQ(supd_.service("talker")->pid, talker);
}

TEST_F(Control, ShutdownStopsEverythingAndExits0) {
  const auto tree = supd_.tree();
  json result = supd_.call_ok({{"cmd", "shutdown"}});
  ASSERT_FALSE(result.is_null());
  auto ending = supd_.wait_exit();
  ASSERT_TRUE(ending);
  EXPECT_FALSE(ending->signaled) << ending->describe();
  EXPECT_EQ(ending->code, 0);
  EXPECT_TRUE(wait_all_dead(tree, 5s));
}

}  // namespace
}  // namespace supd::e2e
