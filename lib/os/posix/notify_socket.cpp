// sd_notify on POSIX: an AF_UNIX datagram socket read with recvmsg(2), so the kernel's
// sender credentials (Linux: SCM_CREDENTIALS) and any passed descriptors can be handled.
#include "os/notify_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include <asio/local/datagram_protocol.hpp>

namespace supd::os {

struct NotifySocket::Impl {
  explicit Impl(asio::io_context& io) : socket(io) {}
  asio::local::datagram_protocol::socket socket;
  std::string path;
  dev_t dev = 0;
  ino_t ino = 0;
  bool closed = false;
};

namespace {

Error plain_error(std::string what) { return Error{std::error_code(), std::move(what)}; }

// Closes every descriptor a sender passed along: supd has no use for them, and keeping
// them would leak one per message.
void close_passed_fds(msghdr& msg) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const unsigned char* data = CMSG_DATA(c);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, data + i * sizeof(int), sizeof fd);
      ::close(fd);
    }
  }
}

std::int64_t sender_pid(msghdr& msg) {
#if defined(__linux__)
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
        c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
      ucred cred{};
      std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
      return cred.pid;
    }
  }
#else
  (void)msg;
#endif
  return -1;
}

// Reads datagrams until one is deliverable or none is left. Returns true when `out` or
// `error` was set, false when the socket is drained.
bool read_one(int fd, NotifyMessage& out, std::error_code& error) {
  for (;;) {
    char data[kMaxNotifyMessage + 1];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 32) + 64];
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    int flags = MSG_DONTWAIT;
#ifdef MSG_CMSG_CLOEXEC
    flags |= MSG_CMSG_CLOEXEC;
#endif
    ssize_t n = ::recvmsg(fd, &msg, flags);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      error = std::error_code(errno, std::generic_category());
      return true;
    }
    close_passed_fds(msg);
    if ((msg.msg_flags & MSG_TRUNC) != 0 || static_cast<std::size_t>(n) > kMaxNotifyMessage) {
      continue;  // oversized: dropped
    }
    out.pid = sender_pid(msg);
    out.fields = parse_notify_message(std::string_view(data, static_cast<std::size_t>(n)));
    return true;
  }
}

void receive(std::shared_ptr<NotifySocket::Impl> impl, NotifySocket::ReceiveHandler handler) {
  NotifySocket::Impl& self = *impl;
  self.socket.async_wait(
      asio::socket_base::wait_read,
      [impl = std::move(impl), handler = std::move(handler)](std::error_code ec) mutable {
        if (impl->closed) return handler(asio::error::operation_aborted, {});
        if (ec) return handler(ec, {});
        NotifyMessage message;
        std::error_code error;
        if (!read_one(impl->socket.native_handle(), message, error)) {
          return receive(std::move(impl), std::move(handler));
        }
        handler(error, std::move(message));
      });
}

}  // namespace

NotifySocket::NotifySocket(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

NotifySocket::~NotifySocket() {
  close();
  if (impl_->path.starts_with('@')) return;  // an abstract name: no file
  struct stat st {};
  if (::lstat(impl_->path.c_str(), &st) == 0 && st.st_dev == impl_->dev &&
      st.st_ino == impl_->ino) {
    ::unlink(impl_->path.c_str());
  }
}

Result<std::unique_ptr<NotifySocket>> NotifySocket::bind(asio::io_context& io,
                                                         const std::string& path) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return plain_error("notify socket path is too long (" + std::to_string(path.size()) +
                       " bytes; at most " + std::to_string(sizeof addr.sun_path - 1) +
                       "): " + path);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  // "@name": Linux's abstract namespace, as systemd's clients understand NOTIFY_SOCKET. No
  // file and no directory stands between a service and the socket, whatever user it runs
  // as; the sender's pid (SO_PASSCRED) says who is speaking.
  const bool abstract = path.front() == '@';
#if !defined(__linux__)
  if (abstract) return plain_error("abstract socket names need Linux: " + path);
#endif
  if (abstract) addr.sun_path[0] = '\0';
  auto len =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));

  struct stat st {};
  if (!abstract && ::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return plain_error(path + " exists and is not a socket; cannot use it as NOTIFY_SOCKET");
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return last_error("remove the old notify socket " + path);
    }
  }

#ifdef SOCK_CLOEXEC
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
#else
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
  if (fd < 0) return last_error("create the notify socket");
  auto fail = [fd](Error e) {
    ::close(fd);
    return e;
  };
#if defined(__linux__)
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) {
    return fail(last_error("ask for sender credentials on the notify socket"));
  }
#endif
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    return fail(last_error("bind the notify socket at " + path));
  }
  // Widening after bind is safe: until then the file only had fewer permissions.
  if (!abstract && (::chmod(path.c_str(), 0666) != 0 || ::lstat(path.c_str(), &st) != 0)) {
    Error e = last_error("set the mode of the notify socket " + path);
    ::unlink(path.c_str());
    return fail(e);
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  auto impl = std::make_shared<Impl>(io);
  std::error_code ec;
  impl->socket.assign(asio::local::datagram_protocol(), fd, ec);
  if (ec) {
    if (!abstract) ::unlink(path.c_str());
    return fail(Error{ec, "watch the notify socket " + path});
  }
  impl->path = path;
  impl->dev = st.st_dev;
  impl->ino = st.st_ino;
  return std::unique_ptr<NotifySocket>(new NotifySocket(std::move(impl)));
}

void NotifySocket::async_receive(ReceiveHandler handler) { receive(impl_, std::move(handler)); }

void NotifySocket::close() {
  impl_->closed = true;
  std::error_code ignored;
  impl_->socket.close(ignored);
}

const std::string& NotifySocket::path() const { return impl_->path; }

std::string notify_socket_base(const std::string& control_path) {
#if defined(__linux__)
  (void)control_path;
  std::random_device random;
  char base[64];
  std::snprintf(base, sizeof base, "@supd/%ld.%08x%08x", static_cast<long>(::getpid()),
                static_cast<unsigned>(random()), static_cast<unsigned>(random()));
  return base;
#else
  const std::size_t slash = control_path.find_last_of('/');
  return (slash == std::string::npos ? std::string(".") : control_path.substr(0, slash)) +
         "/notify";
#endif
}

}  // namespace supd::os
