// The control pipe on POSIX: a Unix domain stream socket.
//
// Who may connect is decided twice: by the socket file's mode and group (connect(2) needs
// write permission on it) and by the server checking peer credentials after accept. The
// file must therefore never be visible at its path with a wider mode than intended, not even
// for an instant. bind(2) creates it with the process umask, which is process-wide state a
// library must not change, and chmod after bind leaves a window; fchmod before bind is
// honoured by Linux but not by the BSDs. So the socket is bound inside a fresh private
// directory (mkdtemp: 0700, reachable only by us), given its mode and group there, and only
// then linked to its final path. link(2) also refuses to replace an existing file, so two
// daemons starting at once cannot silently steal each other's socket.
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>
#if defined(__APPLE__) || defined(__FreeBSD__)
#include <sys/param.h>
#include <sys/ucred.h>
#endif

#include <cstring>
#include <string>
#include <vector>

#include <asio/local/stream_protocol.hpp>
#include <asio/write.hpp>

#include "os/local_socket.h"

namespace supd::os {
namespace {

Error errno_error(int err, std::string what) {
  return Error{std::error_code(err, std::generic_category()), std::move(what)};
}

// A plain sentence for the user; no errno text appended.
Error plain_error(std::string what) { return Error{std::error_code(), std::move(what)}; }

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::size_t max_path_bytes() { return sizeof(sockaddr_un{}.sun_path) - 1; }

bool make_address(const std::string& path, sockaddr_un& addr, socklen_t& len) {
  if (path.empty() || path.size() > max_path_bytes()) return false;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return true;
}

Error path_too_long(const std::string& path, std::size_t limit) {
  return plain_error("control socket path is too long (" + std::to_string(path.size()) +
                     " bytes; at most " + std::to_string(limit) + " here): " + path);
}

// A close-on-exec AF_UNIX socket: children spawned by supd must never inherit it.
int open_unix_socket(int type) {
#ifdef SOCK_CLOEXEC
  int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
#else
  int fd = ::socket(AF_UNIX, type, 0);
  if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
#ifdef SO_NOSIGPIPE
  // Where send(2) has no MSG_NOSIGNAL, a write to a departed peer must not kill supd.
  if (fd >= 0) {
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
  }
#endif
  return fd;
}

PeerCredentials peer_credentials(int fd) {
  PeerCredentials peer;
#if defined(__linux__)
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    peer.uid = cred.uid;
    peer.gid = cred.gid;
    peer.pid = cred.pid;
  }
#else
  uid_t uid = 0;
  gid_t gid = 0;
  if (::getpeereid(fd, &uid, &gid) == 0) {
    peer.uid = uid;
    peer.gid = gid;
  }
#if defined(__APPLE__) && defined(LOCAL_PEERPID)
  pid_t pid = 0;
  socklen_t len = sizeof pid;
  if (::getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &len) == 0) peer.pid = pid;
#elif defined(__FreeBSD__) && defined(LOCAL_PEERCRED) && __FreeBSD_version >= 1300000
  xucred xu{};
  socklen_t len = sizeof xu;
  if (::getsockopt(fd, 0, LOCAL_PEERCRED, &xu, &len) == 0) peer.pid = xu.cr_pid;
#endif
#endif
  return peer;
}

Result<gid_t> lookup_group(const std::string& name) {
  long hint = ::sysconf(_SC_GETGR_R_SIZE_MAX);
  std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 4096);
  for (;;) {
    group grp{};
    group* found = nullptr;
    int rc = ::getgrnam_r(name.c_str(), &grp, buf.data(), buf.size(), &found);
    if (rc == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (found != nullptr) return found->gr_gid;
    break;
  }
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos &&
      name.size() < 10) {
    return static_cast<gid_t>(std::stoul(name));
  }
  return plain_error("group \"" + name + "\" for the control socket does not exist");
}

