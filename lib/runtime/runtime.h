// The hands of supd: performs the supervisor's actions on one asio::io_context (spawn,
// signal, timers, probes, notify sockets, log pumps) and feeds what happens back to it as
// events. It also keeps the status page in step with every state change.
//
// Single-threaded: everything runs on the io_context's thread. Work per event is O(1) in
// the number of services (plus the event's own dependents); an idle runtime arms no timer
// of its own, so supd sleeps until something happens.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <asio/io_context.hpp>

#include "config/model.h"
#include "os/result.h"
#include "os/signals.h"
#include "runtime/service_unit.h"
#include "status/status_writer.h"
#include "supervisor/supervisor.h"

namespace supd::runtime {

// One state change, as logs, `supctl events` and waiters see it.
struct StateChange {
  std::chrono::system_clock::time_point time;
  std::string service;
  supervisor::State from = supervisor::State::Stopped;
  supervisor::State to = supervisor::State::Stopped;
  std::int64_t pid = 0;  // 0: none
  std::string reason;
};

struct RuntimeOptions {
  std::string log_dir;     // service logs (already the platform default when unset)
  std::string notify_dir;  // where per-service NOTIFY_SOCKETs are made
  // How often a ready probe is retried until it passes.
  std::chrono::milliseconds ready_probe_interval{500};
  // While the rest of an exited child's process group is being stopped, how often to look.
  std::chrono::milliseconds group_poll_interval{50};
};

class Runtime {
 public:
  using Listener = std::function<void(const StateChange&)>;

  // `status` may be null (no status page). Nothing starts until start_all().
  static os::Result<std::unique_ptr<Runtime>> create(asio::io_context& io,
                                                     const config::Config& config,
                                                     RuntimeOptions options,
                                                     status::StatusWriter* status);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Called for every state change, in order, on the loop's thread. Returns an id for
  // remove_listener().
  std::uint64_t add_listener(Listener listener);
  void remove_listener(std::uint64_t id);

  void start_all();
  // Stops every service in reverse dependency order; `done` runs once all are at rest.
  void stop_all(const std::string& reason, std::function<void()> done);
  // SIGKILL to every service's process group, at once (a second Ctrl+C, shutdown timeout).
  void kill_all();

  // Requests by name. Unknown names are the caller's to reject (see contains()).
  void start(const std::vector<std::string>& names, const std::string& reason = {});
  void stop(const std::vector<std::string>& names, const std::string& reason = {});
  void restart(const std::vector<std::string>& names, const std::string& reason = {});
  // Sends `signal` to each named service's main process. Fails for a service with none.
  os::Status signal(const std::string& name, os::Signal signal);

  // A re-read config: new services added (and started when autostart), removed ones stopped
  // and dropped, changed ones restarted, the rest left running untouched. An error (nothing
  // changed) when the new dependencies do not form a graph.
  os::Status reload(const config::Config& config);

  // Re-opens every service log file (SIGUSR1, after an external logrotate).
  void reopen_logs();
  // Writes output held in memory because its log file could not be written (disk full...).
  // The daemon calls it on its heartbeat.
  void retry_failing_logs();

  bool contains(std::string_view name) const;
  // Every service: configured ones in start order, then those being removed.
  std::vector<std::string> names() const;
  const supervisor::Snapshot* snapshot(std::string_view name) const;
  // When the service entered its current state, in wall-clock time.
  std::chrono::system_clock::time_point since(std::string_view name) const;
  const config::ServiceConfig* service_config(std::string_view name) const;
  // The log file `supctl logs` reads; "" when that stream is not captured in a file.
  std::string log_path(std::string_view name, bool is_stderr) const;
  bool all_at_rest() const;

  asio::io_context& io() { return io_; }

 private:
  struct Pending {
    std::string service;
    supervisor::Event event;
  };

  Runtime(asio::io_context& io, supervisor::Supervisor supervisor, RuntimeOptions options,
          status::StatusWriter* status);

  ServiceUnit* unit(std::string_view name);
  void add_unit(const config::ServiceConfig& service);

  // Feeds an event; the actions it causes (and the events those cause) run before this
  // returns, in order, never re-entrantly.
  void feed(const std::string& service, supervisor::Event event);
  void apply(supervisor::Output out);
  void drain();
  void perform(const std::string& service, const supervisor::Action& action);

  void do_spawn(const std::string& service, ServiceUnit& u);
  void on_exit(const std::string& service, std::uint64_t run, const os::ExitStatus& status);
  void poll_group(const std::string& service, std::uint64_t run);
  void arm_timer(const std::string& service, ServiceUnit& u, const supervisor::ArmTimer& t);
  os::Status ensure_notify_socket(const std::string& service, ServiceUnit& u);
  void receive_notify(const std::string& service, ServiceUnit& u);
  void run_ready_probe(const std::string& service, ServiceUnit& u);
  void schedule_health_probe(const std::string& service, ServiceUnit& u,
                             std::chrono::milliseconds delay);
  void publish(const std::string& service, const supervisor::Publish& p);
  void write_status(const std::string& service, ServiceUnit& u);
  void check_stopped_all();

  asio::io_context& io_;
  supervisor::Supervisor supervisor_;
  RuntimeOptions options_;
  status::StatusWriter* status_;
  std::map<std::string, std::unique_ptr<ServiceUnit>, std::less<>> units_;
  std::map<std::string, std::chrono::system_clock::time_point, std::less<>> since_;

  std::deque<Pending> pending_;
  bool applying_ = false;

  std::map<std::uint64_t, Listener> listeners_;
  std::uint64_t next_listener_ = 1;

  std::function<void()> stopped_all_;
};

}  // namespace supd::runtime
