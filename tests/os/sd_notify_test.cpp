// sd_notify messages reach a real datagram socket, at a path or an abstract name.
#if !defined(_WIN32)
#include "os/sd_notify.h"

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace supd::os {
namespace {

using namespace std::chrono_literals;

// A bound datagram socket standing in for systemd's notify socket.
class FakeSystemd {
 public:
  // `name`: a path, or "@name" for an abstract socket.
  explicit FakeSystemd(const std::string& name) : name_(name) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name[0] == '@') {
      address.sun_path[0] = '\0';
    } else {
      length += 1;
    }
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0;
  }
  ~FakeSystemd() {
    close(fd_);
    if (name_[0] != '@') unlink(name_.c_str());
  }

  bool bound() const { return bound_; }

  // The next datagram, waiting at most 10 s.
  std::optional<std::string> receive() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) return std::nullopt;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

class SdNotifyTest : public testing::Test {
 protected:
  void TearDown() override {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
  }
};

TEST_F(SdNotifyTest, WithoutNotifySocketNothingIsSent) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(notify_systemd("READY=1"));
}

TEST_F(SdNotifyTest, SendsOneDatagramToASocketPath) {
  const std::string path = testing::TempDir() + "supd-notify-" + std::to_string(getpid());
  FakeSystemd systemd(path);
  ASSERT_TRUE(systemd.bound());
  setenv("NOTIFY_SOCKET", path.c_str(), 1);

  EXPECT_TRUE(notify_systemd("READY=1\nSTATUS=running 3 services"));
  EXPECT_EQ(systemd.receive(), "READY=1\nSTATUS=running 3 services");
  EXPECT_TRUE(notify_systemd("STOPPING=1"));
  EXPECT_EQ(systemd.receive(), "STOPPING=1");
}

TEST_F(SdNotifyTest, SendsToAnAbstractSocket) {
  const std::string name = "@supd-notify-test-" + std::to_string(getpid());
  FakeSystemd systemd(name);
  ASSERT_TRUE(systemd.bound());
  setenv("NOTIFY_SOCKET", name.c_str(), 1);

  EXPECT_TRUE(notify_systemd("WATCHDOG=1"));
  EXPECT_EQ(systemd.receive(), "WATCHDOG=1");
}

TEST_F(SdNotifyTest, UnusableSocketNamesFail) {
  setenv("NOTIFY_SOCKET", "relative/path", 1);
  EXPECT_FALSE(notify_systemd("READY=1"));
  setenv("NOTIFY_SOCKET", "/nonexistent-dir-supd/notify", 1);
  EXPECT_FALSE(notify_systemd("READY=1"));
  setenv("NOTIFY_SOCKET", ("/" + std::string(200, 'x')).c_str(), 1);
  EXPECT_FALSE(notify_systemd("READY=1"));
}

TEST_F(SdNotifyTest, WatchdogIntervalFromEnvironment) {
  EXPECT_EQ(systemd_watchdog_interval(), std::nullopt);

  setenv("WATCHDOG_USEC", "30000000", 1);
  EXPECT_EQ(systemd_watchdog_interval(), std::chrono::microseconds(30s));

  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  EXPECT_EQ(systemd_watchdog_interval(), std::chrono::microseconds(30s));

  // Meant for another process (e.g. the keeper before it handed the watchdog over).
  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  EXPECT_EQ(systemd_watchdog_interval(), std::nullopt);

  unsetenv("WATCHDOG_PID");
  for (const char* bad : {"0", "", "abc", "12x", "-5"}) {
    setenv("WATCHDOG_USEC", bad, 1);
    EXPECT_EQ(systemd_watchdog_interval(), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace supd::os
#endif  // !_WIN32
