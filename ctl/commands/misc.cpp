// supctl reload, shutdown, check-config [FILE], version.
#include <memory>

#include "config/load.h"
#include "ctl/answer.h"
#include "ctl/command_list.h"
#include "ctl/exit_codes.h"
#include "ctl/version.h"

namespace supd::ctl {
namespace {

// "added: db, cache" for a non-empty list in `result[key]`.
void print_list(std::ostream& out, const nlohmann::json& result, const char* key) {
  auto list = result.find(key);
  if (list == result.end() || !list->is_array() || list->empty()) return;
  out << key << ":";
  const char* separator = " ";
  for (const nlohmann::json& name : *list) {
    if (!name.is_string()) continue;
    out << separator << name.get<std::string>();
    separator = ", ";
  }
  out << "\n";
}

int run_reload(Context& context) {
  return context.call({{"cmd", "reload"}}, kAnswerTimeout, [&](const nlohmann::json& result) {
    std::ostream& out = context.out();
    if (context.json()) {
      out << result.dump(2) << "\n";
      return kExitOk;
    }
    if (result.is_object() && result.contains("message") && result["message"].is_string()) {
      out << result["message"].get<std::string>() << "\n";
    }
    for (const char* key : {"added", "removed", "changed"}) print_list(out, result, key);
    if (!result.is_object() || result.empty()) out << "reloaded\n";
    return kExitOk;
  });
}

int run_shutdown(Context& context) {
  return context.call({{"cmd", "shutdown"}}, kAnswerTimeout, [&](const nlohmann::json& result) {
    if (context.json()) {
      context.out() << result.dump(2) << "\n";
    } else {
      context.out() << "supd is stopping its services and shutting down\n";
    }
    return kExitOk;
  });
}

int run_check_config(Context& context, const std::string& file_arg) {
  std::string file = file_arg;
  if (file.empty()) file = context.options().config;
  if (file.empty()) file = default_config_file();
  return config::check_config_command(file, context.out(), context.err());
}

// supd's version, or why it could not be asked; never fails the command.
nlohmann::json daemon_version(Context& context, std::string& problem) {
  auto found =
      discover(context.options().config, context.options().socket, context.options().status_page);
  if (!found) {
    problem = found.error().message();
    return nullptr;
  }
  control::ClientOptions options;
  options.group_hint = found->endpoints.group;
  options.connect_timeout = std::chrono::seconds(2);
  auto client = control::ControlClient::connect(found->endpoints.socket, options);
  if (!client) {
    problem = client.error().message();
    return nullptr;
  }
  auto raw = client->call({{"cmd", "version"}}, std::chrono::seconds(5));
  if (!raw) {
    problem = raw.error().message();
    return nullptr;
  }
  auto answer = read_answer(*raw);
  if (!answer || !answer->ok) {
    problem = answer ? describe(answer->error) : answer.error().message();
    return nullptr;
  }
  return answer->result;
}

int run_version(Context& context) {
  std::string problem;
  const nlohmann::json daemon = daemon_version(context, problem);
  std::ostream& out = context.out();
  if (context.json()) {
    nlohmann::ordered_json j = {{"supctl", kSupctlVersion}};
    j["supd"] = daemon;
    out << j.dump(2) << "\n";
    return kExitOk;
  }
  out << "supctl " << kSupctlVersion << "\n";
  if (daemon.is_object()) {
    out << "supd " << daemon.value("version", "?");
    if (auto protocol = daemon.find("protocol"); protocol != daemon.end()) {
      out << " (protocol " << protocol->dump() << ")";
    }
    out << "\n";
  } else {
    out << "supd: not reachable (" << problem << ")\n";
  }
  return kExitOk;
}

}  // namespace

void add_misc_commands(CommandList& list) {
  CLI::App* reload = list.subcommand("reload", "Re-read the config");
  reload->footer(
      "Adds new services, stops and drops removed ones, restarts changed ones, keeps the "
      "rest. A bad config is reported and the running one stays in force.\n"
      "Exit codes: 0 reloaded; 2 the config has errors (listed on stderr).");
  list.on_run(reload, run_reload);

  CLI::App* shutdown = list.subcommand("shutdown", "Stop all services and the daemon");
  list.on_run(shutdown, run_shutdown);

  auto file = std::make_shared<std::string>();
  CLI::App* check =
      list.subcommand("check-config", "Validate a config (default: the -c file) without a daemon");
  check->add_option("file", *file, "the config to check")->type_name("FILE");
  check->footer("Exit codes: 0 valid (prints ok); 2 invalid (one line per problem on stderr).");
  list.on_run(check, [file](Context& context) { return run_check_config(context, *file); });

  CLI::App* version = list.subcommand("version", "Print supctl's version and the daemon's");
  list.on_run(version, run_version);
}

}  // namespace supd::ctl
