#include "runtime/runtime.h"

#include <set>
#include <utility>

#include <asio/post.hpp>
#include <spdlog/spdlog.h>

#include "runtime/mapping.h"
#include "supervisor/overloaded.h"

namespace supd::runtime {
namespace {

supervisor::TimePoint now() { return supervisor::Clock::now(); }

std::vector<supervisor::ServiceSpec> specs_of(const config::Config& config) {
  std::vector<supervisor::ServiceSpec> specs;
  specs.reserve(config.services.size());
  for (const config::ServiceConfig& s : config.services) specs.push_back({s.name, to_policy(s)});
  return specs;
}

// Whether a notify datagram came from the service: its main process, or a process in the
// session it leads. The socket may be reachable by anyone (an abstract name), so the
// sender's pid is what counts. A sender already gone cannot be told apart and is believed:
// a shell script's `systemd-notify --ready` exits right after sending. -1: the platform
// does not say; the socket is the service's.
bool sent_by_service(const ServiceUnit& u, std::int64_t sender) {
  if (sender < 0) return true;
  if (!u.child) return false;
  const os::Pid main = u.child->pid();
  if (sender == main) return true;
  const std::optional<os::Pid> session = os::session_of(sender);
  return !session || *session == main;
}

bool has_field(const os::NotifyMessage& m, std::string_view key, std::string_view value) {
  auto v = m.get(key);
  return v && *v == value;
}

}  // namespace

os::Result<std::unique_ptr<Runtime>> Runtime::create(asio::io_context& io,
                                                     const config::Config& config,
                                                     RuntimeOptions options,
                                                     status::StatusWriter* status) {
  std::string error;
  auto sup = supervisor::Supervisor::create(specs_of(config), now(), &error);
  if (!sup) return os::Error{{}, "services: " + error};
  std::unique_ptr<Runtime> rt(new Runtime(io, std::move(*sup), std::move(options), status));
  for (const config::ServiceConfig& s : config.services) rt->add_unit(s);
  return rt;
}

Runtime::Runtime(asio::io_context& io, supervisor::Supervisor supervisor, RuntimeOptions options,
                 status::StatusWriter* status)
    : io_(io), supervisor_(std::move(supervisor)), options_(std::move(options)), status_(status) {}

Runtime::~Runtime() = default;

std::uint64_t Runtime::add_listener(Listener listener) {
  const std::uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void Runtime::remove_listener(std::uint64_t id) { listeners_.erase(id); }

void Runtime::add_unit(const config::ServiceConfig& service) {
  auto u = std::make_unique<ServiceUnit>(io_, service, options_.log_dir);
  if (status_ != nullptr) {
    u->status_slot = status_->add_or_find(service.name);
    if (u->status_slot < 0) spdlog::warn("{}: no room on the status page", service.name);
  }
  since_[service.name] = std::chrono::system_clock::now();
  ServiceUnit& ref = *u;
  units_[service.name] = std::move(u);
  write_status(service.name, ref);
}

ServiceUnit* Runtime::unit(std::string_view name) {
  auto it = units_.find(name);
  return it == units_.end() ? nullptr : it->second.get();
}

// --- Requests ---------------------------------------------------------------------------

void Runtime::start_all() { apply(supervisor_.start_all(now())); }

void Runtime::stop_all(const std::string& reason, std::function<void()> done) {
  stopped_all_ = std::move(done);
  apply(supervisor_.stop_all(now(), reason));
  check_stopped_all();
}

void Runtime::kill_all() {
  for (auto& [name, u] : units_) {
    if (!u->child) continue;
    if (os::Status st = u->child->signal_group(os::Signal::Kill); !st) {
      spdlog::warn("{}: {}", name, st.error().message());
    }
  }
}

void Runtime::start(const std::vector<std::string>& names, const std::string& reason) {
  apply(supervisor_.start(names, now(), reason));
}

void Runtime::stop(const std::vector<std::string>& names, const std::string& reason) {
  apply(supervisor_.stop(names, now(), reason));
}

void Runtime::restart(const std::vector<std::string>& names, const std::string& reason) {
  apply(supervisor_.restart(names, now(), reason));
}

os::Status Runtime::signal(const std::string& name, os::Signal sig) {
  ServiceUnit* u = unit(name);
  const supervisor::Snapshot* snap = supervisor_.snapshot(name);
  if (u == nullptr || snap == nullptr) return os::Error{{}, "no such service: " + name};
  if (!u->child || !snap->pid) return os::Error{{}, name + " has no running process"};
  return u->child->send_signal(sig);
}

os::Status Runtime::reload(const config::Config& config) {
  std::vector<std::string> changed;
  for (const config::ServiceConfig& s : config.services) {
    const ServiceUnit* u = unit(s.name);
    if (u != nullptr && !(u->config == s)) changed.push_back(s.name);
  }
  std::string error;
  auto out = supervisor_.reload(specs_of(config), changed, now(), &error);
  if (!out) return os::Error{{}, "services: " + error};
  for (const config::ServiceConfig& s : config.services) {
    if (ServiceUnit* u = unit(s.name)) {
      if (!(u->config == s)) u->reconfigure(s, options_.log_dir);
    } else {
      add_unit(s);
    }
  }
  apply(std::move(*out));
  return {};
}

void Runtime::reopen_logs() {
  for (auto& [name, u] : units_) {
    if (os::Status st = u->output->reopen(); !st) {
      spdlog::warn("{}: reopening logs: {}", name, st.error().message());
    }
  }
}

void Runtime::retry_failing_logs() {
  for (auto& [name, u] : units_) {
    if (!u->output->failing()) continue;
    if (os::Status st = u->output->retry(); !st) {
      spdlog::warn("{}: log output held in memory: {}", name, st.error().message());
    }
  }
}

// --- Queries ----------------------------------------------------------------------------

bool Runtime::contains(std::string_view name) const { return supervisor_.contains(name); }
std::vector<std::string> Runtime::names() const { return supervisor_.names(); }
bool Runtime::all_at_rest() const { return supervisor_.all_at_rest(); }

const supervisor::Snapshot* Runtime::snapshot(std::string_view name) const {
  return supervisor_.snapshot(name);
}

std::chrono::system_clock::time_point Runtime::since(std::string_view name) const {
  auto it = since_.find(name);
  return it == since_.end() ? std::chrono::system_clock::time_point{} : it->second;
}

const config::ServiceConfig* Runtime::service_config(std::string_view name) const {
  auto it = units_.find(name);
  return it == units_.end() ? nullptr : &it->second->config;
}

std::string Runtime::log_path(std::string_view name, bool is_stderr) const {
  auto it = units_.find(name);
  return it == units_.end() ? std::string() : it->second->output->log_path(is_stderr);
}

// --- The loop between supervisor and OS ---------------------------------------------------

void Runtime::feed(const std::string& service, supervisor::Event event) {
  pending_.push_back({service, std::move(event)});
  if (!applying_) apply({});
}

void Runtime::apply(supervisor::Output out) {
  const bool outermost = !applying_;
  applying_ = true;
  std::set<std::string> touched;
  auto run = [&](supervisor::Output& o) {
    for (const std::string& note : o.notes) spdlog::debug("{}", note);
    for (const supervisor::ServiceAction& a : o.actions) {
      touched.insert(a.service);
      perform(a.service, a.action);
    }
    for (const std::string& name : o.removed) {
      touched.erase(name);
      units_.erase(name);
      since_.erase(name);
      if (status_ != nullptr) status_->remove(name);
      spdlog::info("{}: removed", name);
    }
  };
  run(out);
  if (!outermost) return;
  while (!pending_.empty()) {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    touched.insert(p.service);
    supervisor::Output next = supervisor_.handle(p.service, p.event, now());
    run(next);
  }
  applying_ = false;
  // Counters and health change without a state change: refresh what this batch touched.
  for (const std::string& name : touched) {
    if (ServiceUnit* u = unit(name)) write_status(name, *u);
  }
  check_stopped_all();
}

void Runtime::perform(const std::string& service, const supervisor::Action& action) {
  ServiceUnit* u = unit(service);
  if (u == nullptr) return;
  std::visit(supervisor::Overloaded{
                 [&](const supervisor::Spawn&) { do_spawn(service, *u); },
                 [&](const supervisor::SignalGroup& a) {
                   if (!u->child) return;
                   if (os::Status st = u->child->signal_group(to_os_signal(a.signal)); !st) {
                     spdlog::warn("{}: {}", service, st.error().message());
                   }
                 },
                 [&](const supervisor::KillGroup&) {
                   if (!u->child) return;
                   if (os::Status st = u->child->signal_group(os::Signal::Kill); !st) {
                     spdlog::warn("{}: {}", service, st.error().message());
                   }
                 },
                 [&](const supervisor::ArmTimer& a) { arm_timer(service, *u, a); },
                 [&](const supervisor::CancelTimer&) { u->timer.cancel(); },
                 [&](const supervisor::StartReadyProbe&) {
                   u->ready_probe_on = true;
                   run_ready_probe(service, *u);
                 },
                 [&](const supervisor::StopReadyProbe&) {
                   u->ready_probe_on = false;
                   u->ready_timer.cancel();
                   if (u->ready_run) u->ready_run->cancel();
                   u->ready_run.reset();
                 },
                 [&](const supervisor::StartHealthProbe&) {
                   u->health_probe_on = true;
                   schedule_health_probe(service, *u, u->config.health.interval);
                 },
                 [&](const supervisor::StopHealthProbe&) {
                   u->health_probe_on = false;
                   u->health_timer.cancel();
                   if (u->health_run) u->health_run->cancel();
                   u->health_run.reset();
                 },
                 [&](const supervisor::Publish& p) { publish(service, p); },
             },
             action);
}

void Runtime::do_spawn(const std::string& service, ServiceUnit& u) {
  ++u.run;
  std::string notify_path;
  if (wants_notify_socket(u.config)) {
    if (os::Status st = ensure_notify_socket(service, u); !st) {
      feed(service, supervisor::SpawnFailed{st.error().message()});
      return;
    }
    notify_path = u.notify->path();
  }
  os::ProcessSpec spec = to_process_spec(u.config, notify_path);
  u.output->configure(spec);
  if (os::Status st = u.output->open(); !st) {
    spdlog::warn("{}: {}", service, st.error().message());
  }
  auto child = os::spawn(io_, spec);
  if (!child) {
    feed(service, supervisor::SpawnFailed{child.error().message()});
    return;
  }
  u.child = std::move(child.value());
  u.attach_output(*u.child);
  const std::uint64_t run = u.run;
  u.child->async_wait(
      [this, service, run](const os::ExitStatus& status) { on_exit(service, run, status); });
  feed(service, supervisor::Spawned{u.child->pid()});
}

void Runtime::on_exit(const std::string& service, std::uint64_t run, const os::ExitStatus& st) {
  ServiceUnit* u = unit(service);
  if (u == nullptr || u->run != run || !u->child) return;
  const bool group_alive = u->child->group_alive();
  feed(service, supervisor::Exited{to_exit_info(st), group_alive});
  if (group_alive) poll_group(service, run);
}

// The kernel says nothing when the last process of a group ends, so while an exited child's
// group is being stopped (a bounded phase: stop_timeout, then SIGKILL) it is looked at on a
// short timer. Nothing polls at any other time.
void Runtime::poll_group(const std::string& service, std::uint64_t run) {
  ServiceUnit* u = unit(service);
  if (u == nullptr) return;
  u->group_poll.expires_after(options_.group_poll_interval);
  u->group_poll.async_wait([this, service, run](std::error_code ec) {
    if (ec) return;
    ServiceUnit* unit_now = unit(service);
    if (unit_now == nullptr || unit_now->run != run) return;
    if (!unit_now->child || !unit_now->child->group_alive()) {
      feed(service, supervisor::GroupEmpty{});
    } else {
      poll_group(service, run);
    }
  });
}

void Runtime::arm_timer(const std::string& service, ServiceUnit& u, const supervisor::ArmTimer& t) {
  u.timer.expires_at(t.deadline);
  const std::uint64_t generation = t.generation;
  u.timer.async_wait([this, service, generation](std::error_code ec) {
    if (ec) return;
    feed(service, supervisor::TimerFired{generation});
  });
}

os::Status Runtime::ensure_notify_socket(const std::string& service, ServiceUnit& u) {
  if (u.notify) return {};
  const std::string path = options_.notify_dir + "/" + service + ".notify";
  auto sock = os::NotifySocket::bind(io_, path);
  if (!sock) return os::Error{sock.error().code, "notify socket: " + sock.error().message()};
  u.notify = std::move(sock.value());
  receive_notify(service, u);
  return {};
}

void Runtime::receive_notify(const std::string& service, ServiceUnit& u) {
  u.notify->async_receive([this, service](std::error_code ec, const os::NotifyMessage& msg) {
    if (ec) return;
    ServiceUnit* unit_now = unit(service);
    if (unit_now == nullptr) return;
    if (!sent_by_service(*unit_now, msg.pid)) {
      spdlog::debug("{}: ignored a notify message from pid {}, which is not the service's", service,
                    msg.pid);
    } else {
      if (has_field(msg, "READY", "1")) feed(service, supervisor::ReadyNotified{});
      if (has_field(msg, "WATCHDOG", "1")) feed(service, supervisor::WatchdogPing{});
      if (auto st = msg.get("STATUS")) spdlog::debug("{}: status: {}", service, *st);
    }
    if (ServiceUnit* again = unit(service); again != nullptr && again->notify) {
      receive_notify(service, *again);
    }
  });
}

void Runtime::run_ready_probe(const std::string& service, ServiceUnit& u) {
  if (!u.ready_probe_on) return;
  const auto timeout = u.config.health.timeout;
  u.ready_run =
      start_probe(io_, u.config.ready, timeout, [this, service](const ProbeOutcome& outcome) {
        ServiceUnit* unit_now = unit(service);
        if (unit_now == nullptr || !unit_now->ready_probe_on) return;
        if (outcome.ok) {
          unit_now->ready_probe_on = false;
          feed(service, supervisor::ReadyNotified{});
          return;
        }
        spdlog::debug("{}: not ready yet: {}", service, outcome.detail);
        unit_now->ready_timer.expires_after(options_.ready_probe_interval);
        unit_now->ready_timer.async_wait([this, service](std::error_code ec) {
          if (ec) return;
          if (ServiceUnit* again = unit(service)) {
            run_ready_probe(service, *again);
          }
        });
      });
}

void Runtime::schedule_health_probe(const std::string& service, ServiceUnit& u,
                                    std::chrono::milliseconds delay) {
  u.health_timer.expires_after(delay);
  u.health_timer.async_wait([this, service](std::error_code ec) {
    if (ec) return;
    ServiceUnit* u1 = unit(service);
    if (u1 == nullptr || !u1->health_probe_on) return;
    u1->health_run =
        start_probe(io_, u1->config.health.probe, u1->config.health.timeout,
                    [this, service](const ProbeOutcome& outcome) {
                      ServiceUnit* u2 = unit(service);
                      if (u2 == nullptr || !u2->health_probe_on) return;
                      if (!outcome.ok) {
                        spdlog::info("{}: health check failed: {}", service, outcome.detail);
                      }
                      feed(service, supervisor::HealthResult{outcome.ok});
                      ServiceUnit* u3 = unit(service);
                      if (u3 != nullptr && u3->health_probe_on) {
                        schedule_health_probe(service, *u3, u3->config.health.interval);
                      }
                    });
  });
}

void Runtime::publish(const std::string& service, const supervisor::Publish& p) {
  StateChange change;
  change.time = std::chrono::system_clock::now();
  change.service = service;
  change.from = p.from;
  change.to = p.to;
  change.reason = p.reason;
  if (const supervisor::Snapshot* snap = supervisor_.snapshot(service); snap && snap->pid) {
    change.pid = *snap->pid;
  }
  since_[service] = change.time;
  spdlog::info("{}: {} -> {}{}{}", service, supervisor::to_string(p.from),
               supervisor::to_string(p.to), p.reason.empty() ? "" : ": ", p.reason);
  if (ServiceUnit* u = unit(service)) write_status(service, *u);
  // A listener may remove itself (or others) while being called.
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    auto current = it++;
    Listener l = current->second;
    l(change);
  }
}

void Runtime::write_status(const std::string& service, ServiceUnit& u) {
  if (status_ == nullptr || u.status_slot < 0) return;
  const supervisor::Snapshot* snap = supervisor_.snapshot(service);
  if (snap == nullptr) return;
  const auto since =
      std::chrono::duration_cast<std::chrono::seconds>(this->since(service).time_since_epoch())
          .count();
  status_->update(u.status_slot, to_service_status(service, *snap, since));
}

void Runtime::check_stopped_all() {
  if (!stopped_all_ || !supervisor_.all_at_rest()) return;
  auto done = std::move(stopped_all_);
  stopped_all_ = nullptr;
  asio::post(io_, std::move(done));
}

}  // namespace supd::runtime
