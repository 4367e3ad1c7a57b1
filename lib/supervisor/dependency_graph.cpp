#include "supervisor/dependency_graph.h"

#include <algorithm>
#include <utility>

namespace supd::supervisor {
namespace {

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

void add_error(std::string* error, const std::string& message) {
  if (error == nullptr) return;
  if (!error->empty()) *error += "; ";
  *error += message;
}

}  // namespace

std::optional<DependencyGraph> DependencyGraph::build(
    const std::vector<ServiceDependencies>& services, std::string* error) {
  if (error != nullptr) error->clear();
  DependencyGraph graph;
  bool ok = true;
  std::vector<std::string> input_order;
  for (const auto& service : services) {
    if (!graph.nodes_.emplace(service.name, Node{service.dependencies, {}}).second) {
      add_error(error, "service " + quoted(service.name) + " is defined twice");
      ok = false;
      continue;
    }
    input_order.push_back(service.name);
  }
  for (const auto& name : input_order) {
    for (const auto& dep : graph.nodes_.find(name)->second.dependencies) {
      if (!graph.contains(dep.name)) {
        add_error(error, quoted(name) + " depends on unknown service " + quoted(dep.name));
        ok = false;
      }
    }
  }
  if (!ok) return std::nullopt;

  // Depth-first, dependencies before dependents, without recursion so that a long chain
  // cannot exhaust the stack. A dependency found on the current path closes a cycle.
  enum class Mark { New, OnPath, Done };
  std::map<std::string_view, Mark> mark;
  for (const auto& name : input_order) mark[name] = Mark::New;
  for (const auto& root : input_order) {
    if (mark[root] != Mark::New) continue;
    std::vector<std::pair<std::string_view, std::size_t>> path{{root, 0}};
    mark[root] = Mark::OnPath;
    while (!path.empty()) {
      auto& [name, next] = path.back();
      const auto& deps = graph.nodes_.find(name)->second.dependencies;
      if (next == deps.size()) {
        mark[name] = Mark::Done;
        graph.order_.emplace_back(name);
        path.pop_back();
        continue;
      }
      std::string_view dep = deps[next++].name;
      if (mark[dep] == Mark::OnPath) {
        std::string cycle;
        auto it = std::find_if(path.begin(), path.end(),
                               [&](const auto& entry) { return entry.first == dep; });
        for (; it != path.end(); ++it) cycle += std::string(it->first) + " -> ";
        add_error(error, "dependency cycle: " + cycle + std::string(dep));
        return std::nullopt;
      }
      if (mark[dep] == Mark::New) {
        mark[dep] = Mark::OnPath;
        path.emplace_back(dep, 0);  // invalidates `name` and `next`; not used below
      }
    }
  }

  for (const auto& name : graph.order_) {
    for (const auto& dep : graph.nodes_.find(name)->second.dependencies) {
      auto& dependents = graph.nodes_.find(dep.name)->second.dependents;
      if (std::find(dependents.begin(), dependents.end(), name) == dependents.end()) {
        dependents.push_back(name);
      }
    }
  }
  return graph;
}

std::vector<std::string> DependencyGraph::stop_order() const {
  return std::vector<std::string>(order_.rbegin(), order_.rend());
}

const std::vector<Dependency>& DependencyGraph::dependencies(std::string_view name) const {
  static const std::vector<Dependency> kNone;
  auto it = nodes_.find(name);
  return it == nodes_.end() ? kNone : it->second.dependencies;
}

const std::vector<std::string>& DependencyGraph::dependents(std::string_view name) const {
  static const std::vector<std::string> kNone;
  auto it = nodes_.find(name);
  return it == nodes_.end() ? kNone : it->second.dependents;
}

bool condition_met(DependencyCondition condition, const Snapshot& dependency) {
  const bool running = dependency.state == State::Running;
  switch (condition) {
    case DependencyCondition::Started:
      return running ||
             (dependency.state == State::Starting && dependency.process == ProcessPhase::Alive);
    case DependencyCondition::Ready:
      return running;
    case DependencyCondition::Healthy:
      return running && (dependency.health == Health::None || dependency.health == Health::Ok);
    case DependencyCondition::Completed:
      return dependency.state == State::Exited && dependency.exit_ok;
  }
  return false;
}

std::vector<std::string> unmet_dependencies(const std::vector<Dependency>& dependencies,
                                            const SnapshotLookup& lookup) {
  std::vector<std::string> unmet;
  for (const auto& dep : dependencies) {
    const Snapshot* snap = lookup(dep.name);
    if (snap == nullptr || !condition_met(dep.condition, *snap)) {
      if (std::find(unmet.begin(), unmet.end(), dep.name) == unmet.end()) {
        unmet.push_back(dep.name);
      }
    }
  }
  return unmet;
}

bool dependencies_met(const std::vector<Dependency>& dependencies, const SnapshotLookup& lookup) {
  return unmet_dependencies(dependencies, lookup).empty();
}

}  // namespace supd::supervisor
