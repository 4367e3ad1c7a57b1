// Log write throughput: 128-byte lines through LogFile, with and without timestamps,
// against a plain loop of write(2) calls of the same chunks into a file ("cat > file").
//
//   supd_bench_log_throughput [--mb 256] [--chunk-kb 64] [--dir /tmp] [--check] [--json FILE]
//
// Chunks stand for what one pipe read hands the daemon. Each case runs three times,
// interleaved, and the best run counts (the machine may be shared). --check exits 1 when a
// ratio is below its target (LogFile >= 0.80, with timestamps >= 0.50 of the baseline).
// --json writes the figures to FILE as well, for scripts/bench.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>

#include "logs/log_file.h"
#include "os/log_file_io.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::size_t mb = 256;
  std::size_t chunk_kb = 64;
  std::string dir = std::filesystem::temp_directory_path().string();
  bool check = false;
  std::string json;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--mb") {
      a.mb = std::stoul(next());
    } else if (arg == "--chunk-kb") {
      a.chunk_kb = std::stoul(next());
    } else if (arg == "--dir") {
      a.dir = next();
    } else if (arg == "--check") {
      a.check = true;
    } else if (arg == "--json") {
      a.json = next();
    } else {
      std::fprintf(stderr,
                   "usage: %s [--mb N] [--chunk-kb N] [--dir DIR] [--check] [--json FILE]\n",
                   argv[0]);
      std::exit(2);
    }
  }
  return a;
}

// One chunk's worth of 128-byte lines ("00000042 xxxx...\n"), repeated for the whole run.
std::string make_chunk(std::size_t size) {
  std::string chunk;
  std::mt19937 rng(1);
  for (std::size_t i = 0; chunk.size() + 128 <= size; ++i) {
    char line[129];
    std::snprintf(line, sizeof line, "%08zu ", i);
    std::memset(line + 9, 'a' + static_cast<int>(rng() % 26), 118);
    line[127] = '\n';
    chunk.append(line, 128);
  }
  return chunk;
}

double seconds_for(const std::function<void()>& run) {
  const auto start = Clock::now();
  run();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const std::string chunk = make_chunk(args.chunk_kb * 1024);
  const std::size_t chunks = args.mb * 1024 * 1024 / chunk.size();
  const double mib = static_cast<double>(chunks * chunk.size()) / (1024.0 * 1024.0);
  const std::filesystem::path dir = std::filesystem::path(args.dir) /
                                    ("supd-log-bench-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "bench.log").string();

  auto baseline = [&] {
    auto file = supd::os::AppendFile::open(path);
    if (!file) {
      std::fprintf(stderr, "%s\n", file.error().message().c_str());
      std::exit(1);
    }
    for (std::size_t i = 0; i < chunks; ++i) {
      for (std::size_t done = 0; done < chunk.size();) {
        auto n = file->write(chunk.data() + done, chunk.size() - done);
        if (!n) {
          std::fprintf(stderr, "%s\n", n.error().message().c_str());
          std::exit(1);
        }
        done += *n;
      }
    }
  };
  auto through_log_file = [&](bool timestamps) {
    supd::logs::LogFile log({.path = path, .timestamps = timestamps});
    for (std::size_t i = 0; i < chunks; ++i) {
      supd::os::Status s = log.write(chunk);
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.error().message().c_str());
        std::exit(1);
      }
    }
  };

  double best[3] = {1e9, 1e9, 1e9};
  for (int round = 0; round < 3; ++round) {
    const std::function<void()> cases[3] = {baseline, [&] { through_log_file(false); },
                                            [&] { through_log_file(true); }};
    for (int c = 0; c < 3; ++c) {
      std::filesystem::remove(path);
      best[c] = std::min(best[c], seconds_for(cases[c]));
    }
  }
  std::filesystem::remove_all(dir);

  const double plain_ratio = best[0] / best[1];
  const double stamped_ratio = best[0] / best[2];
  std::printf("log throughput: %.0f MiB of 128-byte lines in %zu KiB chunks (best of 3)\n", mib,
              args.chunk_kb);
  std::printf("  write() loop         %8.1f MiB/s\n", mib / best[0]);
  std::printf("  LogFile              %8.1f MiB/s  ratio %.2f (target >= 0.80)\n", mib / best[1],
              plain_ratio);
  std::printf("  LogFile, timestamps  %8.1f MiB/s  ratio %.2f (target >= 0.50)\n", mib / best[2],
              stamped_ratio);
  if (!args.json.empty()) {
    std::FILE* out = std::fopen(args.json.c_str(), "w");
    if (out == nullptr) {
      std::perror(args.json.c_str());
      return 1;
    }
    std::fprintf(out,
                 "{\"mib\": %.1f, \"chunk_kb\": %zu, \"baseline_mib_s\": %.2f, "
                 "\"plain_mib_s\": %.2f, \"timestamps_mib_s\": %.2f}\n",
                 mib, args.chunk_kb, mib / best[0], mib / best[1], mib / best[2]);
    std::fclose(out);
  }
  if (args.check && (plain_ratio < 0.80 || stamped_ratio < 0.50)) return 1;
  return 0;
}