// Creates the missing directories leading to `dir` with `mode` (and `gid`); existing ones
// (/run, /tmp, $XDG_RUNTIME_DIR) are left exactly as they are.
Status make_directories(const std::string& dir, mode_t mode, std::optional<gid_t> gid) {
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    std::string prefix = dir.substr(0, pos);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), mode) == 0) {
      // mkdir applied the umask; we just created it, so setting the exact mode is ours to do.
      if (gid && ::chown(prefix.c_str(), static_cast<uid_t>(-1), *gid) != 0) {
        return last_error("give directory " + prefix + " to the control group");
      }
      if (::chmod(prefix.c_str(), mode) != 0) return last_error("set the mode of " + prefix);
      continue;
    }
    int err = errno;
    struct stat st {};
    if (err == EEXIST && ::stat(prefix.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      return plain_error("cannot create the control socket's directory: " + prefix +
                         " exists and is not a directory");
    }
    return errno_error(err, "create directory " + prefix);
  }
  return {};
}

std::string parent_of(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// What is at `path` before we listen there.
enum class Occupant { Nothing, Stale, Live };

Result<Occupant> probe(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Occupant::Nothing;
    return last_error("inspect " + path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return plain_error(path + " exists and is not a socket; remove it or choose another path");
  }
  sockaddr_un addr{};
  socklen_t len = 0;
  make_address(path, addr, len);
  Fd fd(open_unix_socket(SOCK_STREAM));
  if (fd.get() < 0) return last_error("create a socket to probe " + path);
  // Non-blocking: a listener whose backlog is full must not stall us; it is alive.
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0) {
    PeerCredentials owner = peer_credentials(fd.get());
    if (owner.pid > 0) {
      return plain_error("another supd is running (pid " + std::to_string(owner.pid) + ")");
    }
    return plain_error("another supd is running");
  }
  int err = errno;
  switch (err) {
    case ECONNREFUSED:
      return Occupant::Stale;
    case ENOENT:  // removed between lstat and connect
      return Occupant::Nothing;
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINPROGRESS:
      return plain_error("another supd is running");
    default:
      return errno_error(err, "check whether another supd is listening at " + path);
  }
}

class UnixStream final : public Stream {
 public:
  using Socket = asio::local::stream_protocol::socket;

  UnixStream(asio::io_context& io, int fd, PeerCredentials peer)
      : socket_(std::make_shared<Socket>(io)), peer_(peer) {
    std::error_code ec;
    socket_->assign(asio::local::stream_protocol(), fd, ec);
    if (ec) ::close(fd);
  }
  ~UnixStream() override { close(); }

  PeerCredentials peer() const override { return peer_; }

  // Handlers hold the socket object, so an operation finishing after this Stream was
  // destroyed never touches freed memory.
  void async_read_some(char* data, std::size_t size, ReadHandler handler) override {
    socket_->async_read_some(asio::buffer(data, size),
                             [socket = socket_, handler = std::move(handler)](
                                 std::error_code ec, std::size_t n) { handler(ec, n); });
  }

  void async_write(std::shared_ptr<const std::string> data, WriteHandler handler) override {
    asio::async_write(*socket_, asio::buffer(*data),
                      [socket = socket_, data, handler = std::move(handler)](
                          std::error_code ec, std::size_t) { handler(ec); });
  }

  void close() override {
    std::error_code ignored;
    socket_->close(ignored);
  }

  Result<std::size_t> read_some(char* data, std::size_t size) override {
    std::error_code ec;
    std::size_t n = socket_->read_some(asio::buffer(data, size), ec);
    if (ec == asio::error::eof) return std::size_t{0};
    if (ec) return Error{ec, "read from the control socket"};
    return n;
  }

  Status write_all(const char* data, std::size_t size) override {
    std::error_code ec;
    asio::write(*socket_, asio::buffer(data, size), ec);
    if (ec) return Error{ec, "write to the control socket"};
    return {};
  }

 private:
  std::shared_ptr<Socket> socket_;
  PeerCredentials peer_;
};

