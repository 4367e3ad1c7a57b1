#include "supervisor/supervisor.h"

#include <algorithm>
#include <set>
#include <utility>

#include "supervisor/dependency_graph.h"

namespace supd::supervisor {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::optional<DependencyGraph> graph_of(const std::vector<ServiceSpec>& services,
                                        std::string* error) {
  std::vector<ServiceDependencies> nodes;
  nodes.reserve(services.size());
  for (const auto& s : services) nodes.push_back({s.name, s.policy.dependencies});
  return DependencyGraph::build(nodes, error);
}

}  // namespace

std::optional<Supervisor> Supervisor::create(std::vector<ServiceSpec> services, TimePoint now,
                                             std::string* error) {
  auto graph = graph_of(services, error);
  if (!graph) return std::nullopt;
  Supervisor sup;
  for (auto& s : services) {
    sup.entries_.emplace(s.name, Entry(ServiceMachine(std::move(s.policy), now)));
  }
  sup.order_ = graph->start_order();
  sup.rebuild_dependents();
  Output ignored;  // stopped services only record what they would wait for
  for (const auto& name : sup.order_) sup.refresh_waiting(ignored, name, now);
  sup.propagate(ignored, now);
  return sup;
}

Output Supervisor::start_all(TimePoint now) {
  std::vector<std::string> names;
  for (const auto& name : order_) {
    const Entry* e = find(name);
    if (!e->removing && e->machine.policy().autostart) names.push_back(name);
  }
  Output out;
  do_start(out, names, now, "", false);
  return out;
}

Output Supervisor::stop_all(TimePoint now, const std::string& reason) {
  Output out;
  do_stop(out, names(), now, reason);
  return out;
}

Output Supervisor::start(const std::vector<std::string>& names, TimePoint now,
                         const std::string& reason) {
  Output out;
  do_start(out, names, now, reason, false);
  return out;
}

Output Supervisor::stop(const std::vector<std::string>& names, TimePoint now,
                        const std::string& reason) {
  Output out;
  do_stop(out, names, now, reason);
  return out;
}

Output Supervisor::restart(const std::vector<std::string>& names, TimePoint now,
                           const std::string& reason) {
  Output out;
  do_start(out, names, now, reason, true);
  return out;
}

Output Supervisor::handle(std::string_view service, const Event& event, TimePoint now) {
  Output out;
  if (find(service) == nullptr) {
    out.notes.push_back("no such service: " + std::string(service) + " (" + to_string(event) + ")");
    return out;
  }
  // A service whose stop was asked for but is held back until its dependents stop must not
  // be restarted if its process dies meanwhile (say, SIGKILL at the shutdown timeout): it
  // gets its Stop now, so the exit settles it.
  Entry* e = find(service);
  if (e->stop_wanted && !e->stop_sent && std::holds_alternative<Exited>(event)) {
    e->stop_sent = true;
    step(out, std::string(service), Stop{e->stop_reason}, now);
  }
  step(out, std::string(service), event, now);
  propagate(out, now);
  return out;
}

std::optional<Output> Supervisor::reload(std::vector<ServiceSpec> services,
                                         const std::vector<std::string>& changed, TimePoint now,
                                         std::string* error) {
  auto graph = graph_of(services, error);
  if (!graph) return std::nullopt;

  std::set<std::string, std::less<>> kept;
  for (const auto& s : services) kept.insert(s.name);
  std::vector<std::string> removed;
  for (auto& [name, entry] : entries_) {
    if (kept.count(name) == 0 && !entry.removing) {
      entry.removing = true;
      removed.push_back(name);
    }
  }
  std::vector<std::string> to_restart;
  std::vector<std::string> to_start;
  for (auto& s : services) {
    const bool autostart = s.policy.autostart;
    Entry* e = find(s.name);
    if (e == nullptr) {
      entries_.emplace(s.name, Entry(ServiceMachine(std::move(s.policy), now)));
      if (autostart) to_start.push_back(s.name);
      continue;
    }
    e->removing = false;
    e->machine.set_policy(std::move(s.policy));
    const bool is_changed = std::find(changed.begin(), changed.end(), s.name) != changed.end();
    if (is_changed && !is_at_rest(e->machine.snapshot().state)) to_restart.push_back(s.name);
  }
  order_ = graph->start_order();
  rebuild_dependents();

  Output out;
  for (const auto& name : names()) refresh_waiting(out, name, now);
  // Removed services already at rest are forgotten by propagate().
  changed_.insert(changed_.end(), removed.begin(), removed.end());
  propagate(out, now);
  do_stop(out, removed, now, "removed from the config");
  do_start(out, to_restart, now, "config changed", true);
  do_start(out, to_start, now, "added to the config", false);
  return out;
}

const Snapshot* Supervisor::snapshot(std::string_view name) const {
  const ServiceMachine* m = machine(name);
  return m == nullptr ? nullptr : &m->snapshot();
}

const ServiceMachine* Supervisor::machine(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second.machine;
}

std::vector<std::string> Supervisor::names() const {
  std::vector<std::string> out = order_;
  for (const auto& [name, entry] : entries_) {
    if (entry.removing) out.push_back(name);
  }
  return out;
}

bool Supervisor::all_at_rest() const {
  return std::all_of(entries_.begin(), entries_.end(),
                     [](const auto& kv) { return is_at_rest(kv.second.machine.snapshot().state); });
}

