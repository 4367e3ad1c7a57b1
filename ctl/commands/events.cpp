// supctl events [NAME...]: every state change as one JSON line, as it happens, until
// interrupted.
#include <memory>

#include "ctl/command_list.h"
#include "ctl/render.h"

namespace supd::ctl {
namespace {

struct EventsArgs {
  std::vector<std::string> names;
};

int run_events(Context& context, const EventsArgs& args) {
  nlohmann::json request = {{"cmd", "events"}};
  if (!args.names.empty()) request["names"] = args.names;
  std::ostream& out = context.out();
  return context.stream(request, [&](const nlohmann::json& event) {
    out << event_line(event) << "\n";
    out.flush();  // each line as it happens, also into a pipe
    return static_cast<bool>(out);
  });
}

}  // namespace

void add_events_commands(CommandList& list) {
  auto args = std::make_shared<EventsArgs>();
  CLI::App* cmd = list.subcommand("events", "Stream state changes as JSON lines");
  cmd->footer(
      "One object per line: {\"time\", \"service\", \"from\", \"to\", \"pid\", \"reason\"}, "
      "until interrupted.");
  cmd->add_option("names", args->names, "only these services (default: all)")->type_name("NAME");
  list.on_run(cmd, [args](Context& context) { return run_events(context, *args); });
}

}  // namespace supd::ctl