class UnixListener final : public Listener {
 public:
  UnixListener(asio::io_context& io, int fd, std::string path, dev_t dev, ino_t ino)
      : io_(io), state_(std::make_shared<State>(io)), path_(std::move(path)), dev_(dev), ino_(ino) {
    std::error_code ec;
    state_->acceptor.assign(asio::local::stream_protocol(), fd, ec);
    if (ec) ::close(fd);
  }

  ~UnixListener() override {
    close();
    struct stat st {};
    // Remove the file only while it is still ours: a successor may have replaced it.
    if (::lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) {
      ::unlink(path_.c_str());
    }
  }

  void async_accept(AcceptHandler handler) override {
    wait_accept(io_, state_, std::move(handler));
  }

  void close() override {
    state_->closed = true;
    std::error_code ignored;
    state_->acceptor.close(ignored);
  }

  const std::string& path() const override { return path_; }

 private:
  struct State {
    explicit State(asio::io_context& io) : acceptor(io) {}
    asio::local::stream_protocol::acceptor acceptor;
    bool closed = false;
  };

  // Waits for readiness and accepts with accept4 so the new descriptor is close-on-exec
  // from its first instant (Asio's accept cannot set that flag atomically).
  static void wait_accept(asio::io_context& io, std::shared_ptr<State> state,
                          AcceptHandler handler) {
    State& s = *state;
    s.acceptor.async_wait(
        asio::socket_base::wait_read,
        [&io, state = std::move(state), handler = std::move(handler)](std::error_code ec) mutable {
          if (state->closed) return handler(asio::error::operation_aborted, nullptr);
          if (ec) return handler(ec, nullptr);
          int listen_fd = state->acceptor.native_handle();
#if defined(__linux__) || defined(__FreeBSD__)
          int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
#else
          int fd = ::accept(listen_fd, nullptr, nullptr);
          if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
          if (fd < 0) {
            int err = errno;
            if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED) {
              return wait_accept(io, std::move(state), std::move(handler));
            }
            return handler(std::error_code(err, std::generic_category()), nullptr);
          }
#ifdef SO_NOSIGPIPE
          int one = 1;
          ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
          handler({}, std::make_unique<UnixStream>(io, fd, peer_credentials(fd)));
        });
  }

  asio::io_context& io_;
  std::shared_ptr<State> state_;
  std::string path_;
  dev_t dev_;
  ino_t ino_;
};

// Removes the private bind directory and what is left in it.
class TempBindDir {
 public:
  ~TempBindDir() {
    if (!socket_path.empty()) ::unlink(socket_path.c_str());
    if (!dir.empty()) ::rmdir(dir.c_str());
  }
  std::string dir;
  std::string socket_path;
};

enum class Placed { Yes, Occupied };

// One attempt: bind privately, set mode and group, publish at `path`.
Result<Placed> bind_and_publish(const std::string& path, mode_t mode, std::optional<gid_t> gid,
                                int& out_fd, dev_t& dev, ino_t& ino) {
  TempBindDir temp;
  std::string templ = parent_of(path) + "/.supdXXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return last_error("create a private directory beside " + path);
  }
  temp.dir = buf.data();
  std::string bind_path = temp.dir + "/s";

  sockaddr_un addr{};
  socklen_t len = 0;
  if (!make_address(bind_path, addr, len)) {
    return path_too_long(path, max_path_bytes() - (bind_path.size() - path.size()));
  }
  Fd fd(open_unix_socket(SOCK_STREAM));
  if (fd.get() < 0) return last_error("create the control socket");
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    return last_error("bind the control socket at " + bind_path);
  }
  temp.socket_path = bind_path;
  if (gid && ::chown(bind_path.c_str(), static_cast<uid_t>(-1), *gid) != 0) {
    return last_error("give the control socket " + path + " to its group");
  }
  if (::chmod(bind_path.c_str(), mode) != 0) {
    return last_error("set the mode of the control socket " + path);
  }
  if (::listen(fd.get(), SOMAXCONN) != 0) return last_error("listen on " + path);
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  struct stat st {};
  if (::lstat(bind_path.c_str(), &st) != 0) return last_error("inspect " + bind_path);

  if (::link(bind_path.c_str(), path.c_str()) != 0) {
    int err = errno;
    if (err == EEXIST) return Placed::Occupied;
    // Filesystems without hard links: rename, which replaces the stale file we already
    // decided to remove.
    if (::rename(bind_path.c_str(), path.c_str()) != 0) {
      return last_error("place the control socket at " + path);
    }
    temp.socket_path.clear();
  }
  dev = st.st_dev;
  ino = st.st_ino;
  out_fd = fd.release();
  return Placed::Yes;
}

}  // namespace

