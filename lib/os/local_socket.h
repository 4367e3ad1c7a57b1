// The control pipe's transport: a local stream socket only this machine can reach.
//
// POSIX: a Unix domain socket whose file mode and peer credentials decide who may talk.
// Windows: a named pipe with a DACL (same header, its own implementation).
//
// Everything here runs on an asio::io_context; no Asio type appears in this interface so
// the portable code above lib/os never depends on how a platform moves the bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include <asio/io_context.hpp>

#include "os/result.h"

namespace supd::os {

// Who is at the other end of a connection, as the kernel vouches for it. -1: unknown (the
// platform cannot tell, e.g. the pid of a peer on FreeBSD before 13).
struct PeerCredentials {
  std::int64_t uid = -1;
  std::int64_t gid = -1;
  std::int64_t pid = -1;
};

// This process's own effective uid/gid and pid, in the same terms, for authorization
// policies ("root or supd's own user").
PeerCredentials own_credentials();

// A connected byte stream. One read and one write may be outstanding at a time; handlers
// run on the io_context's thread. Destroying a Stream closes it; pending handlers then run
// with asio::error::operation_aborted and must not assume the Stream still exists.
class Stream {
 public:
  using ReadHandler = std::function<void(std::error_code, std::size_t)>;
  using WriteHandler = std::function<void(std::error_code)>;

  virtual ~Stream() = default;

  // The peer as seen when the connection was made (accepted streams: the client; connected
  // streams: the listener's owner).
  virtual PeerCredentials peer() const = 0;

  // Reads what is available, at least one byte, up to `size` into `data` (which must stay
  // valid until the handler runs). End of stream: asio::error::eof.
  virtual void async_read_some(char* data, std::size_t size, ReadHandler handler) = 0;
  // Writes the whole of `data` (the Stream keeps it alive), then calls `handler`.
  virtual void async_write(std::shared_ptr<const std::string> data, WriteHandler handler) = 0;
  // Closes the connection; outstanding operations complete with operation_aborted.
  virtual void close() = 0;

  // Blocking helpers for simple clients that own their io_context. They must not be mixed
  // with outstanding asynchronous operations.
  virtual Result<std::size_t> read_some(char* data, std::size_t size) = 0;
  virtual Status write_all(const char* data, std::size_t size) = 0;
};

// Where and for whom to listen.
struct ListenOptions {
  std::string path;                  // socket path (Windows: pipe name)
  std::optional<std::string> group;  // set: mode 0660 and this group; unset: mode 0600
};

class Listener {
 public:
  using AcceptHandler = std::function<void(std::error_code, std::unique_ptr<Stream>)>;

  // Destruction stops listening and removes the socket file if it is still the one this
  // Listener created (never a successor's).
  virtual ~Listener() = default;

  // Accepts one connection. Call again from the handler to keep accepting. Errors such as
  // "too many open files" reach the handler; after close() it gets operation_aborted.
  virtual void async_accept(AcceptHandler handler) = 0;
  virtual void close() = 0;
  virtual const std::string& path() const = 0;
};

// Starts listening at `options.path`:
// - the parent directory is created 0700 (0750 and the group, with a group) when missing;
//   an existing one is left as it is;
// - a live listener already there: Error "another supd is running (pid N)";
// - a stale socket there (nobody listening) is replaced; any other kind of file is an error;
// - the socket appears at its path already with its final mode and group.
Result<std::unique_ptr<Listener>> listen(asio::io_context& io, const ListenOptions& options);

struct ConnectOptions {
  // Named in the "permission denied" advice, when the caller knows the daemon's group.
  std::optional<std::string> group_hint;
  // Bound on waiting for a listener whose backlog is full.
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
};

// Connects to the listener at `path`. Errors say what to do about them:
//   "no supd listening at PATH (is supd running?)"
//   "permission denied on PATH (run as root or join group G)"
//   "supd at PATH is not running (stale socket)"
Result<std::unique_ptr<Stream>> connect(asio::io_context& io, const std::string& path,
                                        const ConnectOptions& options = {});

}  // namespace supd::os
