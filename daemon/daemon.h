// supd as a whole: loads nothing itself (main does), wires the runtime, the control server,
// the status page, signals and systemd together on one io_context, and runs until shut down.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "config/model.h"
#include "control/server.h"
#include "os/signals.h"
#include "runtime/runtime.h"
#include "status/status_writer.h"

namespace supd::daemon {

class CommandHandler;

// Where supd's files go, after defaults were applied to the config.
struct DaemonPaths {
  std::string config;  // the config file, for reload
  std::string control;
  std::string status_page;
  std::string log_dir;
  std::string notify_dir;
};

DaemonPaths resolve_paths(const config::Config& config, const std::string& config_path);

class Daemon {
 public:
  Daemon(config::Config config, DaemonPaths paths);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until shutdown. Returns the process exit code: 0 after a clean shutdown, 1 when
  // start-up failed (the reason is logged: another supd running, a path not writable...).
  int run();

  // Stops every service in reverse dependency order within shutdown_timeout, then returns
  // from run(). A second call (a second Ctrl+C) kills what is left at once.
  void shutdown(const std::string& reason);
  // Re-reads the config file. Bad config: the running config stays untouched and the
  // problems come back (formatted, one per line) for the caller to show.
  struct ReloadOutcome {
    bool ok = false;
    bool config_error = false;
    std::string message;
    std::vector<std::string> details;
    // On success, the services by what the reload did to them (FORMAT.md, `reload`).
    std::vector<std::string> added, removed, changed, unchanged;
  };
  ReloadOutcome reload();

  runtime::Runtime& runtime() { return *runtime_; }
  std::chrono::system_clock::time_point started() const { return started_; }
  const DaemonPaths& paths() const { return paths_; }

 private:
  bool start();
  void on_signal(os::ControlSignal signal);
  void heartbeat();
  void finish();

  asio::io_context io_;
  config::Config config_;
  DaemonPaths paths_;
  std::chrono::system_clock::time_point started_;
  std::optional<status::StatusWriter> status_;
  std::unique_ptr<runtime::Runtime> runtime_;
  std::unique_ptr<CommandHandler> commands_;
  std::unique_ptr<control::ControlServer> server_;
  std::unique_ptr<os::SignalWatcher> signals_;
  asio::steady_timer heartbeat_timer_;
  asio::steady_timer shutdown_timer_;
  std::optional<std::chrono::microseconds> systemd_watchdog_;
  bool shutting_down_ = false;
  int exit_code_ = 0;
};

}  // namespace supd::daemon
