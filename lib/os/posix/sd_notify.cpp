// The sd_notify protocol, client side, without libsystemd: it is one sendto().
#include "os/sd_notify.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace supd::os {
namespace {

#if defined(SOCK_CLOEXEC)
constexpr int kSocketType = SOCK_DGRAM | SOCK_CLOEXEC;
#else
constexpr int kSocketType = SOCK_DGRAM;  // macOS: no SOCK_CLOEXEC; closed right after use
#endif
#if defined(MSG_NOSIGNAL)
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;
#endif

// The socket address for NOTIFY_SOCKET's value; false when it is not a usable address.
bool notify_address(std::string_view name, sockaddr_un& address, socklen_t& length) {
  address = sockaddr_un{};
  address.sun_family = AF_UNIX;
  if (name.size() < 2 || name.size() > sizeof(address.sun_path) - 1) return false;
  if (name.front() != '/' && name.front() != '@') return false;
  std::memcpy(address.sun_path, name.data(), name.size());
  // "@name": an abstract socket, whose name starts with a NUL byte and is not terminated.
  if (name.front() == '@') address.sun_path[0] = '\0';
  length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() +
                                  (name.front() == '@' ? 0 : 1));
  return true;
}

std::optional<std::uint64_t> parse_number(const char* text) {
  if (text == nullptr) return std::nullopt;
  std::uint64_t value = 0;
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  if (text == end || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

bool notify_systemd(std::string_view message) {
  const char* socket_name = ::getenv("NOTIFY_SOCKET");
  if (socket_name == nullptr) return false;
  sockaddr_un address{};
  socklen_t length = 0;
  if (!notify_address(socket_name, address, length)) return false;

  int fd = ::socket(AF_UNIX, kSocketType, 0);
  if (fd < 0) return false;
  ssize_t sent = ::sendto(fd, message.data(), message.size(), kSendFlags,
                          reinterpret_cast<const sockaddr*>(&address), length);
  ::close(fd);
  return sent >= 0 && static_cast<std::size_t>(sent) == message.size();
}

std::optional<std::chrono::microseconds> systemd_watchdog_interval() {
  std::optional<std::uint64_t> usec = parse_number(::getenv("WATCHDOG_USEC"));
  if (!usec || *usec == 0) return std::nullopt;
  if (const char* pid_text = ::getenv("WATCHDOG_PID")) {
    std::optional<std::uint64_t> pid = parse_number(pid_text);
    if (!pid || *pid != static_cast<std::uint64_t>(::getpid())) return std::nullopt;
  }
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec));
}

}  // namespace supd::os
