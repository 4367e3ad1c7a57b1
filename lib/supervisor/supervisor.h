// All services together: owns one ServiceMachine per service and adds what needs more than
// one service — dependency gating, start order, stop order, reload. Still pure: requests and
// runtime events in, per-service actions out, time passed in.
//
// Dependencies gate a start by request (start, restart, autostart): the service shows
// `starting` with reason "waiting for db" until every dependency meets its condition, then
// spawns. Automatic restarts (after a crash, in backoff) do not wait. A dependency that goes
// down later does not stop its running dependents; a dependency that goes fatal leaves its
// waiting dependents waiting. Starting a service also starts the dependencies it needs that
// are stopped (not those that exited or went fatal: those need a start of their own).
//
// Stopping several services (stop, stop_all, reload) stops dependents first: a service gets
// its Stop only once every dependent stopped in the same request is at rest.
//
// After any event only the changed service's direct dependents are re-checked:
// O(dependents), never O(services).
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "supervisor/actions.h"
#include "supervisor/clock.h"
#include "supervisor/events.h"
#include "supervisor/policy.h"
#include "supervisor/service_machine.h"
#include "supervisor/snapshot.h"

namespace supd::supervisor {

struct ServiceSpec {
  std::string name;
  Policy policy;
};

struct ServiceAction {
  std::string service;
  Action action;

  bool operator==(const ServiceAction&) const = default;
};

struct Output {
  // To perform in order. Publish actions are the state changes to record and stream.
  std::vector<ServiceAction> actions;
  // "web: can't happen: ...", "no such service: x": for the log.
  std::vector<std::string> notes;
  // Services dropped by reload that are now at rest: forget them (status record, timer).
  std::vector<std::string> removed;
};

class Supervisor {
 public:
  // nullopt, with `error` set, when the services' dependencies do not form a graph (see
  // DependencyGraph::build). Every service starts out stopped.
  static std::optional<Supervisor> create(std::vector<ServiceSpec> services, TimePoint now,
                                          std::string* error);

  // Starts every autostart service, dependencies first.
  Output start_all(TimePoint now);
  // Stops every service, dependents before their dependencies. Done when all_at_rest().
  Output stop_all(TimePoint now, const std::string& reason = {});

  // Requests by name (names must exist; unknown ones are skipped with a note). `reason`
  // replaces the default wording ("start requested", ...).
  Output start(const std::vector<std::string>& names, TimePoint now,
               const std::string& reason = {});
  Output stop(const std::vector<std::string>& names, TimePoint now, const std::string& reason = {});
  Output restart(const std::vector<std::string>& names, TimePoint now,
                 const std::string& reason = {});

  // An event the runtime observed for `service`.
  Output handle(std::string_view service, const Event& event, TimePoint now);

  // A new set of services. Services no longer present are stopped (dependents first) and
  // reported in Output::removed once at rest; services named in `changed` (their config
  // differs) get the new policy and, when active, a restart; the others keep running with
  // the new policy; new services start when autostart. nullopt, with `error` set and nothing
  // changed, when the new dependencies do not form a graph.
  std::optional<Output> reload(std::vector<ServiceSpec> services,
                               const std::vector<std::string>& changed, TimePoint now,
                               std::string* error);

  bool contains(std::string_view name) const { return entries_.find(name) != entries_.end(); }
  // nullptr for an unknown service.
  const Snapshot* snapshot(std::string_view name) const;
  const ServiceMachine* machine(std::string_view name) const;
  // Every service: the configured ones in start order, then those being removed.
  std::vector<std::string> names() const;
  // Nothing starting, running, stopping or in backoff.
  bool all_at_rest() const;

 private:
  struct Entry {
    explicit Entry(ServiceMachine m) : machine(std::move(m)) {}
    ServiceMachine machine;
    std::vector<std::string> dependents;  // direct, including services being removed
    bool stop_wanted = false;             // part of a stop request not yet done
    bool stop_sent = false;               // ... and its Stop was handed to the machine
    bool removing = false;                // dropped by reload: forget once at rest
    std::string stop_reason;
  };

  Supervisor() = default;

  Entry* find(std::string_view name);
  void step(Output& out, const std::string& name, const Event& event, TimePoint now);
  void propagate(Output& out, TimePoint now);
  void refresh_waiting(Output& out, const std::string& name, TimePoint now);
  void try_stop(Output& out, const std::string& name, TimePoint now);
  void do_start(Output& out, const std::vector<std::string>& names, TimePoint now,
                const std::string& reason, bool restart);
  void do_stop(Output& out, const std::vector<std::string>& names, TimePoint now,
               const std::string& reason);
  void rebuild_dependents();
  std::vector<std::string> stop_order() const;

  std::map<std::string, Entry, std::less<>> entries_;
  std::vector<std::string> order_;   // configured services, dependencies first
  std::deque<std::string> changed_;  // stepped services whose effects are not yet propagated
};

}  // namespace supd::supervisor
