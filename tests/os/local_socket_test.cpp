// The control socket against the real kernel: modes, groups, stale and live sockets,
// peer credentials, and what another user sees.
#include "os/local_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

namespace supd::os {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "supd-sock-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode;
}

// Runs the loop until `done()` or 10 s passed.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(5));
    if (io.stopped()) io.restart();
  }
  return done();
}

// A socket file with nobody listening, as a crashed daemon leaves it.
void make_stale_socket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ::close(fd);
}

std::string primary_group_name() {
  group* g = ::getgrgid(::getegid());
  return g != nullptr ? g->gr_name : std::to_string(::getegid());
}

TEST(LocalSocket, SocketIsOwnerOnlyAndMissingDirectoryIsCreatedPrivate) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "run/supd/supd.sock";
  auto listener = listen(io, {path, std::nullopt});
  ASSERT_TRUE(listener.ok()) << listener.error().message();
  EXPECT_TRUE(S_ISSOCK(mode_of(path)));
  EXPECT_EQ(mode_of(path) & 07777, 0600u);
  EXPECT_EQ(mode_of(dir / "run/supd") & 07777, 0700u);
  EXPECT_EQ(mode_of(dir / "run") & 07777, 0700u);
  // Nothing but the socket is left beside it (the private bind directory is gone).
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir / "run/supd")) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(LocalSocket, GroupSocketIs0660AndBelongsToTheGroup) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "sub/supd.sock";
  auto listener = listen(io, {path, primary_group_name()});
  ASSERT_TRUE(listener.ok()) << listener.error().message();
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_gid, ::getegid());
  EXPECT_EQ(mode_of(dir / "sub") & 07777, 0750u);
}

TEST(LocalSocket, UnknownGroupIsAnError) {
  TempDir dir;
  asio::io_context io;
  auto listener = listen(io, {dir / "supd.sock", std::string("no-such-group-for-supd")});
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.error().message(),
            "group \"no-such-group-for-supd\" for the control socket does not exist");
}

TEST(LocalSocket, ExistingDirectoryKeepsItsMode) {
  TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  asio::io_context io;
  auto listener = listen(io, {dir / "supd.sock", std::nullopt});
  ASSERT_TRUE(listener.ok()) << listener.error().message();
  EXPECT_EQ(mode_of(dir.path()) & 07777, 0755u);
}

TEST(LocalSocket, LiveListenerIsRefusedWithItsPid) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "supd.sock";
  auto first = listen(io, {path, std::nullopt});
  ASSERT_TRUE(first.ok()) << first.error().message();
  struct stat before {};
  ASSERT_EQ(::lstat(path.c_str(), &before), 0);

  auto second = listen(io, {path, std::nullopt});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message(),
            "another supd is running (pid " + std::to_string(::getpid()) + ")");
  // The first listener's socket is untouched and still answers.
  struct stat after {};
  ASSERT_EQ(::lstat(path.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_TRUE(connect(io, path).ok());
}

TEST(LocalSocket, StaleSocketIsReplaced) {
  TempDir dir;
  const std::string path = dir / "supd.sock";
  make_stale_socket(path);
  asio::io_context io;
  auto refused = connect(io, path);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), "supd at " + path + " is not running (stale socket)");

  auto listener = listen(io, {path, std::nullopt});
  ASSERT_TRUE(listener.ok()) << listener.error().message();
  EXPECT_EQ(mode_of(path) & 07777, 0600u);
  EXPECT_TRUE(connect(io, path).ok());
}

TEST(LocalSocket, OtherFileAtThePathIsNotTouched) {
  TempDir dir;
  const std::string path = dir / "supd.sock";
  std::ofstream(path) << "precious";
  asio::io_context io;
  auto listener = listen(io, {path, std::nullopt});
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.error().message(),
            path + " exists and is not a socket; remove it or choose another path");
  std::ifstream in(path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");

  auto connected = connect(io, path);
  ASSERT_FALSE(connected.ok());
  EXPECT_EQ(connected.error().message(), path + " is not a socket (is the control path right?)");
}

TEST(LocalSocket, ConnectToNothingSaysSo) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "supd.sock";
  auto stream = connect(io, path);
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.error().message(), "no supd listening at " + path + " (is supd running?)");
}

TEST(LocalSocket, OverlongPathIsRefusedClearly) {
  asio::io_context io;
  const std::string path = "/tmp/" + std::string(200, 'x') + "/supd.sock";
  auto listener = listen(io, {path, std::nullopt});
  ASSERT_FALSE(listener.ok());
  EXPECT_NE(listener.error().message().find("control socket path is too long"), std::string::npos)
      << listener.error().message();
  auto stream = connect(io, path);
  ASSERT_FALSE(stream.ok());
  EXPECT_NE(stream.error().message().find("too long"), std::string::npos);
}

