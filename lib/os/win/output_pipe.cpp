#include "os/win/output_pipe.h"

#include <windows.h>

#include <atomic>
#include <string>
#include <utility>

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/windows/stream_handle.hpp>

namespace supd::os::win {
namespace {

constexpr DWORD kPipeBuffer = 64 * 1024;

std::wstring unique_pipe_name() {
  static std::atomic<unsigned long long> counter{0};
  return L"\\\\.\\pipe\\supd-stdio-" + std::to_wstring(GetCurrentProcessId()) + L"-" +
         std::to_wstring(GetTickCount64()) + L"-" + std::to_wstring(++counter);
}

// The writer's end of the pipe closing shows up as a broken pipe; callers want eof.
std::error_code as_eof(std::error_code ec) {
  if (ec == asio::error::broken_pipe || ec.value() == ERROR_BROKEN_PIPE ||
      ec.value() == ERROR_PIPE_NOT_CONNECTED) {
    return asio::error::eof;
  }
  return ec;
}

class StreamHandlePipe final : public AsyncPipe {
 public:
  StreamHandlePipe(asio::io_context& io, HANDLE h) : handle_(io, h) {}

  void async_read(char* data, std::size_t size,
                  std::function<void(std::error_code, std::size_t)> on_read) override {
    handle_.async_read_some(asio::buffer(data, size),
                            [on_read = std::move(on_read)](std::error_code ec, std::size_t n) {
                              on_read(as_eof(ec), n);
                            });
  }

  std::size_t read_now(char* data, std::size_t size, std::error_code& ec) override {
    ec.clear();
    if (!handle_.is_open()) {
      ec = asio::error::bad_descriptor;
      return 0;
    }
    HANDLE h = handle_.native_handle();
    DWORD available = 0;
    if (!PeekNamedPipe(h, nullptr, 0, nullptr, &available, nullptr)) {
      ec = as_eof({static_cast<int>(GetLastError()), std::system_category()});
      return 0;
    }
    if (available == 0 || size == 0) return 0;
    const DWORD want = static_cast<DWORD>(size < available ? size : available);
    // A synchronous read on an overlapped handle: an event with its low bit set keeps the
    // completion away from the io_context's completion port.
    UniqueHandle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    if (!event) {
      ec = {static_cast<int>(GetLastError()), std::system_category()};
      return 0;
    }
    OVERLAPPED overlapped{};
    const ULONG_PTR no_port = reinterpret_cast<ULONG_PTR>(event.get()) | 1;
    overlapped.hEvent = reinterpret_cast<HANDLE>(no_port);  // NOLINT(performance-no-int-to-ptr)
    DWORD n = 0;
    if (!ReadFile(h, data, want, &n, &overlapped)) {
      DWORD error = GetLastError();
      // PeekNamedPipe said the bytes are there, so this completes at once.
      if (error == ERROR_IO_PENDING && GetOverlappedResult(h, &overlapped, &n, TRUE)) {
        error = ERROR_SUCCESS;
      } else if (error == ERROR_IO_PENDING) {
        error = GetLastError();
      }
      if (error != ERROR_SUCCESS && error != ERROR_MORE_DATA) {
        ec = as_eof({static_cast<int>(error), std::system_category()});
        return 0;
      }
    }
    return n;
  }

  void close() override {
    std::error_code ignored;
    handle_.close(ignored);
  }

 private:
  asio::windows::stream_handle handle_;
};

}  // namespace

Result<OutputPipe> create_output_pipe() {
  OutputPipe pipe;
  std::wstring name;
  // The name is unique to this process; FILE_FLAG_FIRST_PIPE_INSTANCE makes sure nobody
  // else created it first. Should a name be taken anyway, the next one is tried.
  for (int attempt = 0; attempt < 8 && !pipe.read_end; ++attempt) {
    name = unique_pipe_name();
    pipe.read_end.reset(CreateNamedPipeW(
        name.c_str(), PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1,
        kPipeBuffer, kPipeBuffer, 0, nullptr));
    if (!pipe.read_end && GetLastError() != ERROR_ACCESS_DENIED &&
        GetLastError() != ERROR_PIPE_BUSY) {
      break;
    }
  }
  if (!pipe.read_end) return last_error("create an output pipe");

  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  pipe.write_end.reset(CreateFileW(name.c_str(), GENERIC_WRITE, 0, &inheritable, OPEN_EXISTING,
                                   FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!pipe.write_end) return last_error("open the write end of an output pipe");

  // The client is already connected; ConnectNamedPipe confirms it (ERROR_PIPE_CONNECTED).
  UniqueHandle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!event) return last_error("create an event");
  OVERLAPPED overlapped{};
  overlapped.hEvent = event.get();
  if (!ConnectNamedPipe(pipe.read_end.get(), &overlapped)) {
    const DWORD error = GetLastError();
    if (error == ERROR_IO_PENDING) {
      DWORD ignored = 0;
      if (!GetOverlappedResult(pipe.read_end.get(), &overlapped, &ignored, TRUE)) {
        return last_error("connect an output pipe");
      }
    } else if (error != ERROR_PIPE_CONNECTED) {
      return last_error("connect an output pipe");
    }
  }
  return pipe;
}

std::unique_ptr<AsyncPipe> make_async_pipe(asio::io_context& io, UniqueHandle read_end) {
  return std::make_unique<StreamHandlePipe>(io, read_end.release());
}

}  // namespace supd::os::win
