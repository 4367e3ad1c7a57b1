#include "status/status_writer.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <utility>

#include "status/page_codec.h"
#include "status/seqlock.h"

namespace supd::status {
namespace {

namespace fs = std::filesystem;

// The file the page really is: readers that name it through a symbolic link, or by a
// relative path, must find the same file and derive the same semaphore name. A link to a
// page that does not exist yet is followed too, so that the page replaces its target and
// not the link.
std::string resolve(const std::string& path) {
  std::error_code ec;
  fs::path p(path);
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) break;
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
  fs::path resolved = fs::weakly_canonical(p, ec);
  if (ec) return p.string();
  return resolved.string();
}

// What the supd before this one left on the page.
struct Previous {
  std::optional<CrashBlock> crash;
  std::uint32_t run = 0;
  std::uint32_t flags = 0;
};

Previous read_previous(const std::string& path) {
  Previous prev;
  auto mapping = os::FileMapping::open_read_only(path);
  if (!mapping) return prev;
  auto geometry = codec::check(mapping->data(), mapping->size(), path);
  if (!geometry) return prev;  // another layout version: nothing we can carry over
  codec::RawPage raw;
  codec::copy_page(mapping->data(), *geometry,
                   std::chrono::steady_clock::now() + std::chrono::milliseconds(20), raw);
  prev.run = raw.daemon.run;
  const bool crashed = raw.crash.time != 0 && raw.crash.run == raw.daemon.run;
  if (raw.crash.time != 0) prev.crash = raw.crash;
  if (crashed) {
    prev.flags |= kFlagPreviousRunCrashed;
  } else if (raw.daemon.state != static_cast<std::uint32_t>(DaemonState::Stopped)) {
    prev.flags |= kFlagPreviousRunUnclean;
  }
  return prev;
}

void store_u32(std::byte* page, std::size_t offset, std::uint32_t value) {
  seqlock::word(page + offset).store(value, std::memory_order_relaxed);
}

}  // namespace

os::Result<StatusWriter> StatusWriter::create(const std::string& path, std::size_t capacity,
                                              const WriterOptions& options) {
  if (capacity == 0 || capacity > kMaxCapacity) {
    return os::Error{{},
                     "status page " + path + ": capacity " + std::to_string(capacity) +
                         " is out of range (1 to " + std::to_string(kMaxCapacity) + ")"};
  }
  const std::string target = resolve(path);
  const Previous prev = read_previous(target);
  const std::size_t size = page_size(capacity);

  // `replacing`: the page is a new file that will be renamed over the old one (rather than
  // the old file rewritten in place).
  auto finish = [&](os::FileMapping mapping, bool replacing) {
    StatusWriter writer(path, std::move(mapping), options);
    writer.slots_.assign(capacity, std::string());
    writer.daemon_.run = prev.run + 1;
    writer.daemon_.flags = prev.flags;
    if (prev.crash) writer.previous_crash_ = codec::decode(*prev.crash);
    writer.initialize(prev.crash.value_or(CrashBlock{}));
    if (options.use_lock) writer.open_lock(os::semaphore_name_for(target), replacing);
    return writer;
  };

  // Build the page beside its place and rename it over the old one: readers never see it
  // half-made, and a reader still holding the old page keeps a whole file (shrinking a
  // mapped file under a reader would make its accesses fault).
  const std::string fresh_path = target + ".new";
  std::error_code ec;
  fs::remove(fs::path(fresh_path), ec);
  if (auto fresh = os::FileMapping::create(fresh_path, size, options.mode)) {
    StatusWriter writer = finish(std::move(*fresh), true);
    fs::rename(fs::path(fresh_path), fs::path(target), ec);
    if (!ec) return writer;
    fs::remove(fs::path(fresh_path), ec);
  }
  // The directory refuses new files (or renames): re-create the page in place.
  auto in_place = os::FileMapping::create(target, size, options.mode);
  if (!in_place) return in_place.error();
  return finish(std::move(*in_place), false);
}

StatusWriter::StatusWriter(std::string path, os::FileMapping mapping, const WriterOptions& options)
    : path_(std::move(path)), mapping_(std::move(mapping)), options_(options) {}

