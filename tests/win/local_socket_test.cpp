// The control pipe on Windows: a named pipe, in one process (client and server).
#include "os/local_socket.h"

#include <windows.h>

#include <chrono>
#include <memory>
#include <string>

#include <asio/error.hpp>
#include <gtest/gtest.h>

#include "win_test_util.h"

namespace supd::os {
namespace {

std::string unique_pipe() {
  return R"(\\.\pipe\supd-test-)" + std::to_string(GetCurrentProcessId()) + "-" +
         std::to_string(GetTickCount64());
}

template <class Done>
bool run_until(asio::io_context& io, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(10));
    if (io.stopped()) io.restart();
  }
  return done();
}

struct Accepted {
  std::error_code ec;
  std::unique_ptr<Stream> stream;
  bool done = false;
};

void accept_into(Listener& listener, Accepted& out) {
  listener.async_accept([&out](std::error_code ec, std::unique_ptr<Stream> s) {
    out.ec = ec;
    out.stream = std::move(s);
    out.done = true;
  });
}

TEST(WindowsLocalSocket, ClientAndServerTalk) {
  asio::io_context io;
  const std::string path = unique_pipe();
  auto listener = listen(io, ListenOptions{path, std::nullopt});
  ASSERT_TRUE(listener) << listener.error().message();
  EXPECT_EQ(listener.value()->path(), path);

  for (int round = 0; round < 3; ++round) {
    Accepted accepted;
    accept_into(*listener.value(), accepted);
    auto client = connect(io, path);
    ASSERT_TRUE(client) << client.error().message();
    ASSERT_TRUE(run_until(io, [&] { return accepted.done; }));
    ASSERT_FALSE(accepted.ec) << accepted.ec.message();
    ASSERT_NE(accepted.stream, nullptr);

    // Both ends are this process.
    EXPECT_EQ(accepted.stream->peer().pid, static_cast<std::int64_t>(GetCurrentProcessId()));
    EXPECT_EQ(client.value()->peer().pid, static_cast<std::int64_t>(GetCurrentProcessId()));
    EXPECT_EQ(accepted.stream->peer().uid, own_credentials().uid);

    // Client -> server, blocking write, asynchronous read.
    ASSERT_TRUE(test::ok(client.value()->write_all("ping\n", 5)));
    char buffer[64];
    std::size_t got = 0;
    bool read_done = false;
    accepted.stream->async_read_some(buffer, sizeof(buffer),
                                     [&](std::error_code ec, std::size_t n) {
                                       EXPECT_FALSE(ec) << ec.message();
                                       got = n;
                                       read_done = true;
                                     });
    ASSERT_TRUE(run_until(io, [&] { return read_done; }));
    EXPECT_EQ(std::string(buffer, got), "ping\n");

    // Server -> client, asynchronous write, blocking read.
    bool write_done = false;
    accepted.stream->async_write(std::make_shared<const std::string>("pong\n"),
                                 [&](std::error_code ec) {
                                   EXPECT_FALSE(ec) << ec.message();
                                   write_done = true;
                                 });
    ASSERT_TRUE(run_until(io, [&] { return write_done; }));
    auto n = client.value()->read_some(buffer, sizeof(buffer));
    ASSERT_TRUE(n) << n.error().message();
    EXPECT_EQ(std::string(buffer, n.value()), "pong\n");

    // The client leaves: the server reads end of file.
    client.value().reset();
    std::error_code end;
    bool eof_seen = false;
    accepted.stream->async_read_some(buffer, sizeof(buffer), [&](std::error_code ec, std::size_t) {
      end = ec;
      eof_seen = true;
    });
    ASSERT_TRUE(run_until(io, [&] { return eof_seen; }));
    EXPECT_EQ(end, asio::error::eof) << end.message();
  }
}

TEST(WindowsLocalSocket, ASecondListenerIsRefusedNamingTheFirst) {
  asio::io_context io;
  const std::string path = unique_pipe();
  auto first = listen(io, ListenOptions{path, std::nullopt});
  ASSERT_TRUE(first) << first.error().message();
  auto second = listen(io, ListenOptions{path, std::nullopt});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message(),
            "another supd is running (pid " + std::to_string(GetCurrentProcessId()) + ")");
  // Gone with its listener: the name is free again.
  first.value().reset();
  auto third = listen(io, ListenOptions{path, std::nullopt});
  EXPECT_TRUE(third) << third.error().message();
}

TEST(WindowsLocalSocket, ConnectingToNobodySaysSo) {
  asio::io_context io;
  const std::string path = unique_pipe();
  auto client = connect(io, path);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().message(), "no supd listening at " + path + " (is supd running?)");
}

TEST(WindowsLocalSocket, ClosingTheListenerAbortsTheAccept) {
  asio::io_context io;
  auto listener = listen(io, ListenOptions{unique_pipe(), std::nullopt});
  ASSERT_TRUE(listener);
  Accepted accepted;
  accept_into(*listener.value(), accepted);
  listener.value()->close();
  ASSERT_TRUE(run_until(io, [&] { return accepted.done; }));
  EXPECT_EQ(accepted.ec, asio::error::operation_aborted);
  EXPECT_EQ(accepted.stream, nullptr);
}

TEST(WindowsLocalSocket, AFilePathBecomesAPipeName) {
  asio::io_context io;
  const std::string path =
      "C:\\supd-test\\" + std::to_string(GetCurrentProcessId()) + "\\supd.sock";
  auto listener = listen(io, ListenOptions{path, std::nullopt});
  ASSERT_TRUE(listener) << listener.error().message();
  auto client = connect(io, path);
  EXPECT_TRUE(client) << client.error().message();
}

TEST(WindowsLocalSocket, AnUnknownGroupIsAnError) {
  asio::io_context io;
  auto listener = listen(io, ListenOptions{unique_pipe(), std::string("supd-no-such-group")});
  ASSERT_FALSE(listener);
  EXPECT_EQ(listener.error().message(),
            "group \"supd-no-such-group\" for the control pipe does not exist");
}

}  // namespace
}  // namespace supd::os
