// The verbs supctl knows. Each verb group (commands/*.cpp) adds its subcommands to the
// parser and says what runs when one of them is chosen.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

#include "ctl/context.h"

namespace supd::ctl {

// Runs a parsed command and returns supctl's exit code.
using Runner = std::function<int(Context&)>;

class CommandList {
 public:
  explicit CommandList(CLI::App& app) : app_(app) {}

  // A new subcommand of supctl.
  CLI::App* subcommand(const std::string& name, const std::string& description) {
    return app_.add_subcommand(name, description);
  }
  // What runs when `command` was chosen.
  void on_run(CLI::App* command, Runner run) { entries_.push_back({command, std::move(run)}); }

  // The runner of the subcommand that was parsed; nullptr when none was.
  const Runner* chosen() const {
    for (const Entry& e : entries_) {
      if (e.command->parsed()) return &e.run;
    }
    return nullptr;
  }

 private:
  struct Entry {
    CLI::App* command;
    Runner run;
  };
  CLI::App& app_;
  std::vector<Entry> entries_;
};

// Verb groups, one file each under ctl/commands/.
void add_status_commands(CommandList& list);     // status
void add_lifecycle_commands(CommandList& list);  // start stop restart signal wait
void add_logs_commands(CommandList& list);       // logs
void add_events_commands(CommandList& list);     // events
void add_top_commands(CommandList& list);        // top
void add_misc_commands(CommandList& list);       // reload shutdown check-config version

// In the order `supctl --help` lists them.
inline const std::vector<void (*)(CommandList&)>& command_groups() {
  static const std::vector<void (*)(CommandList&)> kGroups = {
      add_status_commands, add_lifecycle_commands, add_logs_commands,
      add_events_commands, add_top_commands,       add_misc_commands,
  };
  return kGroups;
}

}  // namespace supd::ctl
