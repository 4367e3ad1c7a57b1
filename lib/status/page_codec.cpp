#include "status/page_codec.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include "status/seqlock.h"

namespace supd::status::codec {
namespace {

constexpr std::size_t kVersionEnd = offsetof(Header, layout_version) + sizeof(std::uint32_t);

std::uint32_t read_u32(const std::byte* p) {
  std::uint32_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

os::Error page_error(const std::string& path, const std::string& problem) {
  return os::Error{{}, "status page " + path + ": " + problem};
}

// Copies one block through its seqlock: spins briefly (a writer is inside for well under a
// microsecond), then yields the CPU (it may have been preempted inside) until the deadline.
bool copy_block(const std::byte* seq, const std::byte* block, void* dst, std::size_t size,
                std::chrono::steady_clock::time_point deadline) {
  constexpr int kSpins = 64;
  constexpr int kAttemptsPastDeadline = 4;
  for (int attempt = 0;; ++attempt) {
    if (seqlock::try_read(seq, block, dst, size)) return true;
    if (attempt >= kSpins) {
      if (std::chrono::steady_clock::now() >= deadline &&
          attempt >= kAttemptsPastDeadline + kSpins) {
        return false;
      }
      std::this_thread::yield();
    }
  }
}

}  // namespace

void put_text(char* dst, std::size_t size, std::string_view text) noexcept {
  std::size_t n = text.size() < size ? text.size() : size - 1;
  // Cut before a UTF-8 continuation byte, never inside a character.
  if (n < text.size()) {
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0u) == 0x80u) --n;
  }
  for (std::size_t i = 0; i < size; ++i) dst[i] = i < n ? text[i] : '\0';
}

std::string get_text(const char* src, std::size_t size) {
  std::size_t n = 0;
  while (n < size && src[n] != '\0') ++n;
  return std::string(src, n);
}

RecordBlock encode(const ServiceStatus& status, std::string_view name) {
  RecordBlock b{};
  b.since = status.since;
  b.pid = static_cast<std::uint32_t>(status.pid);
  b.restarts = status.restarts;
  b.exit_code = status.exit_code.value_or(0);
  b.has_exit_code = status.exit_code.has_value() ? 1 : 0;
  b.state = static_cast<std::uint8_t>(status.state);
  b.health = static_cast<std::uint8_t>(status.health);
  put_text(b.name, sizeof b.name, name);
  put_text(b.signal, sizeof b.signal, status.signal);
  put_text(b.last_exit, sizeof b.last_exit, status.last_exit);
  return b;
}

ServiceStatus decode(const RecordBlock& b) {
  ServiceStatus s;
  s.name = get_text(b.name, sizeof b.name);
  // Values this reader does not know can only come from a damaged page: show the neutral one.
  s.state =
      b.state < kServiceStateCount ? static_cast<ServiceState>(b.state) : ServiceState::Stopped;
  s.health = b.health < kHealthCount ? static_cast<Health>(b.health) : Health::None;
  s.pid = b.pid;
  s.since = b.since;
  s.restarts = b.restarts;
  s.last_exit = get_text(b.last_exit, sizeof b.last_exit);
  if (b.has_exit_code != 0) s.exit_code = b.exit_code;
  s.signal = get_text(b.signal, sizeof b.signal);
  return s;
}

CrashInfo decode(const CrashBlock& b) {
  CrashInfo c;
  c.time = b.time;
  c.signo = b.signo;
  c.fault_address = b.fault_address;
  c.pid = b.pid;
  c.text = get_text(b.text, sizeof b.text);
  return c;
}

DaemonInfo decode(const DaemonBlock& b) {
  DaemonInfo d;
  d.pid = b.pid;
  d.start_time = b.start_time;
  d.heartbeat_ms = b.heartbeat_ms;
  d.state = b.state < kDaemonStateCount ? static_cast<DaemonState>(b.state) : DaemonState::Starting;
  return d;
}

