// supd's own crash on Windows: an unhandled-exception filter writes the report
//     supd crashed: 0xC0000005 (access violation) at address 0x10
//     backtrace:
//     C:\Program Files\supd\supd.exe+0x1234 [0x7ff6c0a01234]
//     ...
// to the report handle, calls the hook, then lets the exception end the process, so its
// exit code is the exception code and the service manager sees the cause. abort() (which
// raises SIGABRT in the C runtime, no exception) is reported the same way, "SIGABRT".
//
// The filter may run on a broken heap or with a lock held, so the report is built in a
// stack buffer and written with WriteFile.
#include "os/crash_handler.h"

#include <windows.h>

#include <atomic>
#include <csignal>
#include <cstddef>
#include <cstdint>

#include "os/win/ntstatus.h"

namespace supd::os {
namespace {

constexpr int kMaxFrames = 64;
// Stack kept free for the filter when the crash is a stack overflow.
constexpr ULONG kStackGuarantee = 64 * 1024;
// NativeSignal number for SIGABRT (lib/os/win/signal_numbers.cpp).
constexpr int kAbortSignal = 6;

std::atomic<HANDLE> g_report{nullptr};
std::atomic<CrashHook> g_hook{nullptr};
// Set by the first crash: a second one (in the hook, in another thread) only ends the process.
std::atomic<bool> g_crashing{false};

class ReportLine {
 public:
  ReportLine& text(const char* s) {
    while (*s != '\0' && size_ < sizeof(buf_)) buf_[size_++] = *s++;
    return *this;
  }
  ReportLine& hex(std::uint64_t n, int min_digits = 1) {
    text("0x");
    char digits[16];
    int count = 0;
    do {
      digits[count++] = "0123456789abcdef"[n & 0xf];
      n >>= 4;
    } while (n != 0 || count < min_digits);
    while (count > 0 && size_ < sizeof(buf_)) buf_[size_++] = digits[--count];
    return *this;
  }
  ReportLine& wide(const wchar_t* s, int length) {
    const int room = static_cast<int>(sizeof(buf_) - size_);
    const int n = WideCharToMultiByte(CP_UTF8, 0, s, length, buf_ + size_, room, nullptr, nullptr);
    if (n > 0) size_ += static_cast<std::size_t>(n);
    return *this;
  }
  void write_to(HANDLE h) const {
    DWORD written = 0;
    WriteFile(h, buf_, static_cast<DWORD>(size_), &written, nullptr);
  }

