// The control pipe on Windows: a named pipe, \\.\pipe\<name>, with overlapped I/O through
// asio::windows::stream_handle.
//
// Who may connect is decided by the pipe's DACL: SYSTEM, the Administrators, the user supd
// runs as and, when a group is configured, that group's members (read and write, never the
// right to create instances of the pipe). The pipe refuses remote clients. The first
// instance is created with FILE_FLAG_FIRST_PIPE_INSTANCE, so nobody can have created the
// name before supd (a second supd finds it taken and says who has it); then one instance
// always waits for the next client. A pipe's name goes away with its last instance, so
// there is never a stale pipe to clean up.
#include "os/local_socket.h"

#include <sddl.h>
#include <windows.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/windows/overlapped_ptr.hpp>
#include <asio/windows/stream_handle.hpp>
#include <asio/write.hpp>

#include "os/win/handle.h"
#include "os/win/security.h"
#include "os/win/wide.h"

namespace supd::os {
namespace {

using win::UniqueHandle;

constexpr std::string_view kPipePrefix = R"(\\.\pipe\)";
constexpr DWORD kBufferSize = 64 * 1024;
// What a client needs: read, write, and setting the read mode. Not FILE_APPEND_DATA, which
// on a pipe is the right to create instances of it.
constexpr DWORD kClientRights =
    FILE_GENERIC_READ | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE;

Error plain_error(std::string what) { return Error{std::error_code(), std::move(what)}; }

// A control path that is not a pipe name yet ("C:\run\supd.sock") becomes one: the same
// text under \\.\pipe\, with backslashes (not allowed in pipe names) turned into slashes.
std::string pipe_name(const std::string& path) {
  if (path.compare(0, kPipePrefix.size(), kPipePrefix) == 0) return path;
  std::string name(kPipePrefix);
  for (char c : path) name.push_back(c == '\\' ? '/' : c);
  return name;
}

std::error_code as_eof(std::error_code ec) {
  if (ec == asio::error::broken_pipe || ec.value() == ERROR_BROKEN_PIPE ||
      ec.value() == ERROR_PIPE_NOT_CONNECTED || ec.value() == ERROR_NO_DATA) {
    return asio::error::eof;
  }
  return ec;
}

// The SID of a local or domain group, as SDDL wants it.
Result<std::string> group_sid(const std::string& group) {
  const std::wstring name = win::widen(group);
  DWORD sid_size = 0;
  DWORD domain_size = 0;
  SID_NAME_USE use{};
  LookupAccountNameW(nullptr, name.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
  std::vector<unsigned char> sid(sid_size == 0 ? 1 : sid_size);
  std::vector<wchar_t> domain(domain_size == 0 ? 1 : domain_size);
  if (sid_size == 0 || !LookupAccountNameW(nullptr, name.c_str(), sid.data(), &sid_size,
                                           domain.data(), &domain_size, &use)) {
    return plain_error("group \"" + group + "\" for the control pipe does not exist");
  }
  wchar_t* text = nullptr;
  if (!ConvertSidToStringSidW(sid.data(), &text)) return last_error("format the SID of " + group);
  std::string result = win::narrow(text);
  LocalFree(text);
  return result;
}

// The SID of a process's user, and whether it has root's powers (SYSTEM or an elevated
// administrator); false when the process cannot be inspected.
struct Account {
  std::string sid;
  std::uint32_t rid = 0;
  bool privileged = false;
};

bool account_of(DWORD pid, Account& out) {
  UniqueHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  if (!process) return false;
  HANDLE raw = nullptr;
  if (!OpenProcessToken(process.get(), TOKEN_QUERY, &raw)) return false;
  UniqueHandle token(raw);
  DWORD size = 0;
  GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  std::vector<unsigned char> buffer(size == 0 ? 1 : size);
  if (size == 0 || !GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size)) {
    return false;
  }
  PSID sid = reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid;
  wchar_t* text = nullptr;
  if (!ConvertSidToStringSidW(sid, &text)) return false;
  out.sid = win::narrow(text);
  LocalFree(text);
  const UCHAR count = *GetSidSubAuthorityCount(sid);
  out.rid = count > 0 ? *GetSidSubAuthority(sid, count - 1u) : 0;
  TOKEN_ELEVATION elevation{};
  out.privileged =
      IsWellKnownSid(sid, WinLocalSystemSid) ||
      (GetTokenInformation(token.get(), TokenElevation, &elevation, sizeof(elevation), &size) &&
       elevation.TokenIsElevated != 0);
  return true;
}

// PeerCredentials in POSIX terms, for the same authorization rules: uid 0 for root's
// powers, the account's RID otherwise (and -1 for another account whose RID happens to be
// ours, so that it never passes for supd's own user). No gid: the DACL checked the group.
PeerCredentials credentials_of(DWORD pid) {
  PeerCredentials peer;
  peer.pid = pid;
  Account them;
  Account us;
  if (!account_of(pid, them) || !account_of(GetCurrentProcessId(), us)) return peer;
  if (them.privileged) {
    peer.uid = 0;
  } else if (them.sid == us.sid) {
    peer.uid = us.privileged ? 0 : us.rid;
  } else {
    peer.uid = them.rid == us.rid ? -1 : static_cast<std::int64_t>(them.rid);
  }
  return peer;
}

class PipeStream final : public Stream {
 public:
  using Handle = asio::windows::stream_handle;

