// Runs supd_bench_log_throughput (log_throughput.cpp) as it is and turns its figures into rows:
// LogFile with and without timestamps against a write() loop into a file, same run.
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "benchmarks.h"
#include "sys.h"

namespace supd::bench {

std::vector<Row> bench_log_throughput(const Context& ctx) {
  TempDir dir(ctx.tmp, "logs");
  const std::string json = dir.file("figures.json");
  SpawnOptions options;
  options.stdout_path = dir.file("output.txt");
  options.stderr_path = dir.file("output.txt");
  const pid_t pid = spawn(
      {ctx.log_throughput, "--mb", std::to_string(ctx.log_mb), "--dir", dir.path(), "--json", json},
      options);
  std::optional<int> status;
  const auto deadline = Clock::now() + std::chrono::minutes(10);
  while (!(status = wait_exit(pid, milliseconds(200)))) {
    if (interrupted() || Clock::now() > deadline) {
      kill_and_reap(pid);
      throw std::runtime_error(interrupted() ? "interrupted" : "took more than 10 minutes");
    }
  }
  const std::string text = read_file(json);
  if (text.empty()) {
    throw std::runtime_error(describe_wait_status(*status) + ": " +
                             read_file(dir.file("output.txt")));
  }
  const nlohmann::json f = nlohmann::json::parse(text);
  const double baseline = f.at("baseline_mib_s").get<double>();
  const std::string group =
      "6. log throughput, " + format_number(f.at("mib").get<double>()) + " MiB of 128-byte lines";
  const std::string floor_what = "write() loop of the same " +
                                 std::to_string(f.at("chunk_kb").get<int>()) +
                                 " KiB chunks into a file (cat > file)";
  std::vector<Row> rows;
  Row r;
  r.group = group;
  r.unit = "MiB/s";
  r.better = Better::Higher;
  r.note = "best of 3, interleaved";
  r.figure = "LogFile, no timestamps";
  r.value = f.at("plain_mib_s").get<double>();
  r.target_ratio = 0.80;
  rows.push_back(with_floor(r, baseline, floor_what));
  r.figure = "LogFile, timestamps";
  r.value = f.at("timestamps_mib_s").get<double>();
  r.target_ratio = 0.50;
  rows.push_back(with_floor(r, baseline, floor_what));
  return rows;
}

}  // namespace supd::bench
