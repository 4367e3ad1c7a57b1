// sd_notify reception: the message format, and real datagrams from this process and from
// a forked child.
#include "os/notify_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

namespace supd::os {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "supd-notify-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(5));
    if (io.stopped()) io.restart();
  }
  return done();
}

// What a service's sd_notify() does: one datagram to $NOTIFY_SOCKET.
bool send_datagram(const std::string& path, const std::string& text, int pass_fd = -1) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  iovec iov{const_cast<char*>(text.data()), text.size()};
  msghdr msg{};
  msg.msg_name = &addr;
  msg.msg_namelen = sizeof addr;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (pass_fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass_fd, sizeof pass_fd);
  }
  bool ok = ::sendmsg(fd, &msg, 0) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// Receives one message, or nullopt after 10 s.
std::optional<NotifyMessage> receive_one(asio::io_context& io, NotifySocket& socket) {
  std::optional<NotifyMessage> got;
  socket.async_receive([&](std::error_code ec, NotifyMessage m) {
    EXPECT_FALSE(ec) << ec.message();
    got = std::move(m);
  });
  run_until(io, [&] { return got.has_value(); });
  return got;
}

TEST(NotifyMessage, ParsesKeyValueLines) {
  NotifyFields fields = parse_notify_message("READY=1\nSTATUS=up and running\nMAINPID=42\n");
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0], (std::pair<std::string, std::string>{"READY", "1"}));
  EXPECT_EQ(fields[1], (std::pair<std::string, std::string>{"STATUS", "up and running"}));
  EXPECT_EQ(fields[2], (std::pair<std::string, std::string>{"MAINPID", "42"}));
}

TEST(NotifyMessage, KeepsEqualsSignsInValuesAndAcceptsAMissingFinalNewline) {
  NotifyFields fields = parse_notify_message("STATUS=a=b=c\nWATCHDOG=1");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].second, "a=b=c");
  EXPECT_EQ(fields[1], (std::pair<std::string, std::string>{"WATCHDOG", "1"}));
}

TEST(NotifyMessage, IgnoresEmptyLinesLinesWithoutEqualsAndEmptyKeys) {
  NotifyFields fields = parse_notify_message("\n\nnonsense\n=value\nREADY=1\n\nSTATUS=\n");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].first, "READY");
  EXPECT_EQ(fields[1], (std::pair<std::string, std::string>{"STATUS", ""}));
  EXPECT_TRUE(parse_notify_message("").empty());
  EXPECT_TRUE(parse_notify_message("\n").empty());
}

TEST(NotifyMessage, GetReturnsTheLastValueForAKey) {
  NotifyMessage m;
  m.fields = parse_notify_message("STATUS=one\nREADY=1\nSTATUS=two\n");
  EXPECT_EQ(m.get("STATUS"), std::optional<std::string_view>("two"));
  EXPECT_EQ(m.get("READY"), std::optional<std::string_view>("1"));
  EXPECT_EQ(m.get("WATCHDOG"), std::nullopt);
}

TEST(NotifySocket, ReceivesADatagramWithItsSenderPid) {
  TempDir dir;
  asio::io_context io;
  auto socket = NotifySocket::bind(io, dir / "notify.sock");
  ASSERT_TRUE(socket.ok()) << socket.error().message();
  struct stat st {};
  ASSERT_EQ(::lstat((dir / "notify.sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0666u);

  ASSERT_TRUE(send_datagram(dir / "notify.sock", "READY=1\nSTATUS=serving\n"));
  auto got = receive_one(io, **socket);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->get("READY"), std::optional<std::string_view>("1"));
  EXPECT_EQ(got->get("STATUS"), std::optional<std::string_view>("serving"));
#if defined(__linux__)
  EXPECT_EQ(got->pid, ::getpid());
#endif
}

TEST(NotifySocket, ReportsTheChildThatSentIt) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "notify.sock";
  auto socket = NotifySocket::bind(io, path);
  ASSERT_TRUE(socket.ok()) << socket.error().message();
  pid_t child = ::fork();
  if (child == 0) ::_exit(send_datagram(path, "READY=1\nMAINPID=77\n") ? 0 : 1);
  auto got = receive_one(io, **socket);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->get("MAINPID"), std::optional<std::string_view>("77"));
#if defined(__linux__)
  EXPECT_EQ(got->pid, child);
#endif
}

