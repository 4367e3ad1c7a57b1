#include "ctl/cli.h"

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/suggest.h"
#include "ctl/command_list.h"
#include "ctl/exit_codes.h"
#include "ctl/render.h"
#include "ctl/version.h"
#include "os/terminal.h"

namespace supd::ctl {
namespace {

// The command word: the first argument that is neither an option nor an option's value;
// none when there is none (or only after `--`).
std::optional<std::string> command_word(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") return std::nullopt;
    if (!arg.empty() && arg.front() == '-') {
      if (arg.find('=') == std::string::npos && arg != "--json" && arg != "-h" && arg != "--help" &&
          arg != "--version") {
        ++i;  // -c FILE, --socket PATH, --status-page PATH
      }
      continue;
    }
    return arg;
  }
  return std::nullopt;
}

const CommandGroup* group_of(const std::string& command) {
  for (const CommandGroup& group : command_groups()) {
    for (std::string_view name : group.names) {
      if (name == command) return &group;
    }
  }
  return nullptr;
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const CommandGroup& group : command_groups()) {
    names.insert(names.end(), group.names.begin(), group.names.end());
  }
  return names;
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"supctl: control a running supd, or read its status page.", "supctl"};
  app.set_version_flag("--version", std::string("supctl ") + kSupctlVersion);
  app.require_subcommand(1);
  // Global options may also follow the command: `supctl status --json`.
  app.fallthrough();
  app.footer(
      "Exit codes: 0 ok, 1 error (supd unreachable, operation failed or timed out), 2 usage "
      "or config error, 3 status: a service is not running, 4 no such service.\nRun `supctl "
      "COMMAND --help` for a command's options.");

  GlobalOptions options;
  app.add_option("-c,--config", options.config,
                 "config file (for where supd's socket and "
                 "status page are)")
      ->type_name("FILE");
  app.add_option("--socket", options.socket,
                 "supd's control socket (overrides $SUPD_SOCKET "
                 "and the config)")
      ->type_name("PATH");
  app.add_option("--status-page", options.status_page, "supd's status page")->type_name("PATH");
  app.add_flag("--json", options.json, "machine-readable output");

  const std::optional<std::string> word = command_word(argc, argv);
  const CommandGroup* group = word ? group_of(*word) : nullptr;
  if (word && group == nullptr) {  // CLI11 would only say "a subcommand is required"
    std::string text = "supctl: unknown command \"" + *word + "\"";
    if (auto close = config::closest_match(*word, command_names())) {
      text += " (did you mean " + *close + "?)";
    }
    err << text << "\nRun `supctl --help` for the commands.\n";
    return kExitUsage;
  }
  // Only the named command's parser is built: building all of them costs a tenth of supctl's
  // start-up. Help is that command's help even after `supctl --help`.
  CommandList commands(app);
  if (group != nullptr) {
    group->add(commands);
  } else {
    for (const CommandGroup& each : command_groups()) each.add(commands);
  }

  if (argc <= 1) {
    err << app.help();
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }

  const Runner* runner = commands.chosen();
  if (runner == nullptr) return kExitUsage;  // require_subcommand makes this unreachable
  const bool colour = &out == &std::cout &&
                      use_colour(os::is_terminal(os::StdStream::Out), std::getenv("NO_COLOR"));
  Context context(std::move(options), out, err, colour);
  const int code = (*runner)(context);
  out.flush();
  return code;
}

}  // namespace supd::ctl
