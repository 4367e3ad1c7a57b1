#include "ctl/options.h"

#include <algorithm>

#include "config/duration.h"

namespace supd::ctl {

CLI::Option* add_duration_option(CLI::App* app, const std::string& name, std::string& text,
                                 const std::string& description) {
  CLI::Validator duration(
      [](std::string& value) -> std::string {
        if (config::parse_duration(value)) return "";
        return "expected a duration such as 250ms, 10s, 5m, 1h or a number of seconds, got \"" +
               value + "\"";
      },
      "DURATION");
  return app->add_option(name, text, description)->check(duration)->capture_default_str();
}

std::chrono::milliseconds duration_value(const std::string& text) {
  return config::parse_duration(text).value_or(std::chrono::milliseconds(0));
}

std::optional<std::string> check_names(const std::vector<std::string>& names) {
  if (names.size() > 1 && std::find(names.begin(), names.end(), "all") != names.end()) {
    return "\"all\" means every service and goes alone";
  }
  return std::nullopt;
}

}  // namespace supd::ctl
