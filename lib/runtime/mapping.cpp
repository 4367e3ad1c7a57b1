#include "runtime/mapping.h"

#include <string>
#include <utility>

namespace supd::runtime {
namespace {

supervisor::RestartPolicy to_restart(config::RestartPolicy p) {
  switch (p) {
    case config::RestartPolicy::Always:
      return supervisor::RestartPolicy::Always;
    case config::RestartPolicy::OnFailure:
      return supervisor::RestartPolicy::OnFailure;
    case config::RestartPolicy::Never:
      return supervisor::RestartPolicy::Never;
  }
  return supervisor::RestartPolicy::OnFailure;
}

supervisor::StopSignal to_stop_signal(os::Signal s) {
  switch (s) {
    case os::Signal::Int:
      return supervisor::StopSignal::Int;
    case os::Signal::Hup:
      return supervisor::StopSignal::Hup;
    case os::Signal::Quit:
      return supervisor::StopSignal::Quit;
    case os::Signal::Kill:
      return supervisor::StopSignal::Kill;
    case os::Signal::Usr1:
      return supervisor::StopSignal::Usr1;
    case os::Signal::Usr2:
      return supervisor::StopSignal::Usr2;
    case os::Signal::Term:
    case os::Signal::Cont:
    case os::Signal::Stop:
    case os::Signal::Winch:
    case os::Signal::Alrm:
      break;
  }
  return supervisor::StopSignal::Term;
}

supervisor::DependencyCondition to_condition(config::DependencyCondition c) {
  switch (c) {
    case config::DependencyCondition::Started:
      return supervisor::DependencyCondition::Started;
    case config::DependencyCondition::Ready:
      return supervisor::DependencyCondition::Ready;
    case config::DependencyCondition::Healthy:
      return supervisor::DependencyCondition::Healthy;
    case config::DependencyCondition::Completed:
      return supervisor::DependencyCondition::Completed;
  }
  return supervisor::DependencyCondition::Started;
}

const char* limit_name(config::ResourceLimit l) { return config::to_string(l); }

}  // namespace

supervisor::Policy to_policy(const config::ServiceConfig& s) {
  supervisor::Policy p;
  p.restart = to_restart(s.restart);
  p.success_exit_codes = s.success_exit_codes;
  p.backoff.initial = s.backoff.initial;
  p.backoff.max = s.backoff.max;
  p.backoff.factor = s.backoff.factor;
  p.start_secs = s.start_secs;
  p.max_restarts = s.max_restarts < 0 ? 0U : static_cast<unsigned>(s.max_restarts);
  p.restart_window = s.restart_window;
  p.stop_signal = to_stop_signal(s.stop_signal);
  p.stop_timeout = s.stop_timeout;
  switch (s.ready.kind) {
    case config::ProbeKind::None:
      p.readiness = supervisor::Readiness::None;
      break;
    case config::ProbeKind::Notify:
      p.readiness = supervisor::Readiness::Notify;
      break;
    case config::ProbeKind::Tcp:
    case config::ProbeKind::Http:
    case config::ProbeKind::Exec:
      p.readiness = supervisor::Readiness::Probe;
      break;
  }
  p.watchdog = s.watchdog;
  p.has_health = s.health.probe.kind != config::ProbeKind::None;
  p.health_failures = s.health.failures < 1 ? 1U : static_cast<unsigned>(s.health.failures);
  p.max_runtime = s.max_runtime;
  p.autostart = s.autostart;
  for (const config::Dependency& d : s.depends_on) {
    p.dependencies.push_back({d.service, to_condition(d.condition)});
  }
  return p;
}

bool wants_notify_socket(const config::ServiceConfig& s) {
  return s.ready.kind == config::ProbeKind::Notify || s.watchdog.count() > 0;
}

os::ProcessSpec to_process_spec(const config::ServiceConfig& s, const std::string& notify_path) {
  os::ProcessSpec spec;
  spec.argv = s.command;
  spec.inherit_env = s.inherit_env;
  for (const config::EnvVar& v : s.env) spec.env.emplace_back(v.name, v.value);
  if (!notify_path.empty()) {
    spec.env.emplace_back("NOTIFY_SOCKET", notify_path);
    if (s.watchdog.count() > 0) {
      const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(s.watchdog);
      spec.env.emplace_back("WATCHDOG_USEC", std::to_string(usec.count()));
    }
  }
  spec.cwd = s.cwd;
  spec.umask = s.umask;
  for (const config::LimitSetting& l : s.limits) {
    spec.limits.push_back({limit_name(l.limit), l.value});
  }
  spec.user = s.user;
  spec.group = s.group;
  return spec;
}

logs::StreamConfig to_stream_config(const config::OutputConfig& o, const std::string& log_dir,
                                    const std::string& service, bool is_stderr) {
  logs::StreamConfig c;
  switch (o.mode) {
    case config::OutputMode::Inherit:
      c.kind = logs::StreamConfig::Kind::Inherit;
      break;
    case config::OutputMode::Null:
      c.kind = logs::StreamConfig::Kind::Null;
      break;
    case config::OutputMode::MergeIntoStdout:
      c.kind = logs::StreamConfig::Kind::Stdout;
      break;
    case config::OutputMode::File:
      c.kind = logs::StreamConfig::Kind::File;
      break;
  }
  c.file.path = logs::resolve_log_path(log_dir, o.file, service, is_stderr);
  c.file.max_size = o.max_size;
  c.file.keep = o.keep < 1 ? 1U : static_cast<unsigned>(o.keep);
  c.file.timestamps = o.timestamps;
  return c;
}

os::Signal to_os_signal(supervisor::StopSignal s) {
  switch (s) {
    case supervisor::StopSignal::Term:
      return os::Signal::Term;
    case supervisor::StopSignal::Int:
      return os::Signal::Int;
    case supervisor::StopSignal::Hup:
      return os::Signal::Hup;
    case supervisor::StopSignal::Quit:
      return os::Signal::Quit;
    case supervisor::StopSignal::Kill:
      return os::Signal::Kill;
    case supervisor::StopSignal::Usr1:
      return os::Signal::Usr1;
    case supervisor::StopSignal::Usr2:
      return os::Signal::Usr2;
  }
  return os::Signal::Term;
}

supervisor::ExitInfo to_exit_info(const os::ExitStatus& st) {
  supervisor::ExitInfo info;
  info.signaled = st.signaled;
  info.code = st.code;
  info.signal_name = st.signal_name();
  info.core_dumped = st.core_dumped;
  return info;
}

status::ServiceState to_status_state(supervisor::State s) {
  switch (s) {
    case supervisor::State::Stopped:
      return status::ServiceState::Stopped;
    case supervisor::State::Starting:
      return status::ServiceState::Starting;
    case supervisor::State::Running:
      return status::ServiceState::Running;
    case supervisor::State::Stopping:
      return status::ServiceState::Stopping;
    case supervisor::State::Backoff:
      return status::ServiceState::Backoff;
    case supervisor::State::Exited:
      return status::ServiceState::Exited;
    case supervisor::State::Fatal:
      return status::ServiceState::Fatal;
  }
  return status::ServiceState::Stopped;
}

status::Health to_status_health(supervisor::Health h) {
  switch (h) {
    case supervisor::Health::None:
      return status::Health::None;
    case supervisor::Health::Unknown:
      return status::Health::Unknown;
    case supervisor::Health::Ok:
      return status::Health::Ok;
    case supervisor::Health::Failing:
      return status::Health::Failing;
  }
  return status::Health::None;
}

status::ServiceStatus to_service_status(const std::string& name, const supervisor::Snapshot& snap,
                                        std::int64_t since_unix) {
  status::ServiceStatus st;
  st.name = name;
  st.state = to_status_state(snap.state);
  st.pid = snap.pid.value_or(0);
  st.since = since_unix;
  st.restarts = snap.restarts;
  st.last_exit = snap.last_exit;
  if (snap.exit) {
    if (snap.exit->signaled) {
      st.signal = snap.exit->signal_name;
    } else {
      st.exit_code = snap.exit->code;
    }
  }
  st.health = to_status_health(snap.health);
  return st;
}

}  // namespace supd::runtime
