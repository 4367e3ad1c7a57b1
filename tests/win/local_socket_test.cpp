// The control pipe on Windows: a named pipe, in one process (client and server).
#include "os/local_socket.h"

#include <windows.h>
// After windows.h, which they need.
#include <aclapi.h>
#include <sddl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <asio/error.hpp>
#include <gtest/gtest.h>

#include "os/win/security.h"
#include "os/win/wide.h"
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

// Echoes every byte each client sends, for as many clients as connect.
class EchoServer {
 public:
  explicit EchoServer(Listener& listener) : listener_(listener) { accept(); }

  const std::set<std::int64_t>& peers() const { return peers_; }
  int most_at_once() const { return most_at_once_; }

 private:
  void accept() {
    listener_.async_accept([this](std::error_code ec, std::unique_ptr<Stream> stream) {
      if (ec) return;
      Stream* raw = stream.get();
      peers_.insert(raw->peer().pid);
      streams_.push_back(std::move(stream));
      most_at_once_ = std::max(most_at_once_, ++open_);
      echo(raw, std::make_shared<std::array<char, 512>>());
      accept();
    });
  }

  void echo(Stream* stream, std::shared_ptr<std::array<char, 512>> buffer) {
    stream->async_read_some(
        buffer->data(), buffer->size(), [this, stream, buffer](std::error_code ec, std::size_t n) {
          if (ec) {
            --open_;
            return;
          }
          stream->async_write(std::make_shared<const std::string>(buffer->data(), n),
                              [this, stream, buffer](std::error_code wec) {
                                if (!wec) echo(stream, buffer);
                              });
        });
  }

  Listener& listener_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::set<std::int64_t> peers_;
  int open_ = 0;
  int most_at_once_ = 0;
};

// supctl and supd are different processes: several clients at once, each making round
// trips, each seen with its own pid.
TEST(WindowsLocalSocket, ServesSeveralClientProcessesAtOnce) {
  asio::io_context io;
  const std::string path = unique_pipe();
  auto listener = listen(io, ListenOptions{path, std::nullopt});
  ASSERT_TRUE(listener) << listener.error().message();
  EchoServer server(*listener.value());

  constexpr int kClients = 3;
  std::vector<std::unique_ptr<Child>> clients;
  std::set<std::int64_t> pids;
  for (int i = 0; i < kClients; ++i) {
    auto child = spawn(io, test::child_spec({"pipe-talk", path, "20"}));
    ASSERT_TRUE(child) << child.error().message();
    pids.insert(child.value()->pid());
    clients.push_back(std::move(child.value()));
  }
  for (auto& client : clients) {
    auto done = test::finish(io, *client, std::chrono::seconds(60));
    ASSERT_TRUE(done) << "a client did not finish";
    EXPECT_EQ(done->status.code, 0) << done->status.describe() << ": " << done->err;
    EXPECT_EQ(test::lines(done->out), std::vector<std::string>{"talked 20"});
  }
  EXPECT_EQ(server.peers(), pids);
  EXPECT_GE(server.most_at_once(), 1);
}

// The DACL's allowed ACEs, SID text -> access mask; nullopt when it cannot be read.
std::optional<std::map<std::string, DWORD>> allowed_aces(HANDLE object, bool& is_protected) {
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (GetSecurityInfo(object, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl,
                      nullptr, &descriptor) != ERROR_SUCCESS) {
    return std::nullopt;
  }
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  GetSecurityDescriptorControl(descriptor, &control, &revision);
  is_protected = (control & SE_DACL_PROTECTED) != 0;
  std::map<std::string, DWORD> out;
  for (DWORD i = 0; dacl != nullptr && i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!GetAce(dacl, i, &ace)) continue;
    auto* header = static_cast<ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) {
      out["not an allowing ACE"] = header->AceType;
      continue;
    }
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    wchar_t* sid = nullptr;
    if (!ConvertSidToStringSidW(&allowed->SidStart, &sid)) continue;
    out[win::narrow(sid)] |= allowed->Mask;
    LocalFree(sid);
  }
  LocalFree(descriptor);
  return out;
}

// Who may connect is the pipe's DACL: SYSTEM, the Administrators and supd's own user get
// everything; the configured group may read and write but not create pipe instances (a
// rogue "server" end); nobody else is named.
TEST(WindowsLocalSocket, ItsDaclAdmitsSystemAdministratorsTheOwnerAndTheGroup) {
  asio::io_context io;
  const std::string path = unique_pipe();
  // BUILTIN\Users: a group every Windows (and Wine) has.
  auto listener = listen(io, ListenOptions{path, std::string("Users")});
  ASSERT_TRUE(listener) << listener.error().message();

  HANDLE client = CreateFileW(win::widen(path).c_str(), GENERIC_READ | READ_CONTROL, 0, nullptr,
                              OPEN_EXISTING, 0, nullptr);
  ASSERT_NE(client, INVALID_HANDLE_VALUE) << GetLastError();
  bool is_protected = false;
  auto aces = allowed_aces(client, is_protected);
  CloseHandle(client);
  ASSERT_TRUE(aces) << "the pipe's DACL could not be read";

  auto me = win::current_user_sid();
  ASSERT_TRUE(me) << me.error().message();
  constexpr DWORD kGroupRights =
      FILE_GENERIC_READ | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE;
  const std::map<std::string, DWORD> expected{{"S-1-5-18", FILE_ALL_ACCESS},
                                              {"S-1-5-32-544", FILE_ALL_ACCESS},
                                              {me.value(), FILE_ALL_ACCESS},
                                              {"S-1-5-32-545", kGroupRights}};
  EXPECT_EQ(*aces, expected);
  EXPECT_EQ(aces->at("S-1-5-32-545") & FILE_CREATE_PIPE_INSTANCE, 0u);
  EXPECT_TRUE(is_protected) << "the DACL inherits entries";
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
