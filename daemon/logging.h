// supd's own log (spdlog): the only place that configures it.
#pragma once

#include <string>

#include "config/model.h"
#include "os/result.h"

namespace supd::daemon {

// Text on a terminal or to journald (no timestamps of its own when JOURNAL_STREAM is set:
// journald adds them), JSON lines with log_format: json, to stderr or to `log_file`
// (rotated at 10 MB, 5 kept). `level_override` ("debug"...) wins over the config when set.
os::Status setup_logging(const config::DaemonSettings& settings, const std::string& level_override);

}  // namespace supd::daemon
