// The verbs supctl knows. Each verb group (commands/*.cpp) adds its subcommands to the
// parser and says what runs when one of them is chosen.
#pragma once

#include <functional>
#include <string_view>
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

struct CommandGroup {
  void (*add)(CommandList& list);
  std::vector<std::string_view> names;  // the subcommands `add` adds
};

// In the order `supctl --help` lists them. supctl builds only the group of the command it
// runs (the parser of every command costs a tenth of its start-up), so `names` must be what
// `add` adds; a test holds them to it.
inline const std::vector<CommandGroup>& command_groups() {
  static const std::vector<CommandGroup> kGroups = {
      {add_status_commands, {"status"}},
      {add_lifecycle_commands, {"start", "stop", "restart", "signal", "wait"}},
      {add_logs_commands, {"logs"}},
      {add_events_commands, {"events"}},
      {add_top_commands, {"top"}},
      {add_misc_commands, {"reload", "shutdown", "check-config", "version"}},
  };
  return kGroups;
}

}  // namespace supd::ctl
