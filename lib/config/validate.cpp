// Checks that need every service at once, and the expansion into final services.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "config/parse.h"
#include "config/suggest.h"

namespace supd::config::detail {
namespace {

std::string instance_name(const std::string& base, int index) {
  return base + "." + std::to_string(index);
}

// The final names one parsed service stands for.
std::vector<std::string> final_names(const ParsedService& p) {
  if (p.instances <= 1) return {p.config.name};
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(p.instances));
  for (int i = 0; i < p.instances; ++i) names.push_back(instance_name(p.config.name, i));
  return names;
}

struct Owner {
  std::size_t service;  // index into `parsed`
  bool is_instance;
};

class Resolver {
 public:
  Resolver(const std::vector<ParsedService>& parsed, const DaemonSettings& settings,
           std::vector<Diagnostic>& out)
      : parsed_(parsed), settings_(settings), out_(out), kept_(parsed.size(), true) {}

  std::vector<ServiceConfig> run() {
    drop_duplicates();
    assign_final_names();
    resolve_dependencies();
    find_cycles();
    std::vector<ServiceConfig> services = expand();
    check_log_files(services);
    return services;
  }

 private:
  void add(const Where& at, std::string message) {
    out_.push_back(at.diagnostic(std::move(message)));
  }

  void drop_duplicates() {
    std::map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < parsed_.size(); ++i) {
      const std::string& name = parsed_[i].config.name;
      auto [it, inserted] = first.emplace(name, i);
      if (inserted) continue;
      add(parsed_[i].name_at, "duplicate service name '" + name + "'; first defined at " +
                                  parsed_[it->second].name_at.position());
      kept_[i] = false;
    }
  }

  void assign_final_names() {
    for (std::size_t i = 0; i < parsed_.size(); ++i) {
      if (!kept_[i]) continue;
      const ParsedService& p = parsed_[i];
      const bool instanced = p.instances > 1;
      if (instanced) instanced_.emplace(p.config.name, i);
      for (const std::string& name : final_names(p)) {
        auto [it, inserted] = names_.emplace(name, Owner{i, instanced});
        if (inserted) continue;
        const ParsedService& other_service = parsed_[it->second.service];
        std::string other = it->second.is_instance
                                ? "an instance of '" + other_service.config.name + "' ("
                                : "the service defined at ";
        other += it->second.is_instance ? other_service.instances_at.position() + ")"
                                        : other_service.name_at.position();
        std::string message;
        if (instanced) {
          message = "instance '" + name + "' of '" + p.config.name + "'";
        } else {
          message = "service name '" + name + "'";
        }
        message += " clashes with ";
        message += other;
        add(instanced ? p.instances_at : p.name_at, std::move(message));
        kept_[i] = false;
        break;
      }
    }
  }

  void resolve_dependencies() {
    std::vector<std::string> known;
    for (const auto& [name, owner] : instanced_) known.push_back(name);
    for (const auto& [name, owner] : names_) known.push_back(name);
    resolved_.assign(parsed_.size(), {});
    edges_.assign(parsed_.size(), {});
    for (std::size_t i = 0; i < parsed_.size(); ++i) {
      if (!kept_[i]) continue;
      const ParsedService& p = parsed_[i];
      for (std::size_t d = 0; d < p.depends_on.size(); ++d) {
        const ParsedDependency& dep = p.depends_on[d];
        std::optional<std::size_t> target;
        if (auto it = instanced_.find(dep.name); it != instanced_.end()) {
          target = it->second;
          for (const std::string& name : final_names(parsed_[it->second])) {
            resolved_[i].push_back(Dependency{name, dep.condition});
          }
        } else if (auto jt = names_.find(dep.name); jt != names_.end()) {
          target = jt->second.service;
          resolved_[i].push_back(Dependency{dep.name, dep.condition});
        }
        if (!target) {
          std::string message =
              "service '" + p.config.name + "' depends on unknown service '" + dep.name + "'";
          if (std::optional<std::string> near = closest_match(dep.name, known)) {
            message += "; did you mean '" + *near + "'?";
          }
          add(dep.where, std::move(message));
          continue;
        }
        check_condition(p, dep, parsed_[*target]);
        edges_[i].push_back(Edge{*target, d});
      }
    }
  }

  void check_condition(const ParsedService& p, const ParsedDependency& dep,
                       const ParsedService& target) {
    if (dep.condition == DependencyCondition::Healthy &&
        target.config.health.probe.kind == ProbeKind::None) {
      add(dep.where, "service '" + p.config.name + "' waits for '" + dep.name +
                         "' to be healthy, but '" + target.config.name + "' has no health check");
    }
    if (dep.condition == DependencyCondition::Completed &&
        target.config.restart == RestartPolicy::Always) {
      add(dep.where, "service '" + p.config.name + "' waits for '" + dep.name +
                         "' to complete, but '" + target.config.name +
                         "' has restart: always and never completes");
    }
  }

