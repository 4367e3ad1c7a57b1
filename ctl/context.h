// What every command gets: the global options, the output streams, where supd is, and a way
// to talk to it that turns every failure into a message saying what to do and an exit code.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "control/client.h"
#include "control/protocol.h"
#include "ctl/discovery.h"

namespace supd::ctl {

struct GlobalOptions {
  std::string config;       // -c FILE; "" = the default config
  std::string socket;       // --socket PATH
  std::string status_page;  // --status-page PATH
  bool json = false;        // --json
};

// How long supctl waits for an answer that should come at once.
inline constexpr std::chrono::milliseconds kAnswerTimeout{10000};
// Extra time for an answer after the daemon's own deadline (start --timeout, wait --timeout).
inline constexpr std::chrono::milliseconds kAnswerMargin{5000};

class Context {
 public:
  Context(GlobalOptions options, std::ostream& out, std::ostream& err, bool colour)
      : options_(std::move(options)), out_(out), err_(err), colour_(colour) {}

  const GlobalOptions& options() const { return options_; }
  bool json() const { return options_.json; }
  bool colour() const { return colour_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // "supctl: <text>" on stderr.
  void error(std::string_view text);
  void warn(std::string_view text);

  // Finds the daemon, once; prints the config's warnings. False after printing why it could
  // not (a config named with -c that is not there): exit kExitUsage.
  bool discover();
  // After a successful discover().
  const Endpoints& endpoints() const { return discovery_.endpoints; }
  const std::string& config_path() const { return discovery_.config_path; }

  // Connects to supd. nullopt after printing why not ("no supd listening at X (is supd
  // running?)", "permission denied on X (run as root or join group G)").
  std::optional<control::ControlClient> connect(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // One request, one answer: connects, sends, and on success hands the result to `on_ok`,
  // whose return value is the exit code. Failures are printed: the connection (1), the
  // daemon's error (its message, with details; exit per exit_code_for()).
  int call(const nlohmann::json& request, std::chrono::milliseconds timeout,
           const std::function<int(const nlohmann::json& result)>& on_ok);

  // A stream (events, logs -f): every event goes to `on_event` (false: stop) until the
  // daemon ends the stream or the client leaves. Same failures and exit codes as call().
  int stream(const nlohmann::json& request,
             const std::function<bool(const nlohmann::json& event)>& on_event);

  // Prints a daemon's error and returns its exit code.
  int report(const control::ControlError& error);

 private:
  int finish(const os::Result<nlohmann::json>& raw,
             const std::function<int(const nlohmann::json& result)>& on_ok);

  GlobalOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  bool colour_ = false;
  bool discovered_ = false;
  Discovery discovery_;
};

}  // namespace supd::ctl
