// supd with 100 services: its PSS, and the latency of `supctl status` (the real binary, run
// as a user runs it) against floors measured in the same run, interleaved run by run:
// posix_spawn of /bin/true + waitpid, plus open + mmap + copy + munmap of a file of the
// status page's size. When the supctl binary has no working `status` (not built yet), the
// read path of lib/status (StatusReader::open + read) is timed in-process instead, against
// the mapped-read floor alone, and the row says so.
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "benchmarks.h"
#include "status/status_reader.h"
#include "supd_instance.h"
#include "sys.h"

namespace supd::bench {
namespace {

constexpr int kServices = 100;
constexpr int kWarmup = 10;

// posix_spawn + waitpid; the exit code (-1: did not exit).
int run(const std::vector<std::string>& argv, const std::string& stdout_path = "/dev/null") {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    fail_errno("posix_spawn " + argv[0]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// What any reader of the page must at least do: map it and copy it out.
void mapped_read(const std::string& path, std::vector<char>& buffer) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("open " + path);
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<std::size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    ::close(fd);
    fail_errno("mmap " + path);
  }
  buffer.resize(size);
  std::memcpy(buffer.data(), map, size);
  ::munmap(map, size);
  ::close(fd);
}

template <typename F>
double time_ms(F&& f) {
  const auto t0 = Clock::now();
  f();
  return ms_between(t0, Clock::now());
}

// Whether this supctl answers `status` with the services on the page.
bool supctl_works(const Context& ctx, const TempDir& dir, const std::string& page) {
  if (ctx.supctl.empty() || ::access(ctx.supctl.c_str(), X_OK) != 0) return false;
  const std::string out = dir.file("supctl.out");
  const int code = run({ctx.supctl, "--status-page", page, "status"}, out);
  return code == 0 && read_file(out).find("s0099") != std::string::npos;
}

}  // namespace

std::vector<Row> bench_status_latency(const Context& ctx) {
  TempDir dir(ctx.tmp, "status");
  const std::string config = write_supd_config(dir, {.count = kServices, .command = {ctx.child}});
  SupdInstance supd(ctx.supd, dir, config);
  supd.wait_running(kServices, std::chrono::seconds(30));
  sleep_for(milliseconds(1000));

  std::vector<Row> rows;
  const std::int64_t keeper_kib = pss_kib(supd.keeper());
  const std::int64_t daemon_kib = pss_kib(supd.daemon());
  {
    Row r;
    r.group = "3. memory (PSS of keeper + daemon)";
    r.figure = std::to_string(kServices) + " services";
    r.unit = "MiB";
    r.value = static_cast<double>(keeper_kib + daemon_kib) / 1024.0;
    r.target_value = 10.0;
    r.note = "keeper " + format_number(static_cast<double>(keeper_kib) / 1024.0) + " MiB, daemon " +
             format_number(static_cast<double>(daemon_kib) / 1024.0) + " MiB";
    rows.push_back(r);
  }

  const std::string page = supd.status_page();
  struct stat st {};
  if (::stat(page.c_str(), &st) != 0) fail_errno("stat " + page);
  const std::string page_kib = format_number(static_cast<double>(st.st_size) / 1024.0) + " KiB";
  std::vector<char> buffer;
  const bool real_supctl = supctl_works(ctx, dir, page);
  const std::string group = "5. status latency, " + std::to_string(kServices) + " services";

  std::vector<double> spawn_ms, map_ms, by_page_ms, by_config_ms, reader_ms;
  for (int i = 0; i < kWarmup + ctx.status_runs; ++i) {
    check_interrupted();
    const double s = time_ms([] { run({"/bin/true"}); });
    const double m = time_ms([&] { mapped_read(page, buffer); });
    double p = 0;
    double c = 0;
    double r = 0;
    if (real_supctl) {
      p = time_ms([&] { run({ctx.supctl, "--status-page", page, "status"}); });
      c = time_ms([&] { run({ctx.supctl, "-c", config, "status"}); });
    } else {
      r = time_ms([&] {
        auto reader = status::StatusReader::open(page);
        if (!reader) throw std::runtime_error(reader.error().message());
        auto snap = reader->read();
        if (!snap || snap->services.size() != kServices) {
          throw std::runtime_error("the status page did not read back " +
                                   std::to_string(kServices) + " services");
        }
      });
    }
    if (i < kWarmup) continue;
    spawn_ms.push_back(s);
    map_ms.push_back(m);
    by_page_ms.push_back(p);
    by_config_ms.push_back(c);
    reader_ms.push_back(r);
  }
  supd.stop();

  const double floor = median(spawn_ms) + median(map_ms);
  const std::string floor_what = "posix_spawn /bin/true + wait (" +
                                 format_number(median(spawn_ms)) + " ms) + mmap read of " +
                                 page_kib + " (" + format_number(median(map_ms)) + " ms)";
  const std::string runs = "median of " + std::to_string(ctx.status_runs);
  if (real_supctl) {
    Row r;
    r.group = group;
    r.figure = "supctl --status-page PAGE status";
    r.unit = "ms";
    r.value = median(by_page_ms);
    r.target_ratio = 2.0;
    r.note = runs + ", p90 " + format_number(percentile(by_page_ms, 90)) + " ms";
    rows.push_back(with_floor(r, floor, floor_what));
    r.figure = "supctl -c CONFIG status";
    r.value = median(by_config_ms);
    r.note = runs + ", p90 " + format_number(percentile(by_config_ms, 90)) +
             " ms; reads the config for the page's path";
    rows.push_back(with_floor(r, floor, floor_what));
  } else {
    Row r;
    r.group = group;
    r.figure = "StatusReader open + read, in-process";
    r.unit = "ms";
    r.value = median(reader_ms);
    r.note = runs + "; supctl has no working `status` in this build (" +
             (ctx.supctl.empty() ? std::string("none given") : ctx.supctl) +
             "): timed the status-page read path in-process, against the mapped read alone";
    rows.push_back(with_floor(r, median(map_ms), "mmap read of " + page_kib));
    Row f;
    f.group = group;
    f.figure = "(floor for supctl: spawn /bin/true + mmap read)";
    f.unit = "ms";
    f.value = floor;
    f.note = floor_what;
    rows.push_back(f);
  }
  return rows;
}

}  // namespace supd::bench