 private:
  char buf_[1024] = {};
  std::size_t size_ = 0;
};

void write_frame(HANDLE out, std::uint64_t pc) {
  ReportLine line;
  HMODULE module = nullptr;
  if (GetModuleHandleExW(
          GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
          // An address, not a name: FROM_ADDRESS says so.
          reinterpret_cast<LPCWSTR>(pc), &module)) {  // NOLINT(performance-no-int-to-ptr)
    wchar_t path[MAX_PATH];
    const DWORD n = GetModuleFileNameW(module, path, MAX_PATH);
    line.wide(path, static_cast<int>(n))
        .text("+")
        .hex(pc - reinterpret_cast<std::uint64_t>(module));
    line.text(" [").hex(pc).text("]\n");
  } else {
    line.text("?? [").hex(pc).text("]\n");
  }
  line.write_to(out);
}

// Walks the stack from `context` with the unwind tables of each module (x64), so the
// backtrace starts at the faulting instruction rather than inside this filter.
void write_backtrace(HANDLE out, CONTEXT context) {
  ReportLine().text("backtrace:\n").write_to(out);
#if defined(_M_X64) || defined(__x86_64__)
  for (int i = 0; i < kMaxFrames && context.Rip != 0; ++i) {
    write_frame(out, context.Rip);
    DWORD64 image_base = 0;
    PRUNTIME_FUNCTION function = RtlLookupFunctionEntry(context.Rip, &image_base, nullptr);
    if (function == nullptr) {
      // A leaf function: the return address is on top of the stack.
      if (context.Rsp == 0) break;
      context.Rip = *reinterpret_cast<DWORD64*>(context.Rsp);  // NOLINT(performance-no-int-to-ptr)
      context.Rsp += 8;
      continue;
    }
    void* handler_data = nullptr;
    DWORD64 establisher_frame = 0;
    RtlVirtualUnwind(UNW_FLAG_NHANDLER, image_base, context.Rip, function, &context, &handler_data,
                     &establisher_frame, nullptr);
  }
#else
  void* frames[kMaxFrames];
  const USHORT n = CaptureStackBackTrace(0, kMaxFrames, frames, nullptr);
  for (USHORT i = 0; i < n; ++i) write_frame(out, reinterpret_cast<std::uint64_t>(frames[i]));
  (void)context;
#endif
}

std::int64_t unix_time_now() {
  FILETIME ft;
  GetSystemTimeAsFileTime(&ft);
  const std::uint64_t ticks =
      (static_cast<std::uint64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime;
  // 100 ns ticks since 1601-01-01.
  return static_cast<std::int64_t>(ticks / 10000000ULL) - 11644473600LL;
}

void report_and_call_hook(const char* cause, const CrashInfo& info, const CONTEXT& context) {
  HANDLE out = g_report.load();
  if (out != nullptr && out != INVALID_HANDLE_VALUE) {
    ReportLine line;
    line.text("supd crashed: ").text(cause);
    if (info.address != 0) line.text(" at address ").hex(info.address);
    line.text("\n").write_to(out);
    write_backtrace(out, context);
  }
  if (CrashHook hook = g_hook.load()) hook(info);
}

LONG WINAPI on_unhandled_exception(EXCEPTION_POINTERS* pointers) {
  if (g_crashing.exchange(true)) return EXCEPTION_CONTINUE_SEARCH;
  const EXCEPTION_RECORD& record = *pointers->ExceptionRecord;
  CrashInfo info{};
  info.signo = static_cast<int>(record.ExceptionCode);
  // For an access violation the interesting address is the one accessed.
  if ((record.ExceptionCode == EXCEPTION_ACCESS_VIOLATION ||
       record.ExceptionCode == EXCEPTION_IN_PAGE_ERROR) &&
      record.NumberParameters >= 2) {
    info.address = static_cast<std::uintptr_t>(record.ExceptionInformation[1]);
  } else {
    info.address = reinterpret_cast<std::uintptr_t>(record.ExceptionAddress);
  }
  info.unix_time = unix_time_now();
  // "0xC0000005 (access violation)", built without allocating.
  char cause[96];
  const char* meaning = win::ntstatus_meaning(record.ExceptionCode);
  std::size_t n = 0;
  auto put = [&](const char* s) {
    while (*s != '\0' && n + 1 < sizeof(cause)) cause[n++] = *s++;
  };
  char code_hex[11] = "0x";
  for (int i = 0; i < 8; ++i) {
    code_hex[2 + i] = "0123456789ABCDEF"[(record.ExceptionCode >> (28 - 4 * i)) & 0xf];
  }
  code_hex[10] = '\0';
  put(code_hex);
  if (meaning != nullptr) {
    put(" (");
    put(meaning);
    put(")");
  }
  cause[n] = '\0';
  report_and_call_hook(cause, info, *pointers->ContextRecord);
  // Let the exception end the process with its code.
  return EXCEPTION_CONTINUE_SEARCH;
}

void on_abort(int) {
  if (!g_crashing.exchange(true)) {
    CONTEXT context{};
    RtlCaptureContext(&context);
    CrashInfo info{};
    info.signo = kAbortSignal;
    info.unix_time = unix_time_now();
    report_and_call_hook("SIGABRT", info, context);
  }
  // Returning lets abort() end the process (exit code 3).
  std::signal(SIGABRT, SIG_DFL);
}

}  // namespace

void install_crash_handler(NativeHandle report_fd, CrashHook hook) {
  g_report.store(reinterpret_cast<HANDLE>(report_fd));  // NOLINT(performance-no-int-to-ptr)
  g_hook.store(hook);
  ULONG guarantee = kStackGuarantee;
  SetThreadStackGuarantee(&guarantee);
  SetUnhandledExceptionFilter(on_unhandled_exception);
  std::signal(SIGABRT, on_abort);
}

}  // namespace supd::os
