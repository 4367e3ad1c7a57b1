// The benchmarks. Each one sets up what it needs in its own temp dir, measures the supd
// figure and its floor in the same run (interleaved where the machine's load could favour
// one of them), cleans up, and returns rows for the report.
#pragma once

#include <string>
#include <vector>

#include "report.h"

namespace supd::bench {

struct Context {
  // Programs under test.
  std::string supd;
  std::string supctl;
  std::string child;           // supd_bench_child
  std::string log_throughput;  // supd_bench_log_throughput
  std::string tmp = "/tmp";    // where temp dirs go

  bool quick = false;
  int restarts = 200;       // restart latency: measured restarts (and as many floor runs)
  int other_restarts = 20;  // restarts per other supervisor (each takes > 1 s: see there)
  bool others = true;       // run runit, daemontools, supervisor where installed
  int cold_services = 1000;
  int cold_rounds = 3;
  double wakeup_window_s = 30;
  int status_runs = 200;
  int log_mb = 256;
};

// 1. SIGKILL of a running child until its replacement has announced itself, vs. the bench
//    doing kill + waitpid + fork + exec itself; then runit, daemontools, supervisord.
std::vector<Row> bench_restart_latency(const Context& ctx);
std::vector<Row> bench_other_supervisors(const Context& ctx, double floor_ms);
// 2-4. Cold start of cold_services services vs. spawning them directly; then, on the same
//      supd, its PSS and its wake-ups while idle.
std::vector<Row> bench_cold_start_footprint(const Context& ctx);
// 3 and 5. supd with 100 services: PSS, and `supctl status` vs. spawn + mapped read.
std::vector<Row> bench_status_latency(const Context& ctx);
// 6. The log throughput program, run as it is.
std::vector<Row> bench_log_throughput(const Context& ctx);

// Median and percentiles of samples (copied; the input order is kept).
double median(std::vector<double> v);
double percentile(std::vector<double> v, double p);

}  // namespace supd::bench