  PipeStream(std::shared_ptr<Handle> handle, PeerCredentials peer)
      : handle_(std::move(handle)), peer_(peer) {}
  ~PipeStream() override { close(); }

  PeerCredentials peer() const override { return peer_; }

  // Handlers hold the handle object, so an operation finishing after this Stream was
  // destroyed never touches freed memory.
  void async_read_some(char* data, std::size_t size, ReadHandler handler) override {
    handle_->async_read_some(asio::buffer(data, size),
                             [keep = handle_, handler = std::move(handler)](
                                 std::error_code ec, std::size_t n) { handler(as_eof(ec), n); });
  }

  void async_write(std::shared_ptr<const std::string> data, WriteHandler handler) override {
    asio::async_write(*handle_, asio::buffer(*data),
                      [keep = handle_, data, handler = std::move(handler)](
                          std::error_code ec, std::size_t) { handler(ec); });
  }

  void close() override {
    std::error_code ignored;
    handle_->close(ignored);
  }

  Result<std::size_t> read_some(char* data, std::size_t size) override {
    std::error_code ec;
    std::size_t n = handle_->read_some(asio::buffer(data, size), ec);
    ec = as_eof(ec);
    if (ec == asio::error::eof) return std::size_t{0};
    if (ec) return Error{ec, "read from the control pipe"};
    return n;
  }

  Status write_all(const char* data, std::size_t size) override {
    std::error_code ec;
    asio::write(*handle_, asio::buffer(data, size), ec);
    if (ec) return Error{ec, "write to the control pipe"};
    return {};
  }

 private:
  std::shared_ptr<Handle> handle_;
  PeerCredentials peer_;
};

class PipeListener final : public Listener {
 public:
  PipeListener(asio::io_context& io, std::string path, const std::string& name,
               win::SecurityAttributes security, HANDLE first)
      : io_(io), state_(std::make_shared<State>()), path_(std::move(path)) {
    state_->name = win::widen(name);
    state_->security = std::move(security);
    state_->waiting.reset(first);
  }

  ~PipeListener() override { close(); }

  void async_accept(AcceptHandler handler) override {
    State& s = *state_;
    if (s.closed) {
      asio::post(io_, [handler = std::move(handler)] {
        handler(asio::error::operation_aborted, nullptr);
      });
      return;
    }
    if (!s.waiting) {
      // The previous attempt to make an instance failed (out of resources): try again.
      s.waiting.reset(create_instance(s, false));
      if (!s.waiting) {
        std::error_code ec(static_cast<int>(GetLastError()), std::system_category());
        asio::post(io_, [handler = std::move(handler), ec] { handler(ec, nullptr); });
        return;
      }
    }
    auto pipe = std::make_shared<asio::windows::stream_handle>(io_, s.waiting.release());
    asio::windows::overlapped_ptr connect(
        io_, [state = state_, pipe, handler = std::move(handler)](std::error_code ec, std::size_t) {
          if (ec.value() == ERROR_PIPE_CONNECTED) ec.clear();
          if (state->closed) return handler(asio::error::operation_aborted, nullptr);
          // The next client's instance, before this one is handed out: the name never has
          // no instance waiting for long.
          if (!state->waiting) state->waiting.reset(create_instance(*state, false));
          if (ec) return handler(ec, nullptr);
          ULONG client = 0;
          GetNamedPipeClientProcessId(pipe->native_handle(), &client);
          handler({}, std::make_unique<PipeStream>(pipe, credentials_of(client)));
        });
    state_->connecting = pipe;
    const BOOL ok = ConnectNamedPipe(pipe->native_handle(), connect.get());
    const DWORD error = GetLastError();
    if (!ok && error != ERROR_IO_PENDING) {
      // Done already (a client connected first: ERROR_PIPE_CONNECTED) or failed.
      connect.complete(std::error_code(static_cast<int>(error), std::system_category()), 0);
    } else {
      connect.release();
    }
  }

  void close() override {
    state_->closed = true;
    state_->waiting.reset();
    if (auto pipe = state_->connecting.lock()) {
      std::error_code ignored;
      pipe->close(ignored);
    }
  }

  const std::string& path() const override { return path_; }

  struct State {
    std::wstring name;
    win::SecurityAttributes security;
    UniqueHandle waiting;  // the instance the next client will get
    std::weak_ptr<asio::windows::stream_handle> connecting;
    bool closed = false;
  };

