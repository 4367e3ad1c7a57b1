// supctl start|stop|restart NAME...|all, signal SIG NAME..., wait NAME... --state S: verbs
// that change (or wait for) services' states through the control pipe.
#include <memory>

#include "control/protocol.h"
#include "ctl/command_list.h"
#include "ctl/exit_codes.h"
#include "ctl/options.h"
#include "os/signals.h"

namespace supd::ctl {
namespace {

// One line per service of a {"services": [{"name","state","pid"}]} result:
// "web: running (pid 1234)".
int print_services(Context& context, const nlohmann::json& result) {
  if (context.json()) {
    context.out() << result.dump(2) << "\n";
    return kExitOk;
  }
  auto services = result.find("services");
  if (services == result.end() || !services->is_array()) return kExitOk;
  for (const nlohmann::json& s : *services) {
    if (!s.is_object()) continue;
    context.out() << s.value("name", "?") << ": " << s.value("state", "?");
    if (auto pid = s.find("pid"); pid != s.end() && pid->is_number_integer()) {
      context.out() << " (pid " << pid->get<std::int64_t>() << ")";
    }
    context.out() << "\n";
  }
  return kExitOk;
}

struct LifecycleArgs {
  std::vector<std::string> names;
  bool no_wait = false;
  std::string timeout = "30s";
};

int run_lifecycle(Context& context, const char* verb, const LifecycleArgs& args) {
  if (auto problem = check_names(args.names)) {
    context.error(*problem);
    return kExitUsage;
  }
  nlohmann::json request = {{"cmd", verb}, {"names", args.names}, {"wait", !args.no_wait}};
  std::chrono::milliseconds answer_timeout = kAnswerTimeout;
  if (!args.no_wait) {
    const auto timeout = duration_value(args.timeout);
    request["timeout_ms"] = timeout.count();
    answer_timeout = timeout + kAnswerMargin;
  }
  return context.call(request, answer_timeout, [&](const nlohmann::json& result) {
    return print_services(context, result);
  });
}

void add_lifecycle(CommandList& list, const char* verb, const std::string& description) {
  auto args = std::make_shared<LifecycleArgs>();
  CLI::App* cmd = list.subcommand(verb, description);
  cmd->add_option("names", args->names, "services, or `all`")->required()->type_name("NAME");
  cmd->add_flag("--no-wait", args->no_wait, "answer at once instead of when they got there");
  add_duration_option(cmd, "--timeout", args->timeout, "give up waiting after this long");
  cmd->footer("Exit codes: 0 ok; 1 failed or timed out; 4 no such service.");
  list.on_run(cmd, [args, verb](Context& context) { return run_lifecycle(context, verb, *args); });
}

std::string accepted_signals() {
  std::string text;
  for (os::Signal s : {os::Signal::Hup, os::Signal::Int, os::Signal::Quit, os::Signal::Kill,
                       os::Signal::Usr1, os::Signal::Usr2, os::Signal::Term, os::Signal::Cont,
                       os::Signal::Stop, os::Signal::Winch, os::Signal::Alrm}) {
    if (!text.empty()) text += " ";
    text += std::string(os::signal_name(s)).substr(3);
  }
  return text;
}

struct SignalArgs {
  std::string signal;
  std::vector<std::string> names;
};

int run_signal(Context& context, const SignalArgs& args) {
  const auto signal = os::parse_signal(args.signal);
  if (!signal) {
    context.error("unknown signal \"" + args.signal + "\"; accepted: " + accepted_signals() +
                  " (with or without SIG, any case)");
    return kExitUsage;
  }
  if (auto problem = check_names(args.names)) {
    context.error(*problem);
    return kExitUsage;
  }
  const std::string name = os::signal_name(*signal);
  nlohmann::json request = {{"cmd", "signal"}, {"names", args.names}, {"signal", name}};
  return context.call(request, kAnswerTimeout, [&](const nlohmann::json& result) {
    if (context.json()) {
      context.out() << result.dump(2) << "\n";
      return kExitOk;
    }
    const nlohmann::json names = result.value("signalled", nlohmann::json(args.names));
    for (const nlohmann::json& n : names) {
      if (n.is_string()) context.out() << "sent " << name << " to " << n.get<std::string>() << "\n";
    }
    return kExitOk;
  });
}

struct WaitArgs {
  std::vector<std::string> names;
  std::string state;
  std::string timeout = "30s";
};

int run_wait(Context& context, const WaitArgs& args) {
  if (auto problem = check_names(args.names)) {
    context.error(*problem);
    return kExitUsage;
  }
  const auto timeout = duration_value(args.timeout);
  nlohmann::json request = {{"cmd", "wait"},
                            {"names", args.names},
                            {"state", args.state},
                            {"timeout_ms", timeout.count()}};
  return context.call(request, timeout + kAnswerMargin, [&](const nlohmann::json& result) {
    return print_services(context, result);
  });
}

}  // namespace

void add_lifecycle_commands(CommandList& list) {
  add_lifecycle(list, "start", "Start services (also out of fatal) and wait until they run");
  add_lifecycle(list, "stop", "Stop services and wait until they are down");
  add_lifecycle(list, "restart", "Restart services and wait until they run again");

  auto signal_args = std::make_shared<SignalArgs>();
  CLI::App* signal = list.subcommand("signal", "Send a signal to services' main processes");
  signal->add_option("signal", signal_args->signal, "TERM, SIGTERM, usr1, ...")
      ->required()
      ->type_name("SIG");
  signal->add_option("names", signal_args->names, "services, or `all`")
      ->required()
      ->type_name("NAME");
  signal->footer("Signals: " + accepted_signals() + ", with or without SIG, in any case.");
  list.on_run(signal,
              [signal_args](Context& context) { return run_signal(context, *signal_args); });

  auto wait_args = std::make_shared<WaitArgs>();
  CLI::App* wait = list.subcommand("wait", "Wait until services reach a state");
  wait->add_option("names", wait_args->names, "services, or `all`")->required()->type_name("NAME");
  wait->add_option("--state", wait_args->state, "the state to wait for")
      ->required()
      ->check(CLI::IsMember(
          {"running", "stopped", "exited", "fatal", "starting", "stopping", "backoff"}));
  add_duration_option(wait, "--timeout", wait_args->timeout, "give up after this long");
  wait->footer(
      "Exit codes: 0 reached; 1 timed out (or can no longer get there); 4 no such "
      "service.");
  list.on_run(wait, [wait_args](Context& context) { return run_wait(context, *wait_args); });
}

}  // namespace supd::ctl
