// Turning page blocks into values and back, checking a mapped page before trusting it, and
// copying a whole page out of shared memory (internal to lib/status).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "os/result.h"
#include "status/page_layout.h"
#include "status/service_status.h"

namespace supd::status::codec {

// Copies `text` into the fixed field `dst` of `size` bytes, NUL-terminated and zero-padded,
// cutting it at a UTF-8 character boundary when it is too long. Async-signal-safe.
void put_text(char* dst, std::size_t size, std::string_view text) noexcept;
// The NUL-terminated (or field-long) text of a fixed field.
std::string get_text(const char* src, std::size_t size);

RecordBlock encode(const ServiceStatus& status, std::string_view name);
ServiceStatus decode(const RecordBlock& block);
CrashInfo decode(const CrashBlock& block);
DaemonInfo decode(const DaemonBlock& block);

// Where the records are, as the page's header states.
struct Geometry {
  std::uint32_t header_size = 0;
  std::uint32_t record_size = 0;
  std::uint32_t capacity = 0;
};

// Checks magic, version and sizes of a page of `size` bytes at `data`; the error names
// `path` and says what is wrong in a user's words.
os::Result<Geometry> check(const std::byte* data, std::size_t size, const std::string& path);

// The page's mutable blocks as copied out of shared memory.
struct RawPage {
  std::uint32_t generation = 0;
  DaemonBlock daemon{};
  CrashBlock crash{};
  std::vector<RecordBlock> records;  // slots [0, slot_count), free ones included
  bool complete = true;              // every block copied consistently
};

// Copies the page's blocks through their seqlocks, retrying a block that is mid-update until
// `deadline`; past it each block gets a few attempts and is then taken as found (complete
// turns false). `out.records` keeps its capacity: reserve it to avoid allocating here.
void copy_page(const std::byte* data, const Geometry& geometry,
               std::chrono::steady_clock::time_point deadline, RawPage& out);

// The values of a copied page.
Snapshot decode(const RawPage& raw, const Geometry& geometry, const std::string& path);

}  // namespace supd::status::codec
