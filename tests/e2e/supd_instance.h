// One real supd for an end-to-end test: a private directory, a config, the supd binary
// started as a shell would start it (keeper included), and ways to talk to it and watch it.
//
//   SupdInstance supd(R"(
//   services:
//     web:
//       command: ["@HELPER@", "sleep", "60"]
//   )");
//   ASSERT_TRUE(supd.start());
//   ASSERT_TRUE(supd.wait_for_state("web", "running"));
//
// In the YAML, @HELPER@ becomes the helper program's path and @DIR@ the private directory.
// The harness adds the `supd:` section (control socket, status page and log_dir inside the
// directory). On destruction it stops supd (SIGTERM, then SIGKILL), and fails the test if
// any process of supd's tree is still alive a few seconds later; supd's stderr is printed
// when the test failed, and the directory is removed when it passed.
//
// Waits poll (every 10 ms) with generous deadlines; a missed deadline is a test failure
// that says what was awaited and what was seen last.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/processes.h"
#include "status/service_status.h"
#include "status/status_reader.h"

namespace supd::e2e {

using namespace std::chrono_literals;

// Paths of the programs under test.
std::string supd_binary();
std::string helper_binary();
// supctl's path; "" when it was not built (or is not a real supctl yet).
std::string supctl_binary();

// A YAML flow sequence of the helper with `args`: ["/path/helper", "sleep", "60"].
std::string helper_command(const std::vector<std::string>& args);

// Seconds between two steady time points, for printing.
double seconds_between(std::chrono::steady_clock::time_point a,
                       std::chrono::steady_clock::time_point b);

// Prints a measured value so it shows in the test log (and in the XML report).
void report_measure(const std::string& name, const std::string& value);

// One line the helper's `stamp PATH TAG` behaviour appended.
struct Stamp {
  std::string tag;
  double unix_seconds = 0;
};
std::vector<Stamp> read_stamps(const std::string& path);
// Polls until `path` holds at least `count` stamps; what it holds then (a failure if short).
std::vector<Stamp> wait_for_stamps(const std::string& path, std::size_t count,
                                   std::chrono::milliseconds timeout = 30s);

struct SupdOptions {
  // Extra lines for the `supd:` section, each indented by two spaces ("  shutdown_timeout: 5s").
  std::string supd_extra;
  // Share another instance's directory (and so its socket and status page).
  std::string dir;
  // How long start() waits for the first answer to `ping`.
  std::chrono::milliseconds ready_timeout = 20s;
  // Extra command-line arguments for supd.
  std::vector<std::string> args;
};

// Options with extra `supd:` lines only.
inline SupdOptions with_supd_settings(std::string lines) {
  SupdOptions options;
  options.supd_extra = std::move(lines);
  return options;
}

class SupdInstance {
 public:
  explicit SupdInstance(const std::string& services_yaml, SupdOptions options = {});
  ~SupdInstance();
  SupdInstance(const SupdInstance&) = delete;
  SupdInstance& operator=(const SupdInstance&) = delete;

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& config_path() const { return config_path_; }
  std::string socket_path() const { return dir_ + "/supd.sock"; }
  std::string status_path() const { return dir_ + "/supd.status"; }
  std::string log_dir() const { return dir_ + "/log"; }
  std::string log_path(const std::string& file) const { return log_dir() + "/" + file; }
  // The SUPD_E2E_TAG of every process of this instance's tree.
  const std::string& tag() const { return tag_; }

  // Replaces the services part of the config file (for reloads). Same substitutions.
  void write_config(const std::string& services_yaml);
  // Writes the config verbatim (for broken configs).
  void write_raw_config(const std::string& text);

  // Starts supd and waits until it answers `ping`. False (and a failure) if it did not.
  bool start();
  // Starts supd and does not wait (for a supd expected to refuse to start).
  void launch();
  bool running() const { return keeper_ >= 0 && !ended_; }

  // The process the test started (the keeper) and the daemon below it.
  Pid keeper_pid() const { return keeper_; }
  Pid daemon_pid() const { return daemon_pid_; }

  // One request on a fresh connection; the whole answer ({"ok":..,"result"|"error"}), or
  // null (and a failure) when the exchange itself failed.
  nlohmann::json call(const nlohmann::json& request, std::chrono::milliseconds timeout = 60s);
  // call() that expects ok:true; the result, or null (and a failure).
  nlohmann::json call_ok(const nlohmann::json& request, std::chrono::milliseconds timeout = 60s);

  // The status page now (a failure and nullopt when it cannot be read).
  std::optional<status::Snapshot> snapshot();
  std::optional<status::ServiceStatus> service(const std::string& name);
  // Polls the status page until `predicate` holds; false (and a failure naming `what`) at
  // the deadline.
  bool wait_for(const std::function<bool(const status::Snapshot&)>& predicate,
                const std::string& what, std::chrono::milliseconds timeout = 30s);
  // Until `service` is in `state` ("running", "fatal", ...).
  bool wait_for_state(const std::string& service, const std::string& state,
                      std::chrono::milliseconds timeout = 30s);
  // Until `service` has a pid other than 0 and `not_pid`; returns it (0 on failure).
  Pid wait_for_new_pid(const std::string& service, Pid not_pid,
                       std::chrono::milliseconds timeout = 30s);

  // Signals to the keeper (as a shell or systemd would send them) or to the daemon itself.
  void signal_keeper(int signo);
  void signal_daemon(int signo);

  // Waits for supd (the keeper) to end; nullopt (and a failure) at the deadline.
  std::optional<Ending> wait_exit(std::chrono::milliseconds timeout = 60s);
  // SIGTERM, then expects a clean exit 0 within `timeout`.
  bool stop(std::chrono::milliseconds timeout = 60s);

  // supd's stderr so far (its log).
  std::string stderr_text() const;
  // Polls supd's stderr until it contains `needle`.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout = 30s);
  // Runs supctl -c <config> ARGS... to completion (supctl_binary() must not be empty).
  RunResult supctl(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 60s);

  // Every process of this instance's tree that is alive now (keeper and daemon included).
  std::vector<Pid> tree() const { return tagged_processes(tag_); }

 private:
  std::string expand(const std::string& yaml) const;
  void kill_everything();

  SupdOptions options_;
  bool owns_dir_ = true;
  std::string dir_;
  std::string config_path_;
  std::string tag_;
  std::string stderr_path_;
  Pid keeper_ = -1;
  Pid daemon_pid_ = -1;
  bool ended_ = false;
  std::optional<status::StatusReader> reader_;
};

}  // namespace supd::e2e