  static HANDLE create_instance(State& s, bool first) {
    HANDLE h = CreateNamedPipeW(
        s.name.c_str(),
        PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
        PIPE_UNLIMITED_INSTANCES, kBufferSize, kBufferSize, 0, s.security.get());
    return h == INVALID_HANDLE_VALUE ? nullptr : h;
  }

 private:
  asio::io_context& io_;
  std::shared_ptr<State> state_;
  std::string path_;
};

// Whether a server holds the pipe name now, and then an Error saying who. Connecting is the
// only way to ask; a listener sees a client that leaves at once.
std::optional<Error> taken_by_another(const std::string& name) {
  UniqueHandle client(
      CreateFileW(win::widen(name).c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr));
  if (!client) {
    const DWORD error = GetLastError();
    if (error == ERROR_FILE_NOT_FOUND) return std::nullopt;
    if (error != ERROR_PIPE_BUSY && error != ERROR_ACCESS_DENIED) return std::nullopt;
  }
  ULONG server = 0;
  if (client && GetNamedPipeServerProcessId(client.get(), &server) && server != 0) {
    return plain_error("another supd is running (pid " + std::to_string(server) + ")");
  }
  return plain_error("another supd is running (the pipe " + name + " is taken)");
}

}  // namespace

PeerCredentials own_credentials() {
  PeerCredentials self;
  self.pid = GetCurrentProcessId();
  Account us;
  if (account_of(GetCurrentProcessId(), us)) self.uid = us.privileged ? 0 : us.rid;
  return self;
}

Result<std::unique_ptr<Listener>> listen(asio::io_context& io, const ListenOptions& options) {
  if (options.path.empty()) return plain_error("no control pipe name given");
  const std::string name = pipe_name(options.path);
  std::string extra;
  if (options.group) {
    auto sid = group_sid(*options.group);
    if (!sid) return sid.error();
    char rights[16];
    std::snprintf(rights, sizeof(rights), "0x%lx", static_cast<unsigned long>(kClientRights));
    extra = std::string("(A;;") + rights + ";;;" + sid.value() + ")";
  }
  auto security = win::SecurityAttributes::owner_only(FILE_ALL_ACCESS, extra);
  if (!security) return security.error();
  // Asking first names the other supd. FILE_FLAG_FIRST_PIPE_INSTANCE then closes the race
  // with one starting at the same moment (Windows enforces it; Wine 8 ignores it).
  if (auto taken = taken_by_another(name)) return *taken;
  PipeListener::State probe;
  probe.name = win::widen(name);
  probe.security = std::move(security.value());
  HANDLE first = PipeListener::create_instance(probe, true);
  if (first == nullptr) {
    const DWORD error = GetLastError();
    if (error == ERROR_ACCESS_DENIED || error == ERROR_PIPE_BUSY) {
      return taken_by_another(name).value_or(
          plain_error("another supd is running (the pipe " + name + " is taken)"));
    }
    return Error{{static_cast<int>(error), std::system_category()},
                 "create the control pipe " + name};
  }
  return std::unique_ptr<Listener>(
      std::make_unique<PipeListener>(io, options.path, name, std::move(probe.security), first));
}

Result<std::unique_ptr<Stream>> connect(asio::io_context& io, const std::string& path,
                                        const ConnectOptions& options) {
  if (path.empty()) return plain_error("no control pipe name given");
  const std::string name = pipe_name(path);
  const std::wstring wname = win::widen(name);
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  for (;;) {
    HANDLE h = CreateFileW(wname.c_str(), GENERIC_READ | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES, 0,
                           nullptr, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION,
                           nullptr);
    if (h != INVALID_HANDLE_VALUE) {
      ULONG server = 0;
      PeerCredentials peer;
      if (GetNamedPipeServerProcessId(h, &server)) peer = credentials_of(server);
      auto handle = std::make_shared<asio::windows::stream_handle>(io, h);
      return std::unique_ptr<Stream>(std::make_unique<PipeStream>(handle, peer));
    }
    const DWORD error = GetLastError();
    switch (error) {
      case ERROR_FILE_NOT_FOUND:
        return plain_error("no supd listening at " + name + " (is supd running?)");
      case ERROR_ACCESS_DENIED:
        return plain_error("permission denied on " + name + " (run as an administrator or " +
                           (options.group_hint ? "join group " + *options.group_hint
                                               : std::string("as the user supd runs as")) +
                           ")");
      case ERROR_PIPE_BUSY: {
        // Every instance is taken: wait for one, up to the deadline.
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 ||
            (!WaitNamedPipeW(wname.c_str(), static_cast<DWORD>(left.count())) &&
             GetLastError() == ERROR_SEM_TIMEOUT)) {
          return plain_error("supd at " + name + " is not accepting connections (busy)");
        }
        continue;
      }
      default:
        return Error{{static_cast<int>(error), std::system_category()}, "connect to " + name};
    }
  }
}

}  // namespace supd::os