void StatusWriter::open_lock(const std::string& name, bool replacing) {
  const unsigned lock_mode = options_.mode | ((options_.mode & 0444u) >> 1);
  if (replacing) {
    // A fresh semaphore: the old one may have been left taken by a supd or reader that died
    // holding it. Made before the new page is moved into place, so a reader that finds the
    // new page also finds the new semaphore; readers of the old page keep the old one until
    // they follow the page.
    (void)os::NamedSemaphore::unlink(name);
  }
  auto lock = os::NamedSemaphore::open_or_create(name, 1, lock_mode);
  if (!lock) {
    lock_error_ = lock.error();
    return;
  }
  lock_.emplace(std::move(*lock));
  if (!replacing) {
    // Readers that map the page now keep the semaphore they have: repair it instead of
    // replacing it. A value of 0 is taken as a holder that died (supd itself, if it crashed
    // while writing); a live one's late release is taken back later (acquire_lock).
    auto value = lock_->value();
    if (value && *value == 0 && lock_->post()) ++lock_repairs_;
  }
}

std::byte* StatusWriter::record(int slot) {
  return mapping_.data() + sizeof(Header) + static_cast<std::size_t>(slot) * sizeof(Record);
}

void StatusWriter::initialize(const CrashBlock& crash) {
  std::byte* page = header();
  // The magic is cleared first and written last, so that a reader opening a page being
  // re-created in place rejects it instead of trusting half-written geometry.
  store_u32(page, 0, 0);
  store_u32(page, offsetof(Header, layout_version), kLayoutVersion);
  store_u32(page, offsetof(Header, header_size), sizeof(Header));
  store_u32(page, offsetof(Header, record_size), sizeof(Record));
  store_u32(page, offsetof(Header, record_capacity), static_cast<std::uint32_t>(slots_.size()));
  daemon_.state = static_cast<std::uint32_t>(DaemonState::Starting);
  write_daemon();
  seqlock::write(page + offsetof(Header, crash_seq), page + offsetof(Header, crash), &crash,
                 sizeof crash);
  const RecordBlock empty{};
  for (int slot = 0; slot < static_cast<int>(slots_.size()); ++slot) write_record(slot, empty);
  std::uint32_t magic[2];
  std::memcpy(magic, kMagic, sizeof magic);
  store_u32(page, 4, magic[1]);
  seqlock::word(page).store(magic[0], std::memory_order_release);
  bump_generation();
}

void StatusWriter::write_daemon() {
  seqlock::write(header() + offsetof(Header, header_seq), header() + offsetof(Header, daemon),
                 &daemon_, sizeof daemon_);
}

void StatusWriter::write_record(int slot, const RecordBlock& block) {
  std::byte* r = record(slot);
  seqlock::write(r + offsetof(Record, seq), r + offsetof(Record, block), &block, sizeof block);
}

void StatusWriter::bump_generation() noexcept {
  seqlock::word(mapping_.data() + offsetof(Header, generation))
      .fetch_add(1, std::memory_order_release);
}

void StatusWriter::set_daemon_info(std::int64_t pid, std::int64_t start_time) {
  const bool locked = acquire_lock(true);
  daemon_.pid = static_cast<std::uint32_t>(pid);
  daemon_.start_time = start_time;
  write_daemon();
  bump_generation();
  if (locked) release_lock();
}

void StatusWriter::set_daemon_state(DaemonState state) {
  const bool locked = acquire_lock(true);
  daemon_.state = static_cast<std::uint32_t>(state);
  write_daemon();
  bump_generation();
  if (locked) release_lock();
}

void StatusWriter::heartbeat(std::int64_t unix_ms) {
  daemon_.heartbeat_ms = unix_ms;
  write_daemon();  // a lone field: the seqlock is all it needs
  if (acquire_lock(false)) release_lock();
}

