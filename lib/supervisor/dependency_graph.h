// Who depends on whom: start order, stop order, and whether a service's dependencies are met.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/policy.h"
#include "supervisor/snapshot.h"

namespace supd::supervisor {

struct ServiceDependencies {
  std::string name;
  std::vector<Dependency> dependencies;
};

class DependencyGraph {
 public:
  // nullopt, with `error` set, when a name is defined twice, a dependency names an unknown
  // service, or the dependencies form a cycle. Each problem names every service involved:
  //   `service "web" is defined twice`
  //   `"web" depends on unknown service "dbb"`
  //   `dependency cycle: a -> b -> c -> a`
  // (Config validation rejects these first; this keeps the supervisor safe on its own.)
  static std::optional<DependencyGraph> build(const std::vector<ServiceDependencies>& services,
                                              std::string* error);

  // Dependencies before their dependents; otherwise the order services were given in.
  const std::vector<std::string>& start_order() const { return order_; }
  // Dependents before their dependencies: start_order() reversed.
  std::vector<std::string> stop_order() const;

  bool contains(std::string_view name) const { return nodes_.find(name) != nodes_.end(); }
  // What `name` depends on, as given; empty for an unknown name.
  const std::vector<Dependency>& dependencies(std::string_view name) const;
  // The services that depend on `name` directly, each once, in start order; empty for an
  // unknown name. The Supervisor re-checks only these when `name` changes.
  const std::vector<std::string>& dependents(std::string_view name) const;

 private:
  struct Node {
    std::vector<Dependency> dependencies;
    std::vector<std::string> dependents;
  };
  std::vector<std::string> order_;
  std::map<std::string, Node, std::less<>> nodes_;
};

// Whether a dependency in the state `dependency` satisfies `condition` (see policy.h):
//   started    starting with its main process up, or running
//   ready      running
//   healthy    running, and health ok or no health check
//   completed  exited, and the exit was a success
bool condition_met(DependencyCondition condition, const Snapshot& dependency);

// Looks a service's snapshot up by name; nullptr when there is no such service.
using SnapshotLookup = std::function<const Snapshot*(std::string_view name)>;

// The dependencies whose condition is not met, in the order listed (an unknown service is
// never met).
std::vector<std::string> unmet_dependencies(const std::vector<Dependency>& dependencies,
                                            const SnapshotLookup& lookup);
bool dependencies_met(const std::vector<Dependency>& dependencies, const SnapshotLookup& lookup);

}  // namespace supd::supervisor
