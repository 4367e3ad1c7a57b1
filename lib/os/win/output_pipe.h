// A child's stdout/stderr pipe. Anonymous pipes cannot do overlapped I/O, so this is a
// named pipe with a unique name: supd keeps the overlapped read end (read on the event
// loop through asio::windows::stream_handle), the child gets an ordinary inheritable
// write end.
#pragma once

#include <memory>

#include <asio/io_context.hpp>

#include "os/pipe.h"
#include "os/result.h"
#include "os/win/handle.h"

namespace supd::os::win {

struct OutputPipe {
  UniqueHandle read_end;   // overlapped, not inheritable
  UniqueHandle write_end;  // synchronous, inheritable: for the child
};

Result<OutputPipe> create_output_pipe();

// Reads `read_end` on `io`. End of file (the last writer closed) is asio::error::eof.
std::unique_ptr<AsyncPipe> make_async_pipe(asio::io_context& io, UniqueHandle read_end);

}  // namespace supd::os::win
