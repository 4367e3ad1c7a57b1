// Getting a StatusView: from the status page when there is one (no round trip; supd's
// liveness judged from its heartbeat and pid), else by asking supd over the control pipe.
#pragma once

#include <chrono>
#include <string>

#include "ctl/context.h"
#include "ctl/status_view.h"
#include "os/result.h"
#include "status/status_reader.h"

namespace supd::ctl {

// Milliseconds since the Unix epoch, now.
std::int64_t now_unix_ms();

// The page's view, judged now. `reader` stays open for further reads (top).
os::Result<StatusView> read_page_view(status::StatusReader& reader);

// The status page, else supd's answer to `status`. An error says both why the page could not
// be read and why supd did not answer: "supd is not running (no status page at X, no answer
// at socket Y)".
os::Result<StatusView> fetch_status(Context& context);

}  // namespace supd::ctl
