// The receiving end of the sd_notify protocol: a service started with NOTIFY_SOCKET=<path>
// sends datagrams such as "READY=1\nSTATUS=listening\n" to it.
//
// POSIX: an AF_UNIX datagram socket. On Linux every datagram carries its sender's pid
// (SO_PASSCRED), which the kernel vouches for, so the supervisor can tell whose message it
// is; elsewhere the pid is -1 and the caller must rely on the socket being per-service.
// Windows has no equivalent; bind() fails there.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <asio/io_context.hpp>

#include "os/result.h"

namespace supd::os {

using NotifyFields = std::vector<std::pair<std::string, std::string>>;

// Datagrams larger than this are dropped unread (sd_notify messages are a few bytes).
inline constexpr std::size_t kMaxNotifyMessage = 4096;

struct NotifyMessage {
  std::int64_t pid = -1;  // the sender, or -1 when the platform does not say
  NotifyFields fields;    // in the order sent

  // The last value sent for `key` ("READY" -> "1"), if any.
  std::optional<std::string_view> get(std::string_view key) const;
};

// "READY=1\nSTATUS=up and running\n" -> {{"READY","1"},{"STATUS","up and running"}}.
// Lines are separated by '\n'; empty lines, lines without '=' and lines with an empty key are
// ignored; a value may contain '='. Never fails.
NotifyFields parse_notify_message(std::string_view text);

// Where one daemon's per-service notify sockets go; a service's is "<base>/<name>.notify".
// Linux: an abstract prefix, "@supd/<pid>.<random>", so services running as other users
// reach their socket through no directory, and nobody can take the names beforehand.
// Elsewhere: the directory "notify" beside the control socket (the caller creates it).
std::string notify_socket_base(const std::string& control_path);
// Whether `base` (from notify_socket_base) is a directory to create.
inline bool notify_base_is_directory(const std::string& base) {
  return !base.empty() && base.front() != '@';
}

class NotifySocket {
 public:
  using ReceiveHandler = std::function<void(std::error_code, NotifyMessage)>;

  // Binds a datagram socket at `path` (a stale socket file there is replaced; any other file
  // is an error). A path starting with '@' is a name in Linux's abstract namespace (no file;
  // an error elsewhere). The socket is writable by everyone, as systemd's own notify socket is:
  // services may run as other users, and it is the sender's pid, not the file mode, that
  // identifies a service. Removed again on destruction.
  static Result<std::unique_ptr<NotifySocket>> bind(asio::io_context& io, const std::string& path);

  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // Delivers the next well-formed datagram. One receive outstanding at a time; call again
  // from the handler to keep listening. After close() or destruction the handler gets
  // asio::error::operation_aborted. Descriptors passed along (SCM_RIGHTS) are closed.
  void async_receive(ReceiveHandler handler);
  void close();
  const std::string& path() const;

  struct Impl;

 private:
  explicit NotifySocket(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace supd::os
