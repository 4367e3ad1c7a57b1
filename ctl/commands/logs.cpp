// supctl logs NAME [-f] [-n 50] [--stderr]: a service's last log lines, and with -f the new
// ones as they come, until Ctrl+C or supd ends the stream.
#include <memory>

#include "ctl/command_list.h"
#include "ctl/exit_codes.h"

namespace supd::ctl {
namespace {

struct LogsArgs {
  std::string name;
  bool follow = false;
  int lines = 50;
  bool stderr_stream = false;
};

int run_logs(Context& context, const LogsArgs& args) {
  nlohmann::json request = {{"cmd", "logs"},
                            {"names", {args.name}},
                            {"lines", args.lines},
                            {"follow", args.follow},
                            {"stream", args.stderr_stream ? "stderr" : "stdout"}};
  std::ostream& out = context.out();
  if (!args.follow) {
    return context.call(request, kAnswerTimeout, [&](const nlohmann::json& result) {
      if (context.json()) {
        out << result.dump(2) << "\n";
        return kExitOk;
      }
      if (auto lines = result.find("lines"); lines != result.end() && lines->is_array()) {
        for (const nlohmann::json& line : *lines) {
          if (line.is_string()) out << line.get<std::string>() << "\n";
        }
      }
      return kExitOk;
    });
  }
  return context.stream(request, [&](const nlohmann::json& event) {
    if (context.json()) {
      out << event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else if (auto line = event.find("line"); line != event.end() && line->is_string()) {
      out << line->get<std::string>() << "\n";
    }
    out.flush();
    return static_cast<bool>(out);  // the reader went away: leave
  });
}

}  // namespace

void add_logs_commands(CommandList& list) {
  auto args = std::make_shared<LogsArgs>();
  CLI::App* cmd = list.subcommand("logs", "Print a service's last log lines; -f follows them");
  cmd->add_option("name", args->name, "the service")->required()->type_name("NAME");
  cmd->add_flag("-f,--follow", args->follow, "keep printing new lines until interrupted");
  cmd->add_option("-n,--lines", args->lines, "how many of the last lines")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("--stderr", args->stderr_stream, "the stderr log instead of stdout's");
  list.on_run(cmd, [args](Context& context) { return run_logs(context, *args); });
}

}  // namespace supd::ctl