int StatusWriter::add_or_find(std::string_view name) {
  const std::string key(name);
  if (auto it = index_.find(key); it != index_.end()) return it->second;
  if (name.empty() || name.size() > kMaxNameLength) return -1;
  int slot = -1;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].empty()) {
      slot = static_cast<int>(i);
      break;
    }
  }
  if (slot < 0) return -1;
  slots_[static_cast<std::size_t>(slot)] = key;
  index_.emplace(key, slot);

  ServiceStatus fresh;
  const bool locked = acquire_lock(true);
  // The record before the count that makes readers look at it.
  write_record(slot, codec::encode(fresh, name));
  daemon_.service_count += 1;
  daemon_.slot_count = std::max(daemon_.slot_count, static_cast<std::uint32_t>(slot) + 1);
  write_daemon();
  bump_generation();
  if (locked) release_lock();
  return slot;
}

void StatusWriter::update(int slot, const ServiceStatus& status) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= slots_.size()) return;
  const std::string& name = slots_[static_cast<std::size_t>(slot)];
  if (name.empty()) return;
  const RecordBlock block = codec::encode(status, name);
  const bool locked = acquire_lock(true);
  write_record(slot, block);
  bump_generation();
  if (locked) release_lock();
}

void StatusWriter::remove(std::string_view name) {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) return;
  const int slot = it->second;
  index_.erase(it);
  slots_[static_cast<std::size_t>(slot)].clear();

  const bool locked = acquire_lock(true);
  write_record(slot, RecordBlock{});
  daemon_.service_count -= 1;
  while (daemon_.slot_count > 0 && slots_[daemon_.slot_count - 1].empty()) daemon_.slot_count -= 1;
  write_daemon();
  bump_generation();
  if (locked) release_lock();
}

void StatusWriter::record_crash(std::int64_t unix_time, int signo, std::uint64_t fault_address,
                                const char* text) noexcept {
  if (mapping_.data() == nullptr) return;
  CrashBlock crash{};
  crash.time = unix_time != 0 ? unix_time : 1;  // 0 means "no crash recorded"
  crash.fault_address = fault_address;
  crash.signo = signo;
  crash.pid = daemon_.pid;
  crash.run = daemon_.run;
  if (text != nullptr) {
    std::size_t n = 0;
    while (n < sizeof crash.text && text[n] != '\0') ++n;
    codec::put_text(crash.text, sizeof crash.text, std::string_view(text, n));
  }
  // Its own seqlock: the handler may have interrupted a write of any other block.
  seqlock::write(header() + offsetof(Header, crash_seq), header() + offsetof(Header, crash), &crash,
                 sizeof crash);
  bump_generation();
}

bool StatusWriter::acquire_lock(bool may_wait) {
  if (!lock_) return false;
  auto drain_surplus = [this] {
    // Held by us, the value must be 0. More means a repair gave back a lock whose holder
    // was alive after all and has since released it too: take the extra back.
    auto value = lock_->value();
    for (int i = 0; value && i < *value; ++i) {
      if (!lock_->try_wait()) break;
    }
  };
  if (may_wait && !lock_suspect_) {
    // Readers hold the lock for microseconds: a wait this long fails only if one stalls.
    auto got = lock_->wait_for(options_.lock_timeout);
    if (got && *got) {
      drain_surplus();
      return true;
    }
  } else if (lock_->try_wait()) {
    // Once a wait has failed, waiting again would stall every write behind a dead holder.
    lock_suspect_ = false;
    drain_surplus();
    return true;
  }

  ++lock_timeouts_;
  const auto now = std::chrono::steady_clock::now();
  if (!lock_suspect_) {
    lock_suspect_ = true;
    lock_suspect_since_ = now;
    return false;
  }
  if (now - lock_suspect_since_ < options_.stale_lock_after) return false;
  // Not had once in stale_lock_after: the holder is dead (or stopped, which is as bad).
  // Give the lock back, unless it was released just now.
  auto value = lock_->value();
  if (!value || *value == 0) {
    if (lock_->post()) ++lock_repairs_;
  }
  if (lock_->try_wait()) {
    lock_suspect_ = false;
    drain_surplus();
    return true;
  }
  lock_suspect_since_ = now;
  return false;
}

void StatusWriter::release_lock() { (void)lock_->post(); }

}  // namespace supd::status
