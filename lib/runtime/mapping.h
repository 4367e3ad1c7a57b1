// Translations between the layers the runtime joins: config -> supervisor policy and
// process spec, supervisor snapshot -> status page record, os exit status -> supervisor.
#pragma once

#include <chrono>
#include <string>

#include "config/model.h"
#include "logs/output_router.h"
#include "os/process.h"
#include "os/signals.h"
#include "status/service_status.h"
#include "supervisor/events.h"
#include "supervisor/policy.h"
#include "supervisor/snapshot.h"

namespace supd::runtime {

supervisor::Policy to_policy(const config::ServiceConfig& service);

// Whether the service gets a NOTIFY_SOCKET (readiness by READY=1, or a watchdog).
bool wants_notify_socket(const config::ServiceConfig& service);

// The process to start for `service`; `notify_path` is set as NOTIFY_SOCKET when non-empty.
os::ProcessSpec to_process_spec(const config::ServiceConfig& service,
                                const std::string& notify_path);

// Where the service's stdout and stderr go.
logs::StreamConfig to_stream_config(const config::OutputConfig& output, const std::string& log_dir,
                                    const std::string& service, bool is_stderr);

os::Signal to_os_signal(supervisor::StopSignal s);
supervisor::ExitInfo to_exit_info(const os::ExitStatus& status);

status::ServiceState to_status_state(supervisor::State s);
status::Health to_status_health(supervisor::Health h);

// The status page record of a service. `since_unix` is when it entered its state.
status::ServiceStatus to_service_status(const std::string& name,
                                        const supervisor::Snapshot& snapshot,
                                        std::int64_t since_unix);

}  // namespace supd::runtime
