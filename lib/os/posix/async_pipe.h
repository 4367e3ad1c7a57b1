// Creates the AsyncPipe for a pipe's read end (POSIX).
#pragma once

#include <memory>

#include <asio/io_context.hpp>

#include "os/pipe.h"

namespace supd::os::posix {

// Takes ownership of `fd` (a non-blocking, close-on-exec read end).
std::unique_ptr<AsyncPipe> make_async_pipe(asio::io_context& io, int fd);

}  // namespace supd::os::posix
