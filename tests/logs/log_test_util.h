// Shared helpers for the log tests: a scratch directory, whole-file reads, a file system
// that fails on command, and a deterministic stream of numbered lines.
#pragma once

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "logs/file_system.h"

namespace supd::logs::testing {

inline constexpr std::size_t kKiB = 1024;
inline constexpr std::size_t kMiB = 1024 * kKiB;

class TempDir {
 public:
  TempDir() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("supd-logs-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void write_file(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

inline void append_file(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << data;
}

inline bool exists(const std::string& path) { return std::filesystem::exists(path); }

// path.N ... path.1, path concatenated (oldest first), and how many rotated files exist.
inline std::string read_all_generations(const std::string& path, unsigned* rotated = nullptr) {
  unsigned n = 0;
  while (exists(path + "." + std::to_string(n + 1))) ++n;
  std::string all;
  for (unsigned i = n; i >= 1; --i) all += read_file(path + "." + std::to_string(i));
  all += read_file(path);
  if (rotated) *rotated = n;
  return all;
}

inline std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t nl = s.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(s.substr(start));
      break;
    }
    lines.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// Numbered lines of varying length ("00000042 xxxx...\n"), with an occasional line longer
// than `oversize` when it is not 0. Deterministic for a seed.
inline std::string numbered_lines(std::size_t total_bytes, unsigned seed,
                                  std::size_t oversize = 0) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> len(0, 300);
  std::uniform_int_distribution<int> letter('a', 'z');
  std::string out;
  out.reserve(total_bytes + 4096);
  for (std::uint64_t i = 0; out.size() < total_bytes; ++i) {
    char num[16];
    std::snprintf(num, sizeof num, "%08llu ", static_cast<unsigned long long>(i));
    out += num;
    std::size_t n = static_cast<std::size_t>(len(rng));
    if (oversize > 0 && i % 20000 == 19999) n = oversize + oversize / 2;
    out.append(n, static_cast<char>(letter(rng)));
    out += '\n';
  }
  return out;
}

// The real file system, with failures switched on by the test (LevelDB's SpecialEnv).
class FaultyFileSystem final : public FileSystem {
 public:
  // Writes fail with `write_errno` once `write_budget` bytes were written (-1: never).
  std::int64_t write_budget = -1;
  int write_errno = ENOSPC;
  // Every write writes at most this many bytes (0: no limit).
  std::size_t short_writes = 0;
  int rename_errno = 0;  // renames of existing files fail with this when not 0
  int open_errno = 0;    // opens fail with this when not 0
  int opens = 0;
  int renames = 0;

  os::Result<Opened> open_append(const std::string& path) override {
    ++opens;
    if (open_errno) return os::Error{{open_errno, std::generic_category()}, "open " + path};
    auto opened = real_file_system().open_append(path);
    if (!opened) return opened.error();
    opened->file = std::make_unique<File>(*this, std::move(opened->file), path);
    return opened;
  }
  os::Status rename(const std::string& from, const std::string& to) override {
    ++renames;
    // A missing source fails as it would for real (a shift of rotated files skips it).
    if (rename_errno && std::filesystem::exists(from)) {
      return os::Error{{rename_errno, std::generic_category()}, "rename " + from + " to " + to};
    }
    return real_file_system().rename(from, to);
  }

 private:
  class File final : public WritableFile {
   public:
    File(FaultyFileSystem& fs, std::unique_ptr<WritableFile> real, std::string path)
        : fs_(fs), real_(std::move(real)), path_(std::move(path)) {}
    os::Result<std::size_t> write(const char* data, std::size_t n) override {
      if (fs_.short_writes && n > fs_.short_writes) n = fs_.short_writes;
      if (fs_.write_budget >= 0) {
        if (fs_.write_budget == 0) {
          return os::Error{{fs_.write_errno, std::generic_category()}, "write " + path_};
        }
        if (n > static_cast<std::size_t>(fs_.write_budget)) {
          n = static_cast<std::size_t>(fs_.write_budget);
        }
      }
      auto r = real_->write(data, n);
      if (r && fs_.write_budget >= 0) fs_.write_budget -= static_cast<std::int64_t>(*r);
      return r;
    }
    os::Result<std::uint64_t> size() override { return real_->size(); }

   private:
    FaultyFileSystem& fs_;
    std::unique_ptr<WritableFile> real_;
    std::string path_;
  };
};

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::system_clock::time_point now{};
  std::chrono::system_clock::time_point operator()() const { return now; }
};

}  // namespace supd::logs::testing