#if defined(__linux__)
TEST(NotifySocket, AnAbstractNameNeedsNoFileAndReportsTheSender) {
  asio::io_context io;
  const std::string name = "@supd-test/" + std::to_string(::getpid()) + "/web.notify";
  auto socket = NotifySocket::bind(io, name);
  ASSERT_TRUE(socket.ok()) << socket.error().message();
  EXPECT_EQ((*socket)->path(), name);
  // The same name cannot be bound twice while the first one lives.
  auto again = NotifySocket::bind(io, name);
  EXPECT_FALSE(again.ok());

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, name.data(), name.size());
  addr.sun_path[0] = '\0';
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  const std::string text = "READY=1\n";
  ASSERT_EQ(::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&addr), len),
            static_cast<ssize_t>(text.size()))
      << std::strerror(errno);
  ::close(fd);
  auto got = receive_one(io, **socket);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->get("READY"), std::optional<std::string_view>("1"));
  EXPECT_EQ(got->pid, ::getpid());

  // Gone with the object: the name can be bound again.
  socket->reset();
  auto after = NotifySocket::bind(io, name);
  EXPECT_TRUE(after.ok()) << after.error().message();
}
#endif

TEST(NotifySocket, DropsOversizedDatagrams) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "notify.sock";
  auto socket = NotifySocket::bind(io, path);
  ASSERT_TRUE(socket.ok());
  ASSERT_TRUE(send_datagram(path, "STATUS=" + std::string(8000, 'x') + "\n"));
  ASSERT_TRUE(send_datagram(path, "WATCHDOG=1\n"));
  auto got = receive_one(io, **socket);
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->fields.size(), 1u);
  EXPECT_EQ(got->fields[0].first, "WATCHDOG");
}

TEST(NotifySocket, ClosesDescriptorsSentAlong) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "notify.sock";
  auto socket = NotifySocket::bind(io, path);
  ASSERT_TRUE(socket.ok());
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ASSERT_TRUE(send_datagram(path, "FDSTORE=1\n", pipe_fds[1]));
  ::close(pipe_fds[1]);
  auto got = receive_one(io, **socket);
  ASSERT_TRUE(got.has_value());
  // With every copy of the write end closed, the read end sees end of file.
  pollfd p{pipe_fds[0], POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  char c;
  EXPECT_EQ(::read(pipe_fds[0], &c, 1), 0);
  ::close(pipe_fds[0]);
}

TEST(NotifySocket, StaleSocketIsReplacedAndOtherFilesAreNot) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "notify.sock";
  {
    auto first = NotifySocket::bind(io, path);
    ASSERT_TRUE(first.ok());
    // Leave the file behind as a crash would.
    ASSERT_EQ(::link(path.c_str(), (dir / "kept.sock").c_str()), 0);
  }
  ASSERT_EQ(::rename((dir / "kept.sock").c_str(), path.c_str()), 0);
  auto second = NotifySocket::bind(io, path);
  ASSERT_TRUE(second.ok()) << second.error().message();
  ASSERT_TRUE(send_datagram(path, "READY=1"));
  EXPECT_TRUE(receive_one(io, **second).has_value());

  const std::string file = dir / "plain";
  std::ofstream(file) << "data";
  auto refused = NotifySocket::bind(io, file);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            file + " exists and is not a socket; cannot use it as NOTIFY_SOCKET");
}

TEST(NotifySocket, CloseAbortsTheReceiveAndDestructionRemovesTheFile) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir / "notify.sock";
  auto socket = NotifySocket::bind(io, path);
  ASSERT_TRUE(socket.ok());
  bool called = false;
  std::error_code result;
  (*socket)->async_receive([&](std::error_code ec, const NotifyMessage&) {
    called = true;
    result = ec;
  });
  (*socket)->close();
  ASSERT_TRUE(run_until(io, [&] { return called; }));
  EXPECT_EQ(result, asio::error::operation_aborted);
  socket->reset();
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace supd::os
