// supctl status [NAME...]: the status page as a table (or JSON), with supd's own state.
#include <memory>

#include "ctl/command_list.h"
#include "ctl/exit_codes.h"
#include "ctl/render.h"
#include "ctl/status_source.h"

namespace supd::ctl {
namespace {

struct StatusArgs {
  std::vector<std::string> names;
};

int run_status(Context& context, const StatusArgs& args) {
  if (!context.discover()) return kExitUsage;
  auto view = fetch_status(context);
  if (!view) {
    context.error(view.error().message());
    return kExitError;
  }
  Selection selection = select_services(*view, args.names);
  if (selection.missing) {
    std::string text = "no such service: " + *selection.missing;
    if (selection.did_you_mean) text += " (did you mean " + *selection.did_you_mean + "?)";
    context.error(text);
    return kExitNoSuchService;
  }

  std::ostream& out = context.out();
  const std::int64_t now_ms = now_unix_ms();
  if (context.json()) {
    out << status_json(*view, selection.rows).dump(2) << "\n";
  } else {
    if (std::string notice = daemon_notice(view->daemon, now_ms); !notice.empty()) {
      out << notice << "\n";
    }
    if (auto crash = crash_line(*view)) out << *crash << "\n";
    TableOptions table;
    table.colour = context.colour();
    table.now = now_ms / 1000;
    table.live = view->daemon.liveness != status::DaemonLiveness::NotRunning;
    out << render_table(selection.rows, table);
  }
  out.flush();
  return status_exit_code(*view, selection.rows, !args.names.empty());
}

}  // namespace

void add_status_commands(CommandList& list) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = list.subcommand("status", "Show services as a table (or JSON with --json)");
  cmd->add_option("names", args->names, "services to show (default: all)")->type_name("NAME");
  cmd->footer(
      "Reads the status page directly, so it answers while supd is busy, hung or gone.\n"
      "Exit codes: 0 ok; 3 a named service is not running (no names: some service is backoff "
      "or fatal); 4 no such service; 1 supd is unreachable and has no status page.");
  list.on_run(cmd, [args](Context& context) { return run_status(context, *args); });
}

}  // namespace supd::ctl
