// The status page, byte by byte: the file supd maps into memory and supctl maps and reads
// without asking the daemon. docs/status-page.md explains the layout, the seqlocks, the
// semaphore protocol and the versioning rules; this header is the authority on offsets.
//
// Numbers are in the machine's native byte order and sizes (the page never leaves the
// machine: writer and readers share it through memory). Every field has a fixed width and
// an explicit offset, checked below, so a 32-bit supctl reads a 64-bit supd's page.
//
// Shared fields are only ever accessed as whole 32-bit words with atomic operations
// (std::atomic_ref<std::uint32_t>): 32-bit atomics are lock-free and are plain loads on every
// platform, so they work on a read-only mapping, unlike a 64-bit atomic load on some 32-bit
// CPUs (a compare-and-swap, which would fault). 64-bit numbers are therefore read only under
// a seqlock, as two words.
#pragma once

#include <cstddef>
#include <cstdint>

namespace supd::status {

inline constexpr char kMagic[8] = {'S', 'U', 'P', 'D', 'S', 'T', 'A', 'T'};
// Bumped for any change an existing reader would misread. Adding fields at the end of the
// header or of a record (growing header_size / record_size) keeps the version: readers step
// over records by the record_size the page states and ignore what they do not know.
inline constexpr std::uint32_t kLayoutVersion = 1;

// The service states of SPEC.md, as stored on the page. Values are part of the layout.
enum class ServiceState : std::uint8_t {
  Stopped = 0,
  Starting = 1,
  Running = 2,
  Stopping = 3,
  Backoff = 4,
  Exited = 5,
  Fatal = 6,
};
inline constexpr std::uint8_t kServiceStateCount = 7;

// Unknown: the service has a health check that has not answered yet in this run.
enum class Health : std::uint8_t { None = 0, Ok = 1, Failing = 2, Unknown = 3 };
inline constexpr std::uint8_t kHealthCount = 4;

// The daemon's own state. Starting: the page exists but supd has not finished starting;
// Stopped: supd exited cleanly (a page left in any other state by a dead supd means it
// crashed or was killed).
enum class DaemonState : std::uint32_t { Starting = 0, Running = 1, Stopping = 2, Stopped = 3 };
inline constexpr std::uint32_t kDaemonStateCount = 4;

// Header flags (DaemonBlock::flags).
inline constexpr std::uint32_t kFlagPreviousRunCrashed = 1u << 0;  // it recorded a crash
inline constexpr std::uint32_t kFlagPreviousRunUnclean = 1u << 1;  // it died without a record

inline constexpr std::size_t kNameSize = 56;  // 48 characters + NUL, padded
inline constexpr std::size_t kMaxNameLength = 48;
inline constexpr std::size_t kSignalSize = 16;    // "SIGSEGV" ... + NUL
inline constexpr std::size_t kLastExitSize = 96;  // up to 95 bytes of text + NUL
inline constexpr std::size_t kCrashTextSize = 96;

// The daemon's fields, written under Header::header_seq.
struct DaemonBlock {
  alignas(8) std::int64_t start_time;    // unix seconds
  alignas(8) std::int64_t heartbeat_ms;  // unix milliseconds; 0 = none yet
  std::uint32_t pid;
  std::uint32_t state;          // DaemonState
  std::uint32_t service_count;  // records in use
  std::uint32_t slot_count;     // records [0, slot_count) may be in use; the rest are free
  std::uint32_t flags;          // kFlag*
  std::uint32_t run;            // 1 for the first page at this path, +1 at every re-creation
};

// supd's last crash, written under Header::crash_seq, from the crash signal handler.
struct CrashBlock {
  alignas(8) std::int64_t time;  // unix seconds; 0 = no crash recorded
  alignas(8) std::uint64_t fault_address;
  std::int32_t signo;  // native signal number
  std::uint32_t pid;   // the supd that crashed
  std::uint32_t run;   // DaemonBlock::run of that supd
  std::uint32_t reserved;
  char text[kCrashTextSize];  // short description, NUL-terminated
};

struct Header {
  char magic[8];                  // kMagic, not NUL-terminated
  std::uint32_t layout_version;   // kLayoutVersion
  std::uint32_t header_size;      // bytes from the page start to record 0
  std::uint32_t record_size;      // bytes from one record to the next
  std::uint32_t record_capacity;  // records on the page
  std::uint32_t header_seq;       // seqlock over `daemon`
  std::uint32_t generation;       // +1 after every change of the page but heartbeats
  DaemonBlock daemon;
  std::uint32_t crash_seq;  // seqlock over `crash`
  std::uint32_t reserved0;
  CrashBlock crash;
  std::uint8_t reserved[48];
};

// One service's fields, written under Record::seq. A record whose name is empty is free.
struct RecordBlock {
  alignas(8) std::int64_t since;  // unix seconds the service entered its state
  std::uint32_t pid;              // 0 = no process
  std::uint32_t restarts;
  std::int32_t exit_code;  // valid when has_exit_code != 0
  std::uint8_t state;      // ServiceState
  std::uint8_t health;     // Health
  std::uint8_t has_exit_code;
  std::uint8_t reserved0;
  char name[kNameSize];           // NUL-terminated
  char signal[kSignalSize];       // "SIGSEGV", or empty for none
  char last_exit[kLastExitSize];  // "exited 3", or empty for none
  std::uint8_t reserved[56];
};

struct Record {
  std::uint32_t seq;  // seqlock over `block`: odd while the writer is inside
  std::uint32_t reserved;
  RecordBlock block;
};

// The layout is the contract between processes: pin every offset.
static_assert(sizeof(DaemonBlock) == 40);
static_assert(offsetof(DaemonBlock, start_time) == 0);
static_assert(offsetof(DaemonBlock, heartbeat_ms) == 8);
static_assert(offsetof(DaemonBlock, pid) == 16);
static_assert(offsetof(DaemonBlock, state) == 20);
static_assert(offsetof(DaemonBlock, service_count) == 24);
static_assert(offsetof(DaemonBlock, slot_count) == 28);
static_assert(offsetof(DaemonBlock, flags) == 32);
static_assert(offsetof(DaemonBlock, run) == 36);

static_assert(sizeof(CrashBlock) == 128);
static_assert(offsetof(CrashBlock, time) == 0);
static_assert(offsetof(CrashBlock, fault_address) == 8);
static_assert(offsetof(CrashBlock, signo) == 16);
static_assert(offsetof(CrashBlock, pid) == 20);
static_assert(offsetof(CrashBlock, run) == 24);
static_assert(offsetof(CrashBlock, text) == 32);

static_assert(sizeof(Header) == 256);
static_assert(offsetof(Header, magic) == 0);
static_assert(offsetof(Header, layout_version) == 8);
static_assert(offsetof(Header, header_size) == 12);
static_assert(offsetof(Header, record_size) == 16);
static_assert(offsetof(Header, record_capacity) == 20);
static_assert(offsetof(Header, header_seq) == 24);
static_assert(offsetof(Header, generation) == 28);
static_assert(offsetof(Header, daemon) == 32);
static_assert(offsetof(Header, crash_seq) == 72);
static_assert(offsetof(Header, crash) == 80);
static_assert(offsetof(Header, reserved) == 208);

static_assert(sizeof(RecordBlock) == 248);
static_assert(offsetof(RecordBlock, since) == 0);
static_assert(offsetof(RecordBlock, pid) == 8);
static_assert(offsetof(RecordBlock, restarts) == 12);
static_assert(offsetof(RecordBlock, exit_code) == 16);
static_assert(offsetof(RecordBlock, state) == 20);
static_assert(offsetof(RecordBlock, health) == 21);
static_assert(offsetof(RecordBlock, has_exit_code) == 22);
static_assert(offsetof(RecordBlock, name) == 24);
static_assert(offsetof(RecordBlock, signal) == 80);
static_assert(offsetof(RecordBlock, last_exit) == 96);
static_assert(offsetof(RecordBlock, reserved) == 192);

static_assert(sizeof(Record) == 256);
static_assert(offsetof(Record, seq) == 0);
static_assert(offsetof(Record, block) == 8);

// Seqlocked blocks are copied as 32-bit words.
static_assert(sizeof(DaemonBlock) % 4 == 0 && sizeof(CrashBlock) % 4 == 0 &&
              sizeof(RecordBlock) % 4 == 0);

// Bytes of a page holding `capacity` records.
constexpr std::size_t page_size(std::size_t capacity) {
  return sizeof(Header) + capacity * sizeof(Record);
}

}  // namespace supd::status
