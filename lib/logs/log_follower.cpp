#include "logs/log_follower.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace supd::logs {

namespace {

constexpr std::size_t kReadSize = std::size_t{64} * 1024;
// Files switched per poll at most; more waits for the next poll.
constexpr int kMaxSwitchesPerPoll = 16;

}  // namespace

LogFollower::LogFollower(std::string path, LogPosition start, FollowOptions options)
    : path_(std::move(path)), start_(start), options_(options) {
  if (options_.max_line == 0) options_.max_line = 1;
  if (options_.max_read == 0) options_.max_read = kReadSize;
}

os::Status LogFollower::open_start() {
  if (start_.file.valid()) {
    // The file the position refers to: still at the path, or renamed by rotations since.
    for (unsigned k = 0; k <= kMaxRotatedFiles; ++k) {
      const std::string name = k == 0 ? path_ : rotated_path(path_, k);
      auto info = os::file_info(name);
      if (!info) return info.error();
      if (!*info) {
        if (k == 0) continue;
        break;
      }
      if ((*info)->id != start_.file) continue;
      auto opened = os::ReadFile::open(name);
      if (!opened) return opened.error();
      if (!*opened) break;
      auto now = (*opened)->info();
      if (!now) return now.error();
      if (now->id != start_.file) break;  // rotated again just now: start over below
      file_ = std::move(*opened);
      id_ = start_.file;
      offset_ = start_.offset;
      started_ = true;
      return {};
    }
  }
  // No position, or its file is gone: the current file from its start, once it exists.
  auto opened = os::ReadFile::open(path_);
  if (!opened) return opened.error();
  if (!*opened) return {};
  auto info = (*opened)->info();
  if (!info) return info.error();
  file_ = std::move(*opened);
  id_ = info->id;
  offset_ = 0;
  started_ = true;
  return {};
}

os::Result<std::vector<std::string>> LogFollower::poll() {
  std::vector<std::string> lines;
  if (!started_) {
    os::Status s = open_start();
    if (!s.ok()) return s.error();
    if (!started_) return lines;
  }
  std::size_t budget = options_.max_read;
  bool got = false;
  for (int switches = 0; switches < kMaxSwitchesPerPoll; ++switches) {
    os::Status s = read_to_end(lines, budget, got);
    if (!s.ok()) return s.error();
    if (budget == 0) break;  // more next time; the rotation check waits until then
    auto next = successor();
    if (!next) return next.error();
    if (!*next) break;
    // The current file is complete once a newer one exists: read what reached it since.
    s = read_to_end(lines, budget, got);
    if (!s.ok()) return s.error();
    if (budget == 0) break;
    auto opened = os::ReadFile::open(**next);
    if (!opened) return opened.error();
    if (!*opened) break;  // moved on again meanwhile; the next poll finds it
    auto info = (*opened)->info();
    if (!info) return info.error();
    file_ = std::move(*opened);
    id_ = info->id;
    offset_ = 0;
  }

  if (got) {
    quiet_polls_ = 0;
  } else if (!partial_.empty() && options_.partial_after_polls > 0 &&
             ++quiet_polls_ >= options_.partial_after_polls) {
    lines.push_back(std::move(partial_));
    partial_.clear();
    quiet_polls_ = 0;
  }
  return lines;
}

os::Status LogFollower::read_to_end(std::vector<std::string>& lines, std::size_t& budget,
                                    bool& got) {
  auto info = file_->info();
  if (!info) return info.error();
  if (info->size < offset_) {
    // Truncated: what it held before is gone; start again from its beginning.
    if (!partial_.empty()) {
      lines.push_back(std::move(partial_));
      partial_.clear();
    }
    offset_ = 0;
  }
  if (buffer_.empty()) buffer_.resize(kReadSize);
  while (offset_ < info->size && budget > 0) {
    const auto want = static_cast<std::size_t>(
        std::min<std::uint64_t>({kReadSize, info->size - offset_, budget}));
    auto r = file_->read_at(offset_, buffer_.data(), want);
    if (!r) return r.error();
    if (*r == 0) break;
    offset_ += *r;
    budget -= *r;
    got = true;
    split(buffer_.data(), *r, lines);
  }
  return {};
}

os::Result<std::optional<std::string>> LogFollower::successor() {
  using Next = std::optional<std::string>;
  auto now = os::file_info(path_);
  if (!now) return now.error();
  if (*now && (*now)->id == id_) return Next{};  // still the newest file
  // Ours was renamed (or removed). If it is a rotated file, the next newer one follows it.
  for (unsigned k = 1; k <= kMaxRotatedFiles; ++k) {
    const std::string name = rotated_path(path_, k);
    auto info = os::file_info(name);
    if (!info) return info.error();
    if (!*info) break;
    if ((*info)->id != id_) continue;
    if (k > 1) return Next{rotated_path(path_, k - 1)};
    break;
  }
  // Next is the file at the path. Until it holds something, the writer may still be
  // appending to ours (an external rename before the writer reopened).
  if (!*now || (*now)->size == 0) return Next{};
  return Next{path_};
}

void LogFollower::split(const char* p, std::size_t n, std::vector<std::string>& lines) {
  while (n > 0) {
    const void* nl = std::memchr(p, '\n', n);
    const std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - p) : n;
    partial_.append(p, len);
    while (partial_.size() > options_.max_line) {
      lines.emplace_back(partial_, 0, options_.max_line);
      partial_.erase(0, options_.max_line);
    }
    if (!nl) return;
    lines.push_back(std::move(partial_));
    partial_.clear();
    p += len + 1;
    n -= len + 1;
  }
}

}  // namespace supd::logs
