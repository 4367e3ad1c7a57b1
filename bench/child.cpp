// supd_bench_child: the service the benchmarks supervise. It announces that it has started by
// sending its pid as one datagram to a Unix socket, then sleeps until a signal ends it.
//
//   supd_bench_child [SOCKET]
//
// The socket comes from the argument or, when there is none, from $SUPD_BENCH_ANNOUNCE (runit
// and daemontools start ./run without arguments). Without either it only sleeps. It stays as
// small as a real program can be, so that what the benchmarks measure is the supervisor's
// work and not the child's.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : std::getenv("SUPD_BENCH_ANNOUNCE");
  if (path != nullptr && *path != '\0') {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (std::strlen(path) >= sizeof addr.sun_path) {
      std::fprintf(stderr, "supd_bench_child: socket path too long: %s\n", path);
      return 60;
    }
    std::strcpy(addr.sun_path, path);
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    char message[32];
    const int n = std::snprintf(message, sizeof message, "%ld", static_cast<long>(::getpid()));
    if (fd < 0 || ::sendto(fd, message, static_cast<std::size_t>(n), 0,
                           reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != n) {
      std::perror("supd_bench_child: announcing to the bench");
      return 61;
    }
    ::close(fd);
  }
  for (;;) ::pause();
}
