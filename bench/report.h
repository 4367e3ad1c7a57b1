// The figures of one run: rows for the table on stdout and for the JSON file.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace supd::bench {

enum class Better { Lower, Higher };

struct Row {
  std::string group;   // "restart latency"
  std::string figure;  // "supd, restart: always"
  std::string unit;    // "ms", "s", "MiB", "MiB/s", "wake-ups"
  double value = 0;
  // The floor or baseline measured in the same run, and what it is.
  std::optional<double> floor;
  std::string floor_what;
  // value / floor when there is a floor.
  std::optional<double> ratio;
  // Pass/fail: against the ratio when target_ratio is set, else against the value.
  std::optional<double> target_ratio;
  std::optional<double> target_value;
  Better better = Better::Lower;
  std::string note;
  std::string error;  // the benchmark failed: why (value meaningless)

  // The target as text ("<= 1.25x", "< 2 s"), "" when none.
  std::string target_text() const;
  // Whether the target was met; nullopt when there is no target or the row failed.
  std::optional<bool> ok() const;
};

// Fills in ratio from value and floor.
Row with_floor(Row row, double floor, std::string floor_what);
Row failed_row(std::string group, std::string figure, std::string error);

struct RunInfo {
  std::string date;
  std::string kernel;
  int cores = 0;
  double load_before = 0;
  double load_after = 0;
  bool quick = false;
  double seconds = 0;
  int leftover_processes = 0;
};

void print_table(const RunInfo& info, const std::vector<Row>& rows);
void write_json(const std::string& path, const RunInfo& info, const std::vector<Row>& rows);

// "1.23" with the precision a figure of this size deserves.
std::string format_number(double v);

}  // namespace supd::bench
