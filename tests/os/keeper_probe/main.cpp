// supd_keeper_probe DIR [tree]
//
// Calls start_keeper() first thing, like supd. The daemon then
//   - with `tree`, starts a "service" in its own session: a shell that records its pid, a
//     child in its group, and a double-forked grandchild in a new session that ignores
//     SIGTERM and SIGHUP, each appending its pid to DIR/pids;
//   - writes DIR/role: "has_keeper=<0|1> pid=<pid> ppid=<ppid> pgrp=<pgrp> subreaper=<0|1>"
//     once it is ready for signals;
//   - waits for SIGTERM, SIGINT or SIGHUP, writes its name to DIR/signal and exits 0, 2 or 3
//     respectively, leaving its service running.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "os/keeper.h"

namespace {

constexpr const char* kServiceScript =
    "echo $$ >> \"$PIDS\"\n"
    "sleep 1000 &\n"
    "echo $! >> \"$PIDS\"\n"
    "( setsid sh -c 'trap \"\" TERM HUP; echo $$ >> \"$PIDS\"; exec sleep 1000' & )\n"
    "exec sleep 1000\n";

void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << text;
  }
  std::rename(tmp.c_str(), path.c_str());  // whole or not at all, for the polling test
}

void start_service(const std::string& dir) {
  pid_t pid = fork();
  if (pid != 0) return;
  setsid();
  setenv("PIDS", (dir + "/pids").c_str(), 1);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execl("/bin/sh", "sh", "-c", kServiceScript, static_cast<char*>(nullptr));
  _exit(127);
}

}  // namespace

int main(int argc, char** argv) {
  supd::os::KeeperRole role = supd::os::start_keeper();
  if (argc < 2) return 64;
  const std::string dir = argv[1];
  const bool tree = argc > 2 && std::string(argv[2]) == "tree";

  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGTERM);
  sigaddset(&waited, SIGINT);
  sigaddset(&waited, SIGHUP);
  sigprocmask(SIG_BLOCK, &waited, nullptr);

  if (tree) start_service(dir);
  int subreaper = 0;
  prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
  write_file(dir + "/role", "has_keeper=" + std::to_string(role.has_keeper ? 1 : 0) + " pid=" +
                                std::to_string(getpid()) + " ppid=" + std::to_string(getppid()) +
                                " pgrp=" + std::to_string(getpgrp()) +
                                " subreaper=" + std::to_string(subreaper) + "\n");

  for (;;) {
    int signo = sigwaitinfo(&waited, nullptr);
    if (signo == SIGTERM) {
      write_file(dir + "/signal", "SIGTERM\n");
      return 0;
    }
    if (signo == SIGINT) {
      write_file(dir + "/signal", "SIGINT\n");
      return 2;
    }
    if (signo == SIGHUP) {
      write_file(dir + "/signal", "SIGHUP\n");
      return 3;
    }
  }
}