  // Depth-first search over services (an instanced service is one node): an edge back to a
  // service still on the stack closes a cycle, reported once, starting at that service.
  void find_cycles() {
    std::vector<int> state(parsed_.size(), 0);  // 0 new, 1 on the stack, 2 done
    std::vector<std::size_t> stack;
    for (std::size_t i = 0; i < parsed_.size(); ++i) {
      if (kept_[i] && state[i] == 0) visit(i, state, stack);
    }
  }

  void visit(std::size_t node, std::vector<int>& state, std::vector<std::size_t>& stack) {
    state[node] = 1;
    stack.push_back(node);
    for (const Edge& e : edges_[node]) {
      if (state[e.target] == 0) {
        visit(e.target, state, stack);
      } else if (state[e.target] == 1) {
        report_cycle(e.target, stack);
      }
    }
    stack.pop_back();
    state[node] = 2;
  }

  void report_cycle(std::size_t start, const std::vector<std::size_t>& stack) {
    auto from = std::find(stack.begin(), stack.end(), start);
    std::string chain;
    for (auto it = from; it != stack.end(); ++it) chain += parsed_[*it].config.name + " -> ";
    chain += parsed_[start].config.name;
    // Point at the first link of the chain: `start`'s dependency on the next service.
    const std::size_t next = from + 1 == stack.end() ? start : *(from + 1);
    const ParsedService& first = parsed_[start];
    for (const Edge& e : edges_[start]) {
      if (e.target != next) continue;
      add(first.depends_on[e.dependency].where, "dependency cycle: " + chain);
      return;
    }
  }

  std::vector<ServiceConfig> expand() {
    std::vector<ServiceConfig> out;
    for (std::size_t i = 0; i < parsed_.size(); ++i) {
      if (!kept_[i]) continue;
      const ParsedService& p = parsed_[i];
      std::vector<std::string> names = final_names(p);
      for (std::size_t k = 0; k < names.size(); ++k) {
        ServiceConfig s = p.config;
        s.name = names[k];
        if (p.instances > 1) {
          s.instance_of = p.config.name;
          s.instance_index = static_cast<int>(k);
        }
        for (const Dependency& d : resolved_[i]) {
          const bool seen =
              std::find(s.depends_on.begin(), s.depends_on.end(), d) != s.depends_on.end();
          if (!seen) s.depends_on.push_back(d);
        }
        if (s.stdout_output.file.empty()) s.stdout_output.file = s.name + ".out.log";
        if (s.stderr_output.file.empty()) s.stderr_output.file = s.name + ".err.log";
        out.push_back(std::move(s));
        out_index_.push_back(i);
      }
    }
    return out;
  }

  // Two outputs appending to one file would interleave and rotate each other's data.
  void check_log_files(const std::vector<ServiceConfig>& services) {
    struct User {
      std::string what;  // "web stdout"
      Where at;
    };
    std::map<std::string, User> users;
    std::set<std::string> reported;
    for (std::size_t i = 0; i < services.size(); ++i) {
      const ServiceConfig& s = services[i];
      const ParsedService& p = parsed_[out_index_[i]];
      const std::pair<const OutputConfig*, const Where*> outputs[] = {
          {&s.stdout_output, &p.stdout_file_at}, {&s.stderr_output, &p.stderr_file_at}};
      for (const auto& [output, file_at] : outputs) {
        if (output->mode != OutputMode::File) continue;
        const std::string what = s.name + (output == &s.stdout_output ? " stdout" : " stderr");
        Where at = file_at->line > 0 ? *file_at : p.name_at;
        const std::string path = std::filesystem::path(output_path(*output, settings_.log_dir))
                                     .lexically_normal()
                                     .string();
        auto [it, inserted] = users.emplace(path, User{what, at});
        if (inserted) continue;
        if (file_at->line == 0 && it->second.at.line > 0) at = it->second.at;
        const std::string key = at.position() + at.path;
        if (!reported.insert(key).second) continue;
        std::string message =
            it->second.what + " and " + what + " would both write to " + output->file;
        if (it->second.what == s.name + " stdout") message += "; to merge them, set stderr: stdout";
        add(at, std::move(message));
      }
    }
  }

  struct Edge {
    std::size_t target;
    std::size_t dependency;  // index into the depender's depends_on
  };

  const std::vector<ParsedService>& parsed_;
  const DaemonSettings& settings_;
  std::vector<Diagnostic>& out_;
  std::vector<bool> kept_;
  std::map<std::string, std::size_t> instanced_;  // instanced service name -> index
  std::map<std::string, Owner> names_;            // final name -> owner
  std::vector<std::vector<Dependency>> resolved_;
  std::vector<std::vector<Edge>> edges_;
  std::vector<std::size_t> out_index_;  // final service -> parsed index
};

}  // namespace

std::vector<ServiceConfig> resolve_services(const std::vector<ParsedService>& parsed,
                                            const DaemonSettings& settings,
                                            std::vector<Diagnostic>& diagnostics) {
  return Resolver(parsed, settings, diagnostics).run();
}

}  // namespace supd::config::detail
