// One supd under test, in its own temp dir with its own config: control socket, status page,
// service logs and supd's own log all inside the dir. Started by the constructor, stopped
// (SIGTERM to the keeper, as systemd would) by stop() or the destructor.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "sys.h"

namespace supd::bench {

// `count` services named s0000, s0001, ... all running `command`.
struct ServiceSet {
  int count = 1;
  std::vector<std::string> command;
  std::string restart = "always";
  std::string start_secs = "0";
};

// Writes DIR/supd.yaml for `services` and returns its path.
std::string write_supd_config(const TempDir& dir, const ServiceSet& services);

class SupdInstance {
 public:
  SupdInstance(const std::string& supd, const TempDir& dir, const std::string& config);
  ~SupdInstance();
  SupdInstance(const SupdInstance&) = delete;
  SupdInstance& operator=(const SupdInstance&) = delete;

  pid_t keeper() const { return keeper_; }
  // The daemon process (the keeper's child), once it is up.
  pid_t daemon();
  const std::string& status_page() const { return status_page_; }
  const std::string& config() const { return config_; }

  // How many services the status page shows as running (-1: no page yet).
  int running_services();
  // Waits until `count` services are running; throws after `timeout`.
  void wait_running(int count, milliseconds timeout);
  // The restart counter of service `name` on the status page.
  std::uint32_t restarts(const std::string& name);

  // SIGTERM to the keeper and wait for it to end (SIGKILL after 60 s); milliseconds taken.
  // Throws if supd did not exit 0.
  double stop();

 private:
  std::string supd_log_tail() const;

  std::string dir_;
  std::string config_;
  std::string status_page_;
  pid_t keeper_ = -1;
  pid_t daemon_ = -1;
};

}  // namespace supd::bench