os::Result<Geometry> check(const std::byte* data, std::size_t size, const std::string& path) {
  if (size == 0) return page_error(path, "empty (supd has not written it yet)");
  if (size < sizeof kMagic || std::memcmp(data, kMagic, sizeof kMagic) != 0) {
    return page_error(path, "not a supd status page (bad magic)");
  }
  if (size < kVersionEnd) return page_error(path, "truncated (" + std::to_string(size) + " bytes)");
  const std::uint32_t version = read_u32(data + offsetof(Header, layout_version));
  if (version != kLayoutVersion) {
    const std::string versions = "layout version " + std::to_string(version) +
                                 ", this supctl reads version " + std::to_string(kLayoutVersion);
    if (version > kLayoutVersion) return page_error(path, versions + " \u2014 upgrade supctl");
    return page_error(path, versions +
                                " \u2014 it was written by an older supd; restart supd or use "
                                "the supctl that came with it");
  }
  if (size < sizeof(Header)) {
    return page_error(path, "truncated (" + std::to_string(size) + " bytes, the header alone is " +
                                std::to_string(sizeof(Header)) + ")");
  }
  Geometry g;
  g.header_size = read_u32(data + offsetof(Header, header_size));
  g.record_size = read_u32(data + offsetof(Header, record_size));
  g.capacity = read_u32(data + offsetof(Header, record_capacity));
  if (g.header_size < sizeof(Header) || g.record_size < sizeof(Record) || g.header_size % 8 != 0 ||
      g.record_size % 8 != 0) {
    return page_error(path, "damaged header (header size " + std::to_string(g.header_size) +
                                ", record size " + std::to_string(g.record_size) + ")");
  }
  const std::uint64_t needed =
      std::uint64_t{g.header_size} + std::uint64_t{g.capacity} * std::uint64_t{g.record_size};
  if (needed > size) {
    return page_error(path, "truncated (" + std::to_string(size) + " bytes, its header promises " +
                                std::to_string(needed) + ")");
  }
  return g;
}

void copy_page(const std::byte* data, const Geometry& geometry,
               std::chrono::steady_clock::time_point deadline, RawPage& out) {
  out.complete = true;
  out.records.clear();
  out.generation =
      seqlock::word(data + offsetof(Header, generation)).load(std::memory_order_acquire);
  out.complete &= copy_block(data + offsetof(Header, header_seq), data + offsetof(Header, daemon),
                             &out.daemon, sizeof out.daemon, deadline);
  out.complete &= copy_block(data + offsetof(Header, crash_seq), data + offsetof(Header, crash),
                             &out.crash, sizeof out.crash, deadline);
  const std::uint32_t slots = std::min(out.daemon.slot_count, geometry.capacity);
  for (std::uint32_t i = 0; i < slots; ++i) {
    const std::byte* record =
        data + geometry.header_size + std::size_t{i} * std::size_t{geometry.record_size};
    RecordBlock& block = out.records.emplace_back();
    out.complete &= copy_block(record + offsetof(Record, seq), record + offsetof(Record, block),
                               &block, sizeof block, deadline);
  }
}

Snapshot decode(const RawPage& raw, const Geometry& geometry, const std::string& path) {
  Snapshot s;
  s.path = path;
  s.layout_version = kLayoutVersion;
  s.capacity = geometry.capacity;
  s.generation = raw.generation;
  s.daemon = decode(raw.daemon);
  if (raw.crash.time != 0) {
    s.last_crash = decode(raw.crash);
    s.crashed = raw.crash.run == raw.daemon.run;
  }
  s.previous_run_crashed = (raw.daemon.flags & kFlagPreviousRunCrashed) != 0;
  s.previous_run_unclean = (raw.daemon.flags & kFlagPreviousRunUnclean) != 0;
  s.complete = raw.complete;
  s.services.reserve(raw.records.size());
  for (const RecordBlock& block : raw.records) {
    if (block.name[0] == '\0') continue;  // a free slot
    s.services.push_back(decode(block));
  }
  return s;
}

}  // namespace supd::status::codec