TEST(LocalSocket, AcceptedStreamKnowsItsPeerAndCarriesBytesBothWays) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "supd.sock";
  auto listener = listen(io, {path, std::nullopt});
  ASSERT_TRUE(listener.ok()) << listener.error().message();

  std::unique_ptr<Stream> server;
  (*listener)->async_accept([&](std::error_code ec, std::unique_ptr<Stream> s) {
    EXPECT_FALSE(ec) << ec.message();
    server = std::move(s);
  });
  auto client = connect(io, path);
  ASSERT_TRUE(client.ok()) << client.error().message();
  ASSERT_TRUE(run_until(io, [&] { return server != nullptr; }));

  EXPECT_EQ(server->peer().pid, ::getpid());
  EXPECT_EQ(server->peer().uid, static_cast<std::int64_t>(::geteuid()));
  EXPECT_EQ(server->peer().gid, static_cast<std::int64_t>(::getegid()));
  EXPECT_EQ((*client)->peer().pid, ::getpid());  // the listener's owner

  ASSERT_TRUE((*client)->write_all("hello\n", 6).ok());
  char buf[16] = {};
  std::size_t got = 0;
  server->async_read_some(buf, sizeof buf, [&](std::error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    got = n;
  });
  ASSERT_TRUE(run_until(io, [&] { return got > 0; }));
  EXPECT_EQ(std::string(buf, got), "hello\n");

  bool written = false;
  server->async_write(std::make_shared<const std::string>("world"), [&](std::error_code ec) {
    EXPECT_FALSE(ec);
    written = true;
  });
  ASSERT_TRUE(run_until(io, [&] { return written; }));
  auto n = (*client)->read_some(buf, sizeof buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(buf, *n), "world");

  server->close();
  auto eof = (*client)->read_some(buf, sizeof buf);
  ASSERT_TRUE(eof.ok());
  EXPECT_EQ(*eof, 0u);
}

TEST(LocalSocket, AcceptedDescriptorsAreCloseOnExec) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "supd.sock";
  auto listener = listen(io, {path, std::nullopt});
  ASSERT_TRUE(listener.ok());
  std::unique_ptr<Stream> server;
  (*listener)->async_accept(
      [&](std::error_code, std::unique_ptr<Stream> s) { server = std::move(s); });
  auto client = connect(io, path);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(run_until(io, [&] { return server != nullptr; }));
  // Every descriptor above stderr that is a socket must carry FD_CLOEXEC.
  int sockets = 0;
  for (int fd = 3; fd < 1024; ++fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    ++sockets;
    EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0) << "fd " << fd;
  }
  EXPECT_GE(sockets, 3);
}

TEST(LocalSocket, ClosedListenerAbortsItsAccept) {
  TempDir dir;
  asio::io_context io;
  auto listener = listen(io, {dir / "supd.sock", std::nullopt});
  ASSERT_TRUE(listener.ok());
  std::error_code result;
  bool called = false;
  (*listener)->async_accept([&](std::error_code ec, std::unique_ptr<Stream> s) {
    called = true;
    result = ec;
    EXPECT_EQ(s, nullptr);
  });
  (*listener)->close();
  ASSERT_TRUE(run_until(io, [&] { return called; }));
  EXPECT_EQ(result, asio::error::operation_aborted);
}

TEST(LocalSocket, DestructionRemovesOnlyItsOwnSocket) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "supd.sock";
  {
    auto listener = listen(io, {path, std::nullopt});
    ASSERT_TRUE(listener.ok());
  }
  EXPECT_FALSE(fs::exists(path));
  {
    auto listener = listen(io, {path, std::nullopt});
    ASSERT_TRUE(listener.ok());
    // Someone else took the path over: it is theirs now.
    ASSERT_EQ(::unlink(path.c_str()), 0);
    std::ofstream(path) << "successor";
  }
  EXPECT_TRUE(fs::exists(path));
}

// Runs `body` in a child that dropped root for nobody (uid 65534, gid 65534, no supplementary
// groups); returns what the child wrote to its pipe.
std::string as_nobody(const std::function<std::string()>& body) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) {
      out = "could not become nobody";
    } else {
      out = body();
    }
    (void)!::write(fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

TEST(LocalSocket, AnotherUserCannotConnectToAnOwnerOnlySocket) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to play another user";
  TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);  // only the socket's own mode decides
  asio::io_context io;
  const std::string path = dir / "supd.sock";
  auto listener = listen(io, {path, std::nullopt});
  ASSERT_TRUE(listener.ok());
  std::string seen = as_nobody([&] {
    asio::io_context child_io;
    ConnectOptions options;
    options.group_hint = "supd";
    auto stream = connect(child_io, path, options);
    return stream.ok() ? std::string("connected") : stream.error().message();
  });
  EXPECT_EQ(seen, "permission denied on " + path + " (run as root or join group supd)");
}

TEST(LocalSocket, GroupMemberCanConnectToAGroupSocket) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to play another user";
  group* nogroup = ::getgrgid(65534);
  if (nogroup == nullptr) GTEST_SKIP() << "no group with gid 65534 on this system";
  TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  asio::io_context io;
  const std::string path = dir / "run/supd.sock";
  auto listener = listen(io, {path, std::string(nogroup->gr_name)});
  ASSERT_TRUE(listener.ok()) << listener.error().message();
  std::string seen = as_nobody([&] {
    asio::io_context child_io;
    auto stream = connect(child_io, path);
    return stream.ok() ? std::string("connected") : stream.error().message();
  });
  EXPECT_EQ(seen, "connected");
}

}  // namespace
}  // namespace supd::os
