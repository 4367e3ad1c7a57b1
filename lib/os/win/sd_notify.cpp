// No systemd on Windows: the service control manager hears from windows-service/ instead.
#include "os/sd_notify.h"

namespace supd::os {

bool notify_systemd(std::string_view) { return false; }

std::optional<std::chrono::microseconds> systemd_watchdog_interval() { return std::nullopt; }

}  // namespace supd::os
