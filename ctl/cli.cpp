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

// The first word that is neither an option nor an option's value, when it names no command:
// CLI11 would only say "a subcommand is required".
std::optional<std::string> unknown_command(const CLI::App& app, int argc, const char* const* argv) {
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
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == arg) return std::nullopt;
    }
    return arg;
  }
  return std::nullopt;
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
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

  CommandList commands(app);
  for (auto add : command_groups()) add(commands);

  if (argc <= 1) {
    err << app.help();
    return kExitUsage;
  }
  if (auto unknown = unknown_command(app, argc, argv)) {
    std::string text = "supctl: unknown command \"" + *unknown + "\"";
    if (auto close = config::closest_match(*unknown, command_names(app))) {
      text += " (did you mean " + *close + "?)";
    }
    err << text << "\nRun `supctl --help` for the commands.\n";
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
