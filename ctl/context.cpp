#include "ctl/context.h"

#include "ctl/answer.h"
#include "ctl/exit_codes.h"

namespace supd::ctl {

void Context::error(std::string_view text) { err_ << "supctl: " << text << "\n" << std::flush; }

void Context::warn(std::string_view text) {
  err_ << "supctl: warning: " << text << "\n" << std::flush;
}

bool Context::discover() {
  if (discovered_) return true;
  auto found = ctl::discover(options_.config, options_.socket, options_.status_page);
  if (!found) {
    error(found.error().message());
    return false;
  }
  discovery_ = std::move(*found);
  discovered_ = true;
  for (const std::string& warning : discovery_.warnings) warn(warning);
  return true;
}

std::optional<control::ControlClient> Context::connect(std::chrono::milliseconds timeout) {
  if (!discover()) return std::nullopt;
  control::ClientOptions options;
  options.group_hint = endpoints().group;
  options.connect_timeout = timeout;
  auto client = control::ControlClient::connect(endpoints().socket, options);
  if (!client) {
    error(client.error().message());
    return std::nullopt;
  }
  return std::move(*client);
}

int Context::report(const control::ControlError& error_value) {
  error(describe(error_value));
  // Details stand alone (file:line:col: ... for a config), so editors can jump to them.
  for (const std::string& line : error_value.details) {
    if (line != error_value.message) err_ << line << "\n";
  }
  err_ << std::flush;
  return exit_code_for(error_value);
}

int Context::finish(const os::Result<nlohmann::json>& raw,
                    const std::function<int(const nlohmann::json& result)>& on_ok) {
  if (!raw) {
    error(raw.error().message());
    return kExitError;
  }
  if (raw.value().is_null()) return kExitOk;  // the client left a stream
  auto answer = read_answer(raw.value());
  if (!answer) {
    error(answer.error().message());
    return kExitError;
  }
  if (!answer->ok) return report(answer->error);
  return on_ok(answer->result);
}

int Context::call(const nlohmann::json& request, std::chrono::milliseconds timeout,
                  const std::function<int(const nlohmann::json& result)>& on_ok) {
  auto client = connect();
  if (!client) return kExitError;
  return finish(client->call(request, timeout), on_ok);
}

int Context::stream(const nlohmann::json& request,
                    const std::function<bool(const nlohmann::json& event)>& on_event) {
  auto client = connect();
  if (!client) return kExitError;
  return finish(client->stream(request, on_event),
                [](const nlohmann::json& /*result*/) { return kExitOk; });
}

}  // namespace supd::ctl
