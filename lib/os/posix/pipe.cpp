// AsyncPipe over a POSIX descriptor, read through the io_context's reactor.
#include "os/pipe.h"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include "os/posix/async_pipe.h"
#include "os/result.h"

namespace supd::os::posix {
namespace {

class PosixAsyncPipe final : public AsyncPipe {
 public:
  PosixAsyncPipe(asio::io_context& io, int fd) : descriptor_(io, fd) {}

  void async_read(char* data, std::size_t size,
                  std::function<void(std::error_code, std::size_t)> on_read) override {
    descriptor_.async_read_some(
        asio::buffer(data, size),
        [on_read = std::move(on_read)](std::error_code ec, std::size_t n) { on_read(ec, n); });
  }

  std::size_t read_now(char* data, std::size_t size, std::error_code& ec) override {
    ec.clear();
    if (!descriptor_.is_open()) {
      ec = asio::error::bad_descriptor;
      return 0;
    }
    for (;;) {
      const ssize_t n = ::read(descriptor_.native_handle(), data, size);
      if (n > 0) return static_cast<std::size_t>(n);
      if (n == 0) {
        if (size > 0) ec = asio::error::eof;
        return 0;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) ec = last_error();
      return 0;
    }
  }

  bool can_wait_readable() const override { return true; }

  void async_wait_readable(std::function<void(std::error_code)> on_ready) override {
    descriptor_.async_wait(asio::posix::stream_descriptor::wait_read,
                           [on_ready = std::move(on_ready)](std::error_code ec) { on_ready(ec); });
  }

  void close() override {
    std::error_code ignored;
    descriptor_.close(ignored);
  }

 private:
  asio::posix::stream_descriptor descriptor_;
};

}  // namespace

std::unique_ptr<AsyncPipe> make_async_pipe(asio::io_context& io, int fd) {
  return std::make_unique<PosixAsyncPipe>(io, fd);
}

}  // namespace supd::os::posix