// --- Internals --------------------------------------------------------------------------

Supervisor::Entry* Supervisor::find(std::string_view name) {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

void Supervisor::step(Output& out, const std::string& name, const Event& event, TimePoint now) {
  Entry* e = find(name);
  Step s = e->machine.handle(event, now);
  for (auto& action : s.actions) out.actions.push_back({name, std::move(action)});
  if (!s.cant_happen.empty()) out.notes.push_back(name + ": " + s.cant_happen);
  changed_.push_back(name);
}

// Carries the effects of every stepped service to the services that care: its dependents
// (their wait may be over), its dependencies (a stop may wait on it), and removal.
void Supervisor::propagate(Output& out, TimePoint now) {
  while (!changed_.empty()) {
    std::string name = std::move(changed_.front());
    changed_.pop_front();
    Entry* e = find(name);
    if (e == nullptr) continue;
    for (const auto& dependent : e->dependents) refresh_waiting(out, dependent, now);
    if (!is_at_rest(e->machine.snapshot().state)) continue;
    e->stop_wanted = false;
    e->stop_sent = false;
    for (const auto& dep : e->machine.policy().dependencies) try_stop(out, dep.name, now);
    if (e->removing) {
      for (const auto& dep : e->machine.policy().dependencies) {
        if (Entry* d = find(dep.name)) std::erase(d->dependents, name);
      }
      entries_.erase(name);
      out.removed.push_back(name);
    }
  }
}

void Supervisor::refresh_waiting(Output& out, const std::string& name, TimePoint now) {
  Entry* e = find(name);
  if (e == nullptr) return;
  auto unmet = unmet_dependencies(e->machine.policy().dependencies,
                                  [this](std::string_view dep) { return snapshot(dep); });
  std::string waiting_for = join(unmet);
  if (waiting_for != e->machine.snapshot().waiting_for) {
    step(out, name, DependenciesChanged{waiting_for}, now);
  }
}

// Sends a wanted Stop once no dependent stopped by the same request is still up.
void Supervisor::try_stop(Output& out, const std::string& name, TimePoint now) {
  Entry* e = find(name);
  if (e == nullptr || !e->stop_wanted || e->stop_sent) return;
  if (is_at_rest(e->machine.snapshot().state)) {
    e->stop_wanted = false;
    return;
  }
  for (const auto& dependent : e->dependents) {
    const Entry* d = find(dependent);
    if (d != nullptr && d->stop_wanted && !is_at_rest(d->machine.snapshot().state)) return;
  }
  e->stop_sent = true;
  step(out, name, Stop{e->stop_reason}, now);
}

void Supervisor::do_start(Output& out, const std::vector<std::string>& names, TimePoint now,
                          const std::string& reason, bool restart) {
  // The named services, plus every stopped (or stopping by request) dependency they need,
  // each with the dependent that needs it.
  std::set<std::string, std::less<>> named;
  std::map<std::string, std::string, std::less<>> pulled;
  std::vector<std::string> todo;
  for (const auto& name : names) {
    if (find(name) == nullptr) {
      out.notes.push_back("no such service: " + name);
      continue;
    }
    named.insert(name);
    todo.push_back(name);
  }
  std::set<std::string, std::less<>> seen(named.begin(), named.end());
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    for (const auto& dep : find(name)->machine.policy().dependencies) {
      const Entry* d = find(dep.name);
      if (d == nullptr || !seen.insert(dep.name).second) continue;
      todo.push_back(dep.name);
      if (d->machine.snapshot().state == State::Stopped || d->stop_wanted) {
        pulled.emplace(dep.name, name);
      }
    }
  }
  for (const auto& name : this->names()) {  // dependencies first
    const bool is_named = named.count(name) != 0;
    auto puller = pulled.find(name);
    if (!is_named && puller == pulled.end()) continue;
    Entry* e = find(name);
    e->stop_wanted = false;
    e->stop_sent = false;
    if (!is_named) {
      step(out, name, Start{"needed by " + puller->second}, now);
    } else if (restart) {
      step(out, name, Restart{reason}, now);
    } else {
      step(out, name, Start{reason}, now);
    }
    propagate(out, now);
  }
}

void Supervisor::do_stop(Output& out, const std::vector<std::string>& names, TimePoint now,
                         const std::string& reason) {
  for (const auto& name : names) {
    Entry* e = find(name);
    if (e == nullptr) {
      out.notes.push_back("no such service: " + name);
      continue;
    }
    if (!e->stop_wanted) {
      e->stop_wanted = true;
      e->stop_sent = false;
    }
    e->stop_reason = reason;
  }
  for (const auto& name : stop_order()) {
    try_stop(out, name, now);
    propagate(out, now);
  }
}

void Supervisor::rebuild_dependents() {
  for (auto& [name, entry] : entries_) entry.dependents.clear();
  for (const auto& name : names()) {
    for (const auto& dep : find(name)->machine.policy().dependencies) {
      Entry* d = find(dep.name);
      if (d != nullptr &&
          std::find(d->dependents.begin(), d->dependents.end(), name) == d->dependents.end()) {
        d->dependents.push_back(name);
      }
    }
  }
}

std::vector<std::string> Supervisor::stop_order() const {
  std::vector<std::string> all = names();
  return std::vector<std::string>(all.rbegin(), all.rend());
}

}  // namespace supd::supervisor
