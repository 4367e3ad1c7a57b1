// The test helper's sd_notify behaviour, which daemon tests rely on.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "os/child_test_support.h"

namespace supd::os {
namespace {

using testing::ChildTest;
using testing::helper;
using testing::TempDir;

class HelperNotifyTest : public ChildTest {
 protected:
  // Binds a datagram socket at `path` ("@name": abstract). Returns the fd.
  int bind_socket(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    EXPECT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    if (path[0] == '@') addr.sun_path[0] = '\0';
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0) << std::strerror(errno);
    return fd;
  }

  std::string receive(int fd) {
    char buffer[512];
    std::string got;
    run_until([&] {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) got.assign(buffer, static_cast<std::size_t>(n));
      return n > 0;
    });
    return got;
  }
};

TEST_F(HelperNotifyTest, SendsOneDatagramToAPath) {
  TempDir dir;
  const std::string path = dir / "notify.sock";
  const int fd = bind_socket(path);
  ProcessSpec spec = helper({"notify", "READY=1", "STATUS=up", "exit", "0"});
  spec.env.emplace_back("NOTIFY_SOCKET", path);
  auto f = run(spec);
  ASSERT_TRUE(f.status);
  EXPECT_EQ(f.status->describe(), "exited 0") << f.err;
  EXPECT_EQ(receive(fd), "READY=1\nSTATUS=up");
  ::close(fd);
}

#ifdef __linux__
TEST_F(HelperNotifyTest, SendsToAnAbstractSocket) {
  const std::string name = "@supd-test-notify-" + std::to_string(::getpid());
  const int fd = bind_socket(name);
  ProcessSpec spec = helper({"notify", "WATCHDOG=1"});
  spec.env.emplace_back("NOTIFY_SOCKET", name);
  auto f = run(spec);
  ASSERT_TRUE(f.status);
  EXPECT_EQ(f.status->describe(), "exited 0") << f.err;
  EXPECT_EQ(receive(fd), "WATCHDOG=1");
  ::close(fd);
}
#endif

}  // namespace
}  // namespace supd::os
