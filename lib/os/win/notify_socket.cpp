// sd_notify has no Windows counterpart (no datagram sockets with sender credentials), so
// NotifySocket::bind() fails there and services cannot use `ready: {notify: true}`.
#include "os/notify_socket.h"

#include <windows.h>

#include <asio/error.hpp>
#include <asio/post.hpp>

namespace supd::os {

struct NotifySocket::Impl {
  std::string path;
};

Result<std::unique_ptr<NotifySocket>> NotifySocket::bind(asio::io_context&,
                                                         const std::string& path) {
  return Error{{ERROR_NOT_SUPPORTED, std::system_category()},
               "bind the notify socket " + path + ": sd_notify is not supported on Windows"};
}

NotifySocket::NotifySocket(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

NotifySocket::~NotifySocket() = default;

void NotifySocket::async_receive(ReceiveHandler handler) {
  const ReceiveHandler done = std::move(handler);
  done(asio::error::operation_aborted, NotifyMessage{});
}

void NotifySocket::close() {}

const std::string& NotifySocket::path() const { return impl_->path; }

std::string notify_socket_base(const std::string& control_path) {
  const std::size_t slash = control_path.find_last_of("\\/");
  return (slash == std::string::npos ? std::string(".") : control_path.substr(0, slash)) +
         "\\notify";
}

}  // namespace supd::os
