// The sd_notify message format, shared by every platform's NotifySocket.
#include "os/notify_socket.h"

namespace supd::os {

std::optional<std::string_view> NotifyMessage::get(std::string_view key) const {
  std::optional<std::string_view> value;
  for (const auto& [k, v] : fields) {
    if (k == key) value = v;
  }
  return value;
}

NotifyFields parse_notify_message(std::string_view text) {
  NotifyFields fields;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    fields.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return fields;
}

}  // namespace supd::os
