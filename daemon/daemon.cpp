#include "daemon/daemon.h"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

#include "config/load.h"
#include "daemon/commands.h"
#include "os/crash_handler.h"
#include "os/notify_socket.h"
#include "os/paths.h"
#include "os/process.h"
#include "os/sd_notify.h"
#include "os/user.h"

namespace supd::daemon {
namespace {

constexpr auto kHeartbeat = std::chrono::seconds(5);
// After the shutdown timeout, SIGKILL went to everything left; if even that does not
// settle (a process stuck in the kernel), supd stops waiting after this much more.
constexpr auto kKillGrace = std::chrono::seconds(5);

// The crash handler runs in a signal handler: it may only touch what this points to.
std::atomic<status::StatusWriter*> g_crash_page{nullptr};

void on_crash(const os::CrashInfo& info) noexcept {
  if (status::StatusWriter* page = g_crash_page.load()) {
    page->record_crash(info.unix_time, info.signo, info.address, "supd crashed");
  }
  os::kill_all_children_from_signal_handler();
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::size_t page_capacity(std::size_t services) {
  // Room for services added by later reloads without re-creating the page.
  return std::max<std::size_t>(256, services * 2);
}

}  // namespace

DaemonPaths resolve_paths(const config::Config& config, const std::string& config_path) {
  DaemonPaths p;
  p.config = config_path;
  p.control = config.supd.control.empty() ? os::default_control_path() : config.supd.control;
  p.status_page = config.supd.status_page.empty() ? os::default_status_page_path(p.control)
                                                  : config.supd.status_page;
  p.log_dir = config.supd.log_dir.empty() ? os::default_log_dir() : config.supd.log_dir;
  p.notify_dir = os::notify_socket_base(p.control);
  return p;
}

Daemon::Daemon(config::Config config, DaemonPaths paths)
    : config_(std::move(config)),
      paths_(std::move(paths)),
      started_(std::chrono::system_clock::now()),
      heartbeat_timer_(io_),
      shutdown_timer_(io_) {}

Daemon::~Daemon() { g_crash_page.store(nullptr); }

int Daemon::run() {
  if (!start()) return 1;
  io_.run();
  return exit_code_;
}

bool Daemon::start() {
  // The control pipe first: it is the lock that makes this the only supd for these paths.
  commands_ = std::make_unique<CommandHandler>(*this);
  control::ServerOptions server_options;
  if (!config_.supd.group.empty()) server_options.group = config_.supd.group;
  std::optional<os::GroupId> group_id;
  if (!config_.supd.group.empty()) {
    auto g = os::lookup_group(config_.supd.group);
    if (!g) {
      std::cerr << "supd: group: " << g.error().message() << "\n";
      return false;
    }
    group_id = g->gid;
  }
  server_options.authorize = [group_id](const os::PeerCredentials& peer) {
    const os::PeerCredentials self = os::own_credentials();
    if (peer.uid == 0 || peer.uid == self.uid) return true;
    if (!group_id) return false;
    if (peer.gid == static_cast<std::int64_t>(*group_id)) return true;
    return peer.uid >= 0 && os::user_in_group(static_cast<os::UserId>(peer.uid), *group_id);
  };
  server_options.log = [](control::LogLevel level, const std::string& message) {
    switch (level) {
      case control::LogLevel::Debug:
        spdlog::debug("control: {}", message);
        break;
      case control::LogLevel::Info:
        spdlog::info("control: {}", message);
        break;
      case control::LogLevel::Warn:
        spdlog::warn("control: {}", message);
        break;
    }
  };
  os::ListenOptions listen;
  listen.path = paths_.control;
  if (!config_.supd.group.empty()) listen.group = config_.supd.group;
  auto server = control::ControlServer::listen(io_, listen, *commands_, server_options);
  if (!server) {
    std::cerr << "supd: " << server.error().message() << "\n";
    spdlog::error("{}", server.error().message());
    return false;
  }
  server_ = std::move(server.value());

  std::error_code ec;
  std::filesystem::create_directories(paths_.log_dir, ec);
  if (ec) spdlog::warn("log_dir {}: {}", paths_.log_dir, ec.message());
  if (os::notify_base_is_directory(paths_.notify_dir)) {
    std::filesystem::create_directories(paths_.notify_dir, ec);
    if (ec) spdlog::warn("notify sockets {}: {}", paths_.notify_dir, ec.message());
  }
  std::filesystem::create_directories(std::filesystem::path(paths_.status_page).parent_path(), ec);

  auto page =
      status::StatusWriter::create(paths_.status_page, page_capacity(config_.services.size()));
  if (page) {
    status_.emplace(std::move(page.value()));
    status_->set_daemon_info(os::current_pid(), std::chrono::system_clock::to_time_t(started_));
    status_->heartbeat(unix_ms_now());
    if (const auto& crash = status_->previous_crash(); crash && status_->previous_run_crashed()) {
      spdlog::warn("the previous supd crashed: {} (signal {}, address {:#x})", crash->text,
                   crash->signo, crash->fault_address);
    } else if (status_->previous_run_unclean()) {
      spdlog::warn("the previous supd did not shut down cleanly");
    }
    g_crash_page.store(&*status_);
  } else {
    spdlog::warn("status page: {} (supctl status will ask over the control pipe)",
                 page.error().message());
  }
  os::install_crash_handler(2, &on_crash);

  runtime::RuntimeOptions options;
  options.log_dir = paths_.log_dir;
  options.notify_dir = paths_.notify_dir;
  auto rt = runtime::Runtime::create(io_, config_, options, status_ ? &*status_ : nullptr);
  if (!rt) {
    spdlog::error("{}", rt.error().message());
    return false;
  }
  runtime_ = std::move(rt.value());

  signals_ =
      std::make_unique<os::SignalWatcher>(io_, [this](os::ControlSignal s) { on_signal(s); });

  spdlog::info("supd {} started: {} services, control {}, status page {}", SUPD_VERSION,
               config_.services.size(), paths_.control, paths_.status_page);
  runtime_->start_all();
  if (status_) status_->set_daemon_state(status::DaemonState::Running);

  systemd_watchdog_ = os::systemd_watchdog_interval();
  os::notify_systemd("READY=1\nSTATUS=supervising " + std::to_string(config_.services.size()) +
                     " services");
  heartbeat();
  return true;
}

void Daemon::heartbeat() {
  if (status_) status_->heartbeat(unix_ms_now());
  if (runtime_) runtime_->retry_failing_logs();
  if (systemd_watchdog_) os::notify_systemd("WATCHDOG=1");
  auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(kHeartbeat);
  if (systemd_watchdog_) {
    interval = std::min(
        interval, std::chrono::duration_cast<std::chrono::milliseconds>(*systemd_watchdog_ / 2));
  }
  heartbeat_timer_.expires_after(interval);
  heartbeat_timer_.async_wait([this](std::error_code ec) {
    if (!ec) heartbeat();
  });
}

void Daemon::on_signal(os::ControlSignal signal) {
  switch (signal) {
    case os::ControlSignal::Terminate:
      shutdown("SIGTERM");
      break;
    case os::ControlSignal::Interrupt:
      shutdown("SIGINT");
      break;
    case os::ControlSignal::Reload: {
      spdlog::info("SIGHUP: reloading {}", paths_.config);
      ReloadOutcome r = reload();
      if (!r.ok) {
        spdlog::error("reload failed: {}", r.message);
        for (const std::string& d : r.details) spdlog::error("{}", d);
      }
      break;
    }
    case os::ControlSignal::ReopenLogs:
      spdlog::info("SIGUSR1: reopening service logs");
      runtime_->reopen_logs();
      break;
  }
}

void Daemon::shutdown(const std::string& reason) {
  if (shutting_down_) {
    spdlog::warn("{} again: killing every service now", reason);
    runtime_->kill_all();
    return;
  }
  shutting_down_ = true;
  spdlog::info(
      "{}: stopping every service (shutdown_timeout {}s)", reason,
      std::chrono::duration_cast<std::chrono::seconds>(config_.supd.shutdown_timeout).count());
  os::notify_systemd("STOPPING=1");
  if (status_) status_->set_daemon_state(status::DaemonState::Stopping);
  shutdown_timer_.expires_after(config_.supd.shutdown_timeout);
  shutdown_timer_.async_wait([this](std::error_code ec) {
    if (ec) return;
    spdlog::warn("shutdown_timeout passed: killing what is left");
    runtime_->kill_all();
    shutdown_timer_.expires_after(kKillGrace);
    shutdown_timer_.async_wait([this](std::error_code ec2) {
      if (ec2) return;
      spdlog::error("services still not gone {}s after SIGKILL; exiting anyway",
                    std::chrono::duration_cast<std::chrono::seconds>(kKillGrace).count());
      finish();
    });
  });
  runtime_->stop_all("shutting down", [this] { finish(); });
}

void Daemon::finish() {
  shutdown_timer_.cancel();
  heartbeat_timer_.cancel();
  server_.reset();
  signals_.reset();
  os::kill_adopted_orphans();
  if (status_) status_->set_daemon_state(status::DaemonState::Stopped);
  g_crash_page.store(nullptr);
  spdlog::info("supd stopped");
  io_.stop();
}

Daemon::ReloadOutcome Daemon::reload() {
  ReloadOutcome out;
  config::LoadResult loaded = config::load_config(paths_.config);
  if (!loaded.ok()) {
    out.config_error = true;
    out.message = paths_.config + ": " + std::to_string(loaded.diagnostics.size()) +
                  " problem(s); the running config stays in force";
    for (const config::Diagnostic& d : loaded.diagnostics) {
      out.details.push_back(config::format_diagnostic(d));
    }
    return out;
  }
  if (!(loaded.config->supd == config_.supd)) {
    spdlog::warn("reload: changes to the supd: section take effect when supd restarts");
  }
  for (const config::ServiceConfig& s : loaded.config->services) {
    auto was = std::find_if(config_.services.begin(), config_.services.end(),
                            [&](const config::ServiceConfig& old) { return old.name == s.name; });
    if (was == config_.services.end()) {
      out.added.push_back(s.name);
    } else {
      (*was == s ? out.unchanged : out.changed).push_back(s.name);
    }
  }
  for (const config::ServiceConfig& old : config_.services) {
    if (std::none_of(loaded.config->services.begin(), loaded.config->services.end(),
                     [&](const config::ServiceConfig& s) { return s.name == old.name; })) {
      out.removed.push_back(old.name);
    }
  }
  if (os::Status st = runtime_->reload(*loaded.config); !st) {
    out = ReloadOutcome{};
    out.message = st.error().message();
    return out;
  }
  config_.services = loaded.config->services;
  config_.files = loaded.config->files;
  out.ok = true;
  out.message = "reloaded " + paths_.config;
  spdlog::info("{}", out.message);
  return out;
}

}  // namespace supd::daemon
