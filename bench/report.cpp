#include "report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace supd::bench {

std::string format_number(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a >= 100 || v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (a >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else if (a >= 0.1) {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", v);
  }
  return buf;
}

std::string Row::target_text() const {
  const std::string op = better == Better::Lower ? "<= " : ">= ";
  if (target_ratio) return op + format_number(*target_ratio) + "x";
  if (target_value) return op + format_number(*target_value) + " " + unit;
  return "";
}

std::optional<bool> Row::ok() const {
  if (!error.empty()) return std::nullopt;
  auto meets = [&](double v, double t) { return better == Better::Lower ? v <= t : v >= t; };
  if (target_ratio && ratio) return meets(*ratio, *target_ratio);
  if (target_value) return meets(value, *target_value);
  return std::nullopt;
}

Row with_floor(Row row, double floor, std::string floor_what) {
  row.floor = floor;
  row.floor_what = std::move(floor_what);
  if (floor > 0) row.ratio = row.value / floor;
  return row;
}

Row failed_row(std::string group, std::string figure, std::string error) {
  Row r;
  r.group = std::move(group);
  r.figure = std::move(figure);
  r.error = std::move(error);
  return r;
}

namespace {

std::string cell_value(const Row& r) {
  if (!r.error.empty()) return "FAILED";
  return format_number(r.value) + " " + r.unit;
}

std::string cell_floor(const Row& r) {
  return r.floor ? format_number(*r.floor) + " " + r.unit : std::string("-");
}

std::string cell_ratio(const Row& r) { return r.ratio ? format_number(*r.ratio) + "x" : "-"; }

std::string cell_ok(const Row& r) {
  auto ok = r.ok();
  if (!r.error.empty()) return "FAIL";
  if (!ok) return "";
  return *ok ? "ok" : "MISS";
}

}  // namespace

void print_table(const RunInfo& info, const std::vector<Row>& rows) {
  std::printf("\nsupd benchmarks, %s, %d cores, load %.2f -> %.2f, Linux %s%s, %.0f s\n",
              info.date.c_str(), info.cores, info.load_before, info.load_after, info.kernel.c_str(),
              info.quick ? ", --quick" : "", info.seconds);
  std::printf("%-46s %12s %12s %8s %12s %5s\n", "figure", "measured", "floor", "ratio", "target",
              "");
  std::string group;
  for (const Row& r : rows) {
    if (r.group != group) {
      group = r.group;
      std::printf("%s\n", group.c_str());
    }
    std::printf("  %-44s %12s %12s %8s %12s %5s\n", r.figure.c_str(), cell_value(r).c_str(),
                cell_floor(r).c_str(), cell_ratio(r).c_str(), r.target_text().c_str(),
                cell_ok(r).c_str());
  }
  std::printf("\nfloors and notes:\n");
  for (const Row& r : rows) {
    std::string text;
    if (!r.error.empty()) text = "failed: " + r.error;
    if (!r.floor_what.empty()) text += (text.empty() ? "" : "; ") + ("floor: " + r.floor_what);
    if (!r.note.empty()) text += (text.empty() ? "" : "; ") + r.note;
    if (!text.empty()) {
      std::printf("  %s / %s: %s\n", r.group.c_str(), r.figure.c_str(), text.c_str());
    }
  }
  if (info.leftover_processes > 0) {
    std::printf("  WARNING: %d processes were left behind and killed by the bench\n",
                info.leftover_processes);
  }
  std::fflush(stdout);
}

void write_json(const std::string& path, const RunInfo& info, const std::vector<Row>& rows) {
  nlohmann::json out;
  out["date"] = info.date;
  out["kernel"] = info.kernel;
  out["cores"] = info.cores;
  out["load_before"] = info.load_before;
  out["load_after"] = info.load_after;
  out["quick"] = info.quick;
  out["seconds"] = info.seconds;
  out["leftover_processes"] = info.leftover_processes;
  nlohmann::json list = nlohmann::json::array();
  for (const Row& r : rows) {
    nlohmann::json j;
    j["group"] = r.group;
    j["figure"] = r.figure;
    j["unit"] = r.unit;
    j["value"] = r.error.empty() ? nlohmann::json(r.value) : nlohmann::json(nullptr);
    j["floor"] = r.floor ? nlohmann::json(*r.floor) : nlohmann::json(nullptr);
    j["floor_what"] = r.floor_what;
    j["ratio"] = r.ratio ? nlohmann::json(*r.ratio) : nlohmann::json(nullptr);
    j["target"] = r.target_text();
    auto ok = r.ok();
    j["ok"] = ok ? nlohmann::json(*ok) : nlohmann::json(nullptr);
    j["note"] = r.note;
    j["error"] = r.error;
    list.push_back(std::move(j));
  }
  out["results"] = std::move(list);
  std::ofstream file(path);
  if (!file) throw std::runtime_error("cannot write " + path);
  file << out.dump(2) << "\n";
}

}  // namespace supd::bench
