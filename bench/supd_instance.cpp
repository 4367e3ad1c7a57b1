#include "supd_instance.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>

#include "status/status_reader.h"

namespace supd::bench {
namespace {

// A YAML flow sequence of double-quoted strings.
std::string yaml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += "\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\"";
  }
  return out + "]";
}

std::string service_name(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "s%04d", i);
  return name;
}

std::optional<status::Snapshot> read_page(const std::string& path) {
  status::ReaderOptions options;
  auto reader = status::StatusReader::open(path, options);
  if (!reader) return std::nullopt;
  auto snap = reader->read();
  if (!snap) return std::nullopt;
  return std::move(*snap);
}

}  // namespace

std::string write_supd_config(const TempDir& dir, const ServiceSet& services) {
  std::string y;
  y += "supd:\n";
  y += "  control: " + dir.file("supd.sock") + "\n";
  y += "  status_page: " + dir.file("supd.status") + "\n";
  y += "  log_dir: " + dir.file("log") + "\n";
  y += "  log_file: " + dir.file("supd.log") + "\n";
  y += "  shutdown_timeout: 30s\n";
  y += "services:\n";
  const std::string command = yaml_list(services.command);
  for (int i = 0; i < services.count; ++i) {
    y += "  " + service_name(i) + ":\n";
    y += "    command: " + command + "\n";
    y += "    restart: " + services.restart + "\n";
    y += "    start_secs: " + services.start_secs + "\n";
    y += "    max_restarts: 1000000\n";
  }
  std::string path = dir.file("supd.yaml");
  write_file(path, y, 0644);
  return path;
}

SupdInstance::SupdInstance(const std::string& supd, const TempDir& dir, const std::string& config)
    : dir_(dir.path()), config_(config), status_page_(dir.file("supd.status")) {
  SpawnOptions options;
  options.stdout_path = dir.file("supd.stdout");
  options.stderr_path = dir.file("supd.stdout");
  keeper_ = spawn({supd, "-c", config}, options);
}

SupdInstance::~SupdInstance() {
  if (keeper_ > 0) {
    try {
      stop();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench: stopping supd: %s\n", e.what());
    }
  }
}

pid_t SupdInstance::daemon() {
  if (daemon_ > 0) return daemon_;
  // The keeper's one child is the daemon (services are the daemon's children). The status
  // page could still hold the pid of an earlier supd on the same dir.
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    check_interrupted();
    if (std::vector<pid_t> kids = children_of(keeper_); kids.size() == 1) {
      daemon_ = kids.front();
      return daemon_;
    }
    if (auto st = wait_exit(keeper_, milliseconds(0))) {
      keeper_ = -1;
      throw std::runtime_error("supd " + describe_wait_status(*st) + ": " + supd_log_tail());
    }
    sleep_for(milliseconds(5));
  }
  throw std::runtime_error("supd's keeper has no single daemon child after 30 s");
}

int SupdInstance::running_services() {
  auto snap = read_page(status_page_);
  if (!snap) return -1;
  int running = 0;
  for (const status::ServiceStatus& s : snap->services) {
    if (s.state == status::ServiceState::Running) ++running;
  }
  return running;
}

void SupdInstance::wait_running(int count, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  int running = -1;
  while (Clock::now() < deadline) {
    check_interrupted();
    running = running_services();
    if (running >= count) return;
    if (auto st = wait_exit(keeper_, milliseconds(0))) {
      keeper_ = -1;
      throw std::runtime_error("supd " + describe_wait_status(*st) + ": " + supd_log_tail());
    }
    sleep_for(milliseconds(2));
  }
  throw std::runtime_error(std::to_string(running) + " of " + std::to_string(count) +
                           " services running after " + std::to_string(timeout.count()) + " ms");
}

std::uint32_t SupdInstance::restarts(const std::string& name) {
  auto snap = read_page(status_page_);
  if (!snap) throw std::runtime_error("cannot read the status page " + status_page_);
  for (const status::ServiceStatus& s : snap->services) {
    if (s.name == name) return s.restarts;
  }
  throw std::runtime_error("no service " + name + " on the status page");
}

double SupdInstance::stop() {
  if (keeper_ <= 0) return 0;
  const pid_t keeper = keeper_;
  keeper_ = -1;
  const auto start = Clock::now();
  ::kill(keeper, SIGTERM);
  std::optional<int> st = wait_exit(keeper, std::chrono::seconds(60));
  const double ms = ms_between(start, Clock::now());
  if (!st) {
    kill_and_reap(keeper);
    throw std::runtime_error("supd did not stop within 60 s of SIGTERM; killed it");
  }
  if (!WIFEXITED(*st) || WEXITSTATUS(*st) != 0) {
    throw std::runtime_error("supd " + describe_wait_status(*st) +
                             " on SIGTERM: " + supd_log_tail());
  }
  return ms;
}

std::string SupdInstance::supd_log_tail() const {
  std::string text = read_file(dir_ + "/supd.stdout") + read_file(dir_ + "/supd.log");
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  return text.empty() ? "(no output)" : text;
}

}  // namespace supd::bench
