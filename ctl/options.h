// Option types several verbs share: durations ("250ms", "10s", "5m", "1h", bare seconds, as
// the config writes them) and lists of service names.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace supd::ctl {

// A duration option whose text is checked while parsing (a bad one is a usage error).
CLI::Option* add_duration_option(CLI::App* app, const std::string& name, std::string& text,
                                 const std::string& description);

// The value of a checked duration option's text.
std::chrono::milliseconds duration_value(const std::string& text);

// "all" stands alone: an error message when `names` mixes it with other names.
std::optional<std::string> check_names(const std::vector<std::string>& names);

}  // namespace supd::ctl
