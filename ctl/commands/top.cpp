// supctl top: a live full-screen view of every service, refreshed from the status page.
#include <algorithm>
#include <iostream>
#include <memory>

#include "ctl/command_list.h"
#include "ctl/exit_codes.h"
#include "ctl/options.h"
#include "ctl/status_source.h"
#include "ctl/top_screen.h"
#include "os/terminal.h"

namespace supd::ctl {
namespace {

constexpr char kCtrlC = 3;
constexpr char kCtrlD = 4;

struct TopArgs {
  std::string interval = "500ms";
};

// Home, the frame's lines each clearing the rest of its row, then clear below.
std::string compose(const std::vector<std::string>& lines) {
  std::string screen = "\x1b[H";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    screen += lines[i];
    screen += "\x1b[K";
    if (i + 1 < lines.size()) screen += "\n";
  }
  screen += "\x1b[J";
  return screen;
}

int run_top(Context& context, const TopArgs& args) {
  if (!os::is_terminal(os::StdStream::In) || !os::is_terminal(os::StdStream::Out) ||
      &context.out() != &std::cout) {
    context.error("top needs a terminal; use `supctl status` (or `watch supctl status`)");
    return kExitError;
  }
  if (!context.discover()) return kExitUsage;
  const std::string& page = context.endpoints().status_page;
  auto reader = status::StatusReader::open(page);
  if (!reader) {
    context.error(reader.error().message() + " (is supd running? `supctl status` tells)");
    return kExitError;
  }
  const auto interval = std::max(duration_value(args.interval), std::chrono::milliseconds(50));

  auto screen = os::FullScreen::enter();
  if (!screen) {
    context.error(screen.error().message());
    return kExitError;
  }
  std::ostream& out = context.out();
  std::string failure;
  for (;;) {
    auto view = read_page_view(*reader);
    TopFrame frame;
    frame.now_ms = now_unix_ms();
    frame.colour = context.colour();
    if (auto size = os::terminal_size()) {
      frame.rows = size->rows;
      frame.columns = size->columns;
    }
    if (view) {
      frame.view = &*view;
    } else {
      frame.problem = view.error().message();
    }
    out << compose(render_top(frame)) << std::flush;
    if (!out) {
      failure = "cannot write to the terminal";
      break;
    }

    auto key = os::wait_for_key(interval);
    if (!key) {
      failure = key.error().message();
      break;
    }
    if (*key && (**key == 'q' || **key == 'Q' || **key == kCtrlC || **key == kCtrlD)) break;
  }
  screen->leave();
  if (!failure.empty()) {
    context.error(failure);
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

void add_top_commands(CommandList& list) {
  auto args = std::make_shared<TopArgs>();
  CLI::App* cmd = list.subcommand("top", "Live full-screen view of every service");
  cmd->footer("Refreshed from the status page. q or Ctrl+C quits.");
  add_duration_option(cmd, "--interval", args->interval, "time between refreshes");
  list.on_run(cmd, [args](Context& context) { return run_top(context, *args); });
}

}  // namespace supd::ctl