PeerCredentials own_credentials() {
  return PeerCredentials{static_cast<std::int64_t>(::geteuid()),
                         static_cast<std::int64_t>(::getegid()),
                         static_cast<std::int64_t>(::getpid())};
}

Result<std::unique_ptr<Listener>> listen(asio::io_context& io, const ListenOptions& options) {
  const std::string& path = options.path;
  sockaddr_un addr{};
  socklen_t len = 0;
  if (path.empty()) return plain_error("no control socket path given");
  if (!make_address(path, addr, len)) return path_too_long(path, max_path_bytes());

  std::optional<gid_t> gid;
  if (options.group) {
    auto found = lookup_group(*options.group);
    if (!found) return found.error();
    gid = *found;
  }
  Status dirs = make_directories(parent_of(path), gid ? 0750 : 0700, gid);
  if (!dirs) return dirs.error();

  const mode_t mode = gid ? 0660 : 0600;
  // Each round: clear a stale socket, then publish ours. Losing the race to a second
  // daemon shows up as EEXIST from link(2) and sends us back to probing.
  for (int round = 0; round < 3; ++round) {
    auto occupant = probe(path);
    if (!occupant) return occupant.error();
    if (*occupant == Occupant::Stale && ::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return last_error("remove the stale control socket " + path);
    }
    int fd = -1;
    dev_t dev = 0;
    ino_t ino = 0;
    auto placed = bind_and_publish(path, mode, gid, fd, dev, ino);
    if (!placed) return placed.error();
    if (*placed == Placed::Yes) {
      return std::unique_ptr<Listener>(std::make_unique<UnixListener>(io, fd, path, dev, ino));
    }
  }
  return plain_error("could not claim the control socket " + path +
                     ": another process keeps replacing it");
}

Result<std::unique_ptr<Stream>> connect(asio::io_context& io, const std::string& path,
                                        const ConnectOptions& options) {
  sockaddr_un addr{};
  socklen_t len = 0;
  if (path.empty()) return plain_error("no control socket path given");
  if (!make_address(path, addr, len)) return path_too_long(path, max_path_bytes());
  Fd fd(open_unix_socket(SOCK_STREAM));
  if (fd.get() < 0) return last_error("create a socket to connect to " + path);

  // A blocking connect waits while the listener's backlog is full; SO_SNDTIMEO bounds it.
  auto ms = options.timeout.count() > 0 ? options.timeout.count() : 1;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    switch (err) {
      case ENOENT:
      case ENOTDIR:
        return plain_error("no supd listening at " + path + " (is supd running?)");
      case EACCES:
      case EPERM:
        return plain_error("permission denied on " + path + " (run as root or " +
                           (options.group_hint ? "join group " + *options.group_hint
                                               : std::string("as the user supd runs as")) +
                           ")");
      case ECONNREFUSED: {
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode)) {
          return plain_error(path + " is not a socket (is the control path right?)");
        }
        return plain_error("supd at " + path + " is not running (stale socket)");
      }
      case EAGAIN:
#if EWOULDBLOCK != EAGAIN
      case EWOULDBLOCK:
#endif
      case EINPROGRESS:
      case ETIMEDOUT:
        return plain_error("supd at " + path + " is not accepting connections (busy)");
      default:
        return errno_error(err, "connect to " + path);
    }
  }
  timeval none{};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  PeerCredentials peer = peer_credentials(fd.get());
  return std::unique_ptr<Stream>(std::make_unique<UnixStream>(io, fd.release(), peer));
}

}  // namespace supd::os
