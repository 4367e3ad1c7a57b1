// Every transition of SPEC.md "Service states", driven with a fake clock_: each test asserts
// the state, the exact actions in order and the reason text.
#include "supervisor/service_machine.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "supervisor/test_support.h"

namespace supd::supervisor {
namespace {

using Actions = std::vector<Action>;

class ServiceMachineTest : public ::testing::Test {
 protected:
  // Builds the machine from `policy_` on first use, so tests set the policy first.
  ServiceMachine& machine() {
    if (!machine_) machine_.emplace(policy_, clock_.now());
    return *machine_;
  }
  const Snapshot& snap() { return machine().snapshot(); }
  State state() { return snap().state; }

  // Handles `event` now. Every ArmTimer must carry a new generation, the machine's current
  // one; it comes back as armed_in() writes it (generation 0, deadline relative to now), so
  // that expectations do not depend on the order in which EXPECT_EQ evaluates its sides.
  Actions send(const Event& event) {
    Step step = machine().handle(event, clock_.now());
    note_ = step.cant_happen;
    for (Action& action : step.actions) {
      if (auto* arm = std::get_if<ArmTimer>(&action)) {
        EXPECT_GT(arm->generation, last_generation_);
        EXPECT_EQ(arm->generation, machine().timer_generation());
        last_generation_ = arm->generation;
        arm->generation = 0;
        arm->deadline = TimePoint{} + (arm->deadline - clock_.now());
      }
    }
    return step.actions;
  }
  // Moves the clock_ forward by `d` and, if the armed deadline has come, fires the timer.
  Actions advance(Duration d) {
    clock_.advance(d);
    auto deadline = machine().armed_deadline();
    if (!deadline || *deadline > clock_.now()) return {};
    return send(TimerFired{machine().timer_generation()});
  }
  // An ArmTimer for `d` from the time of the step, as send() returns it.
  static ArmTimer armed_in(Duration d) { return ArmTimer{TimePoint{} + d, 0}; }

  // Start, spawn and pass start_secs (default readiness): the service is running.
  void bring_up(Pid pid = 100) {
    send(Start{});
    send(Spawned{pid});
    advance(policy_.start_secs);
    ASSERT_EQ(state(), State::Running);
  }
  // A start that fails: spawn, then exit 1 soon after.
  Actions fail_start(Pid pid = 100) {
    send(Spawned{pid});
    clock_.advance(100ms);
    return send(Exited{exit_code(1)});
  }

  FakeClock clock_;
  Policy policy_;
  std::string note_;

 private:
  std::optional<ServiceMachine> machine_;
  std::uint64_t last_generation_ = 0;
};

// --- starting -> running ----------------------------------------------------------------

TEST_F(ServiceMachineTest, NewServiceIsStoppedWithNoProcess) {
  EXPECT_EQ(state(), State::Stopped);
  EXPECT_EQ(snap().process, ProcessPhase::None);
  EXPECT_EQ(snap().since, clock_.now());
  EXPECT_FALSE(machine().armed_deadline());
}

TEST_F(ServiceMachineTest, StartPublishesStartingAndSpawns) {
  EXPECT_EQ(send(Start{}),
            (Actions{Publish{State::Stopped, State::Starting, "start requested"}, Spawn{}}));
  EXPECT_EQ(state(), State::Starting);
  EXPECT_EQ(snap().process, ProcessPhase::Spawning);
  EXPECT_EQ(snap().reason, "start requested");
}

TEST_F(ServiceMachineTest, StartCarriesTheGivenReason) {
  EXPECT_EQ(send(Start{"autostart"}),
            (Actions{Publish{State::Stopped, State::Starting, "autostart"}, Spawn{}}));
}

TEST_F(ServiceMachineTest, SpawnedArmsTheStartSecsTimer) {
  send(Start{});
  EXPECT_EQ(send(Spawned{42}), (Actions{armed_in(1s)}));
  EXPECT_EQ(state(), State::Starting);
  EXPECT_EQ(snap().pid, 42);
  EXPECT_EQ(snap().spawned_at, clock_.now());
  EXPECT_EQ(snap().process, ProcessPhase::Alive);
}

TEST_F(ServiceMachineTest, StartingBecomesRunningOnceStartSecsPassed) {
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(advance(999ms), Actions{});
  EXPECT_EQ(state(), State::Starting);
  EXPECT_EQ(advance(1ms), (Actions{Publish{State::Starting, State::Running, "up for 1s"}}));
  EXPECT_EQ(state(), State::Running);
  EXPECT_TRUE(snap().ready);
  EXPECT_FALSE(machine().armed_deadline());
}

TEST_F(ServiceMachineTest, ZeroStartSecsIsRunningAtSpawn) {
  policy_.start_secs = 0s;
  send(Start{});
  EXPECT_EQ(send(Spawned{42}), (Actions{Publish{State::Starting, State::Running, "started"}}));
}

TEST_F(ServiceMachineTest, StartWhileStartingOrRunningChangesNothing) {
  send(Start{});
  EXPECT_EQ(send(Start{}), Actions{});
  send(Spawned{42});
  EXPECT_EQ(send(Start{}), Actions{});
  advance(1s);
  EXPECT_EQ(send(Start{}), Actions{});
  EXPECT_EQ(state(), State::Running);
  EXPECT_EQ(note_, "");
}

// --- a running service dies -------------------------------------------------------------

TEST_F(ServiceMachineTest, CrashWhileRunningRestartsAtOnceUnderOnFailure) {
  bring_up();
  EXPECT_EQ(send(Exited{exit_code(3)}),
            (Actions{Publish{State::Running, State::Starting, "exited 3; restarting"}, Spawn{}}));
  EXPECT_EQ(snap().last_exit, "exited 3");
  EXPECT_EQ(snap().exit, exit_code(3));
  EXPECT_EQ(snap().restarts, 1U);
  EXPECT_FALSE(snap().pid);
  EXPECT_EQ(snap().process, ProcessPhase::Spawning);
}

TEST_F(ServiceMachineTest, SignalDeathIsAFailure) {
  bring_up();
  EXPECT_EQ(send(Exited{killed_by("SIGSEGV", true)}),
            (Actions{Publish{State::Running, State::Starting,
                             "killed by SIGSEGV (core dumped); restarting"},
                     Spawn{}}));
  EXPECT_EQ(snap().last_exit, "killed by SIGSEGV (core dumped)");
}

TEST_F(ServiceMachineTest, SuccessfulExitWhileRunningEndsExitedUnderOnFailure) {
  bring_up();
  EXPECT_EQ(send(Exited{exit_code(0)}),
            (Actions{Publish{State::Running, State::Exited, "exited 0"}}));
  EXPECT_EQ(snap().last_exit, "exited 0");
  EXPECT_TRUE(snap().exit_ok);
  EXPECT_EQ(snap().restarts, 0U);
}

TEST_F(ServiceMachineTest, SuccessExitCodesAreNotFailures) {
  policy_.success_exit_codes = {0, 3};
  bring_up();
  EXPECT_EQ(send(Exited{exit_code(3)}),
            (Actions{Publish{State::Running, State::Exited, "exited 3"}}));
  EXPECT_TRUE(snap().exit_ok);
}

TEST_F(ServiceMachineTest, AlwaysRestartsAfterASuccessfulExit) {
  policy_.restart = RestartPolicy::Always;
  bring_up();
  EXPECT_EQ(send(Exited{exit_code(0)}),
            (Actions{Publish{State::Running, State::Starting, "exited 0; restarting"}, Spawn{}}));
}

TEST_F(ServiceMachineTest, NeverEndsExitedAfterACrash) {
  policy_.restart = RestartPolicy::Never;
  bring_up();
  EXPECT_EQ(send(Exited{exit_code(1)}),
            (Actions{Publish{State::Running, State::Exited, "exited 1"}}));
  EXPECT_FALSE(snap().exit_ok);
  EXPECT_EQ(snap().restarts, 0U);
}

// --- failed starts and backoff ----------------------------------------------------------

TEST_F(ServiceMachineTest, ExitBeforeStartSecsIsAFailedStartThatBacksOff) {
  send(Start{});
  send(Spawned{42});
  clock_.advance(500ms);
  EXPECT_EQ(send(Exited{exit_code(1)}),
            (Actions{Publish{State::Starting, State::Backoff, "exited 1; retrying in 1s"},
                     armed_in(1s)}));
  EXPECT_EQ(snap().backoff_delay, 1s);
  EXPECT_EQ(snap().restarts, 1U);
  EXPECT_EQ(advance(1s),
            (Actions{Publish{State::Backoff, State::Starting, "retrying after 1s"}, Spawn{}}));
}

TEST_F(ServiceMachineTest, FailedStartsBackOff1s2s4sCappedAtMax) {
  policy_.backoff = {1s, 5s, 2.0};
  policy_.max_restarts = 100;
  send(Start{});
  for (Duration expected : {1000ms, 2000ms, 4000ms, 5000ms, 5000ms}) {
    EXPECT_EQ(fail_start(), (Actions{Publish{State::Starting, State::Backoff,
                                             "exited 1; retrying in " + format_duration(expected)},
                                     armed_in(expected)}));
    EXPECT_EQ(advance(expected - 1ms), Actions{});
    EXPECT_EQ(state(), State::Backoff);
    EXPECT_EQ(advance(1ms), (Actions{Publish{State::Backoff, State::Starting,
                                             "retrying after " + format_duration(expected)},
                                     Spawn{}}));
  }
}

TEST_F(ServiceMachineTest, BackoffResetsOnceAStartSucceeds) {
  policy_.max_restarts = 100;
  send(Start{});
  fail_start();
  advance(1s);
  fail_start();
  EXPECT_EQ(snap().backoff_delay, 2s);
  advance(2s);
  send(Spawned{7});
  advance(1s);
  ASSERT_EQ(state(), State::Running);
  send(Exited{exit_code(1)});  // restarted at once
  EXPECT_EQ(fail_start(),
            (Actions{Publish{State::Starting, State::Backoff, "exited 1; retrying in 1s"},
                     armed_in(1s)}));
}

TEST_F(ServiceMachineTest, SpawnFailureBacksOff) {
  send(Start{});
  EXPECT_EQ(send(SpawnFailed{"No such file or directory: /usr/bin/webx"}),
            (Actions{Publish{State::Starting, State::Backoff,
                             "spawn failed: No such file or directory: /usr/bin/webx; retrying "
                             "in 1s"},
                     armed_in(1s)}));
  EXPECT_EQ(snap().last_exit, "spawn failed: No such file or directory: /usr/bin/webx");
  EXPECT_EQ(snap().process, ProcessPhase::None);
}

TEST_F(ServiceMachineTest, SpawnFailureUnderNeverEndsExited) {
  policy_.restart = RestartPolicy::Never;
  send(Start{});
  EXPECT_EQ(send(SpawnFailed{"Permission denied"}),
            (Actions{Publish{State::Starting, State::Exited, "spawn failed: Permission denied"}}));
}

TEST_F(ServiceMachineTest, SuccessfulExitDuringStartingEndsExitedUnderOnFailure) {
  // A one-shot job that finishes within start_secs has completed, not failed.
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(send(Exited{exit_code(0)}),
            (Actions{Publish{State::Starting, State::Exited, "exited 0"}, CancelTimer{}}));
  EXPECT_TRUE(snap().exit_ok);
}

TEST_F(ServiceMachineTest, SuccessfulExitDuringStartingBacksOffUnderAlways) {
  policy_.restart = RestartPolicy::Always;
  send(Start{});
  send(Spawned{42});
  clock_.advance(100ms);
  EXPECT_EQ(send(Exited{exit_code(0)}),
            (Actions{Publish{State::Starting, State::Backoff, "exited 0; retrying in 1s"},
                     armed_in(1s)}));
}

TEST_F(ServiceMachineTest, StartDuringBackoffRetriesNow) {
  send(Start{});
  fail_start();
  EXPECT_EQ(send(Start{}), (Actions{Publish{State::Backoff, State::Starting, "start requested"},
                                    Spawn{}, CancelTimer{}}));
}

// --- fatal ------------------------------------------------------------------------------

TEST_F(ServiceMachineTest, MaxRestartsWithinWindowEndsFatal) {
  policy_.max_restarts = 3;
  policy_.restart_window = 1min;
  bring_up();
  for (int i = 0; i < 3; ++i) {
    send(Exited{exit_code(1)});  // restarted at once
    ASSERT_EQ(state(), State::Starting);
    send(Spawned{101 + i});
    advance(1s);
    ASSERT_EQ(state(), State::Running);
  }
  EXPECT_EQ(
      send(Exited{exit_code(1)}),
      (Actions{Publish{State::Running, State::Fatal, "exited 1; gave up after 3 restarts in 1m"}}));
  EXPECT_EQ(snap().restarts, 3U);
  EXPECT_EQ(snap().last_exit, "exited 1");
  EXPECT_FALSE(machine().armed_deadline());
}

TEST_F(ServiceMachineTest, RestartsOutsideTheWindowDoNotCount) {
  policy_.max_restarts = 2;
  policy_.restart_window = 10s;
  bring_up();
  for (int i = 0; i < 10; ++i) {
    send(Exited{exit_code(1)});
    ASSERT_EQ(state(), State::Starting) << "crash " << i;
    send(Spawned{200 + i});
    advance(1s);
    clock_.advance(5s);  // two restarts fit in any 10s window, a third never does
  }
  EXPECT_EQ(snap().restarts, 10U);
}

TEST_F(ServiceMachineTest, FailedStartsCountTowardMaxRestarts) {
  policy_.max_restarts = 2;
  send(Start{});
  fail_start();
  advance(1s);
  fail_start();
  advance(2s);
  EXPECT_EQ(
      fail_start(),
      (Actions{Publish{State::Starting, State::Fatal, "exited 1; gave up after 2 restarts in 1m"},
               CancelTimer{}}));
}

TEST_F(ServiceMachineTest, ZeroWindowTurnsTheLimitOff) {
  policy_.max_restarts = 1;
  policy_.restart_window = 0s;
  bring_up();
  for (int i = 0; i < 5; ++i) {
    send(Exited{exit_code(1)});
    ASSERT_EQ(state(), State::Starting);
    send(Spawned{300 + i});
    advance(1s);
  }
}

TEST_F(ServiceMachineTest, StartLeavesFatalAndBeginsAfresh) {
  policy_.max_restarts = 1;
  send(Start{});
  fail_start();
  advance(1s);
  fail_start();
  ASSERT_EQ(state(), State::Fatal);
  EXPECT_EQ(send(Start{}),
            (Actions{Publish{State::Fatal, State::Starting, "start requested"}, Spawn{}}));
  // The tally and the backoff start over: one more failed start is allowed, after 1s.
  EXPECT_EQ(fail_start(),
            (Actions{Publish{State::Starting, State::Backoff, "exited 1; retrying in 1s"},
                     armed_in(1s)}));
}

TEST_F(ServiceMachineTest, StartLeavesExited) {
  bring_up();
  send(Exited{exit_code(0)});
  ASSERT_EQ(state(), State::Exited);
  EXPECT_EQ(send(Start{}),
            (Actions{Publish{State::Exited, State::Starting, "start requested"}, Spawn{}}));
}

// --- the stop sequence ------------------------------------------------------------------

TEST_F(ServiceMachineTest, StopSendsStopSignalThenKillAfterTimeout) {
  bring_up();
  EXPECT_EQ(send(Stop{}), (Actions{Publish{State::Running, State::Stopping, "stop requested"},
                                   SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(advance(9999ms), Actions{});
  EXPECT_EQ(advance(1ms), (Actions{KillGroup{}, armed_in(5s)}));
  EXPECT_EQ(
      send(Exited{killed_by("SIGKILL")}),
      (Actions{Publish{State::Stopping, State::Stopped, "killed by SIGKILL after stop timeout"},
               CancelTimer{}}));
  EXPECT_EQ(snap().last_exit, "killed by SIGKILL after stop timeout");
  EXPECT_EQ(snap().exit, killed_by("SIGKILL"));
}

TEST_F(ServiceMachineTest, StopUsesTheConfiguredSignalAndTimeout) {
  policy_.stop_signal = StopSignal::Int;
  policy_.stop_timeout = 3s;
  bring_up();
  EXPECT_EQ(send(Stop{"shutting down"}),
            (Actions{Publish{State::Running, State::Stopping, "shutting down"},
                     SignalGroup{StopSignal::Int}, armed_in(3s)}));
}

TEST_F(ServiceMachineTest, KillRepeatsUntilTheGroupIsGone) {
  bring_up();
  send(Stop{});
  advance(10s);
  EXPECT_EQ(advance(5s), (Actions{KillGroup{}, armed_in(5s)}));
  EXPECT_EQ(state(), State::Stopping);
}

TEST_F(ServiceMachineTest, ExitDuringStoppingEndsStopped) {
  bring_up();
  send(Stop{});
  EXPECT_EQ(
      send(Exited{killed_by("SIGTERM")}),
      (Actions{Publish{State::Stopping, State::Stopped, "killed by SIGTERM"}, CancelTimer{}}));
  EXPECT_EQ(snap().last_exit, "killed by SIGTERM");
  EXPECT_EQ(snap().restarts, 0U);
}

TEST_F(ServiceMachineTest, ExitByOwnCodeDuringStoppingKeepsTheExit) {
  bring_up();
  send(Stop{});
  EXPECT_EQ(send(Exited{exit_code(143)}),
            (Actions{Publish{State::Stopping, State::Stopped, "exited 143"}, CancelTimer{}}));
}

TEST_F(ServiceMachineTest, StopDuringBackoffCancelsTimer) {
  send(Start{});
  fail_start();
  ASSERT_EQ(state(), State::Backoff);
  EXPECT_EQ(send(Stop{}),
            (Actions{Publish{State::Backoff, State::Stopped, "stop requested"}, CancelTimer{}}));
}

TEST_F(ServiceMachineTest, StopDuringStartingRunsTheStopSequence) {
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(send(Stop{}), (Actions{Publish{State::Starting, State::Stopping, "stop requested"},
                                   SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(
      send(Exited{killed_by("SIGTERM")}),
      (Actions{Publish{State::Stopping, State::Stopped, "killed by SIGTERM"}, CancelTimer{}}));
}

TEST_F(ServiceMachineTest, StopWhenNothingRunsChangesNothing) {
  EXPECT_EQ(send(Stop{}), Actions{});
  EXPECT_EQ(state(), State::Stopped);
  bring_up();
  send(Exited{exit_code(0)});
  EXPECT_EQ(send(Stop{}), Actions{});
  EXPECT_EQ(state(), State::Exited);
  EXPECT_EQ(note_, "");
}

TEST_F(ServiceMachineTest, SecondStopDuringStoppingChangesNothing) {
  bring_up();
  send(Stop{});
  EXPECT_EQ(send(Stop{}), Actions{});
  EXPECT_EQ(state(), State::Stopping);
}

// --- restart ----------------------------------------------------------------------------

TEST_F(ServiceMachineTest, RestartWhileRunningStopsThenStartsAtOnce) {
  bring_up();
  EXPECT_EQ(send(Restart{}), (Actions{Publish{State::Running, State::Stopping, "restart requested"},
                                      SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(send(Exited{killed_by("SIGTERM")}),
            (Actions{Publish{State::Stopping, State::Starting, "restart requested"}, Spawn{},
                     CancelTimer{}}));
  EXPECT_EQ(snap().last_exit, "killed by SIGTERM");
  EXPECT_EQ(snap().restarts, 0U) << "a restart by request is not counted";
}

TEST_F(ServiceMachineTest, RestartDuringStarting) {
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(send(Restart{}),
            (Actions{Publish{State::Starting, State::Stopping, "restart requested"},
                     SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(send(Exited{killed_by("SIGTERM")}),
            (Actions{Publish{State::Stopping, State::Starting, "restart requested"}, Spawn{},
                     CancelTimer{}}));
}

TEST_F(ServiceMachineTest, RestartWhenStoppedStarts) {
  EXPECT_EQ(send(Restart{}),
            (Actions{Publish{State::Stopped, State::Starting, "restart requested"}, Spawn{}}));
}

TEST_F(ServiceMachineTest, RestartDuringBackoffRetriesNow) {
  send(Start{});
  fail_start();
  EXPECT_EQ(send(Restart{}), (Actions{Publish{State::Backoff, State::Starting, "restart requested"},
                                      Spawn{}, CancelTimer{}}));
}

TEST_F(ServiceMachineTest, StartDuringStoppingStartsOnceStopped) {
  bring_up();
  send(Stop{});
  EXPECT_EQ(send(Start{}), Actions{});
  EXPECT_EQ(send(Exited{killed_by("SIGTERM")}),
            (Actions{Publish{State::Stopping, State::Starting, "start requested"}, Spawn{},
                     CancelTimer{}}));
}

TEST_F(ServiceMachineTest, StopDuringRestartEndsStopped) {
  bring_up();
  send(Restart{});
  EXPECT_EQ(send(Stop{}), Actions{});
  EXPECT_EQ(
      send(Exited{killed_by("SIGTERM")}),
      (Actions{Publish{State::Stopping, State::Stopped, "killed by SIGTERM"}, CancelTimer{}}));
}

// --- the rest of the process group ------------------------------------------------------

TEST_F(ServiceMachineTest, MainExitLeavesGroupStoppedBeforeRestart) {
  bring_up();
  EXPECT_EQ(send(Exited{exit_code(1), true}),
            (Actions{Publish{State::Running, State::Stopping,
                             "exited 1; stopping the rest of its process group"},
                     SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(snap().process, ProcessPhase::GroupOnly);
  EXPECT_FALSE(snap().pid);
  EXPECT_EQ(send(GroupEmpty{}),
            (Actions{Publish{State::Stopping, State::Starting, "exited 1; restarting"}, Spawn{},
                     CancelTimer{}}));
  EXPECT_EQ(snap().last_exit, "exited 1");
  EXPECT_EQ(snap().restarts, 1U);
}

TEST_F(ServiceMachineTest, GroupLeftAfterASuccessfulExitIsStoppedThenExited) {
  bring_up();
  send(Exited{exit_code(0), true});
  EXPECT_EQ(advance(10s), (Actions{KillGroup{}, armed_in(5s)}));
  EXPECT_EQ(send(GroupEmpty{}),
            (Actions{Publish{State::Stopping, State::Exited, "exited 0"}, CancelTimer{}}));
  EXPECT_EQ(snap().last_exit, "exited 0");
}

TEST_F(ServiceMachineTest, GroupLeftAfterAFailedStartIsStoppedThenBacksOff) {
  send(Start{});
  send(Spawned{42});
  send(Exited{exit_code(2), true});
  EXPECT_EQ(send(GroupEmpty{}),
            (Actions{Publish{State::Stopping, State::Backoff, "exited 2; retrying in 1s"},
                     armed_in(1s)}));
}

TEST_F(ServiceMachineTest, StopWaitsForTheWholeGroup) {
  bring_up();
  send(Stop{});
  EXPECT_EQ(send(Exited{killed_by("SIGTERM"), true}), Actions{});
  EXPECT_EQ(state(), State::Stopping);
  EXPECT_EQ(advance(10s), (Actions{KillGroup{}, armed_in(5s)}));
  EXPECT_EQ(
      send(GroupEmpty{}),
      (Actions{Publish{State::Stopping, State::Stopped, "killed by SIGTERM"}, CancelTimer{}}));
}

TEST_F(ServiceMachineTest, StopDuringGroupCleanupEndsStopped) {
  bring_up();
  send(Exited{exit_code(1), true});
  EXPECT_EQ(send(Stop{}), Actions{});
  EXPECT_EQ(send(GroupEmpty{}),
            (Actions{Publish{State::Stopping, State::Stopped, "exited 1"}, CancelTimer{}}));
}

// --- hangs ------------------------------------------------------------------------------

TEST_F(ServiceMachineTest, MissedWatchdogIsHung) {
  policy_.watchdog = 5s;
  send(Start{});
  EXPECT_EQ(send(Spawned{42}), (Actions{armed_in(1s)}));  // start_secs comes first
  EXPECT_EQ(advance(1s),
            (Actions{Publish{State::Starting, State::Running, "up for 1s"}, armed_in(4s)}));
  clock_.advance(2s);
  EXPECT_EQ(send(WatchdogPing{}), (Actions{armed_in(5s)}));
  EXPECT_EQ(advance(4999ms), Actions{});
  EXPECT_EQ(advance(1ms), (Actions{Publish{State::Running, State::Stopping, "hung: watchdog"},
                                   SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(send(Exited{killed_by("SIGTERM")}),
            (Actions{Publish{State::Stopping, State::Starting, "hung: watchdog; restarting"},
                     Spawn{}, CancelTimer{}}));
  EXPECT_EQ(snap().last_exit, "hung: watchdog");
  EXPECT_EQ(snap().exit, killed_by("SIGTERM"));
  EXPECT_EQ(snap().restarts, 1U);
}

TEST_F(ServiceMachineTest, WatchdogPingsKeepAServiceRunning) {
  policy_.watchdog = 5s;
  bring_up();
  for (int i = 0; i < 100; ++i) {
    clock_.advance(4s);
    send(WatchdogPing{});
  }
  EXPECT_EQ(state(), State::Running);
}

TEST_F(ServiceMachineTest, WatchdogMissedDuringStartingIsAFailedStart) {
  policy_.watchdog = 500ms;
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(advance(500ms), (Actions{Publish{State::Starting, State::Stopping, "hung: watchdog"},
                                     SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(send(Exited{killed_by("SIGTERM")}),
            (Actions{Publish{State::Stopping, State::Backoff, "hung: watchdog; retrying in 1s"},
                     armed_in(1s)}));
}

TEST_F(ServiceMachineTest, HangUnderNeverEndsExited) {
  policy_.restart = RestartPolicy::Never;
  policy_.watchdog = 5s;
  bring_up();
  advance(3s);
  send(Exited{killed_by("SIGTERM")});  // before the watchdog was missed: a plain exit
  ASSERT_EQ(state(), State::Exited);
  send(Start{});
  send(Spawned{43});
  advance(1s);
  advance(4s);
  ASSERT_EQ(state(), State::Stopping);
  EXPECT_EQ(send(Exited{killed_by("SIGTERM")}),
            (Actions{Publish{State::Stopping, State::Exited, "hung: watchdog"}, CancelTimer{}}));
  EXPECT_FALSE(snap().exit_ok);
}

TEST_F(ServiceMachineTest, HealthFailuresInARowIsHung) {
  policy_.has_health = true;
  policy_.health_failures = 3;
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(advance(1s),
            (Actions{Publish{State::Starting, State::Running, "up for 1s"}, StartHealthProbe{}}));
  EXPECT_EQ(snap().health, Health::Unknown);
  EXPECT_EQ(send(HealthResult{false}), Actions{});
  EXPECT_EQ(send(HealthResult{false}), Actions{});
  EXPECT_EQ(snap().health, Health::Failing);
  EXPECT_EQ(snap().health_failures, 2U);
  EXPECT_EQ(send(HealthResult{true}), Actions{});  // not in a row: starts over
  EXPECT_EQ(snap().health, Health::Ok);
  EXPECT_EQ(snap().health_failures, 0U);
  send(HealthResult{false});
  send(HealthResult{false});
  EXPECT_EQ(send(HealthResult{false}),
            (Actions{StopHealthProbe{},
                     Publish{State::Running, State::Stopping, "hung: health check failed 3 times"},
                     SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(send(Exited{killed_by("SIGTERM")}),
            (Actions{Publish{State::Stopping, State::Starting,
                             "hung: health check failed 3 times; restarting"},
                     Spawn{}, CancelTimer{}}));
  EXPECT_EQ(snap().health, Health::Unknown);
}

TEST_F(ServiceMachineTest, HealthProbeStopsWhenTheServiceDies) {
  policy_.has_health = true;
  bring_up();
  EXPECT_EQ(send(Exited{exit_code(1)}),
            (Actions{StopHealthProbe{},
                     Publish{State::Running, State::Starting, "exited 1; restarting"}, Spawn{}}));
}

TEST_F(ServiceMachineTest, MaxRuntimeIsHung) {
  policy_.max_runtime = 1h;
  send(Start{});
  EXPECT_EQ(send(Spawned{42}), (Actions{armed_in(1s)}));
  EXPECT_EQ(advance(1s),
            (Actions{Publish{State::Starting, State::Running, "up for 1s"}, armed_in(1h - 1s)}));
  EXPECT_EQ(advance(1h - 1s),
            (Actions{Publish{State::Running, State::Stopping, "hung: max_runtime 1h exceeded"},
                     SignalGroup{StopSignal::Term}, armed_in(10s)}));
}

TEST_F(ServiceMachineTest, TheEarliestDeadlineIsArmed) {
  policy_.start_secs = 10s;
  policy_.watchdog = 3s;
  policy_.max_runtime = 7s;
  send(Start{});
  EXPECT_EQ(send(Spawned{42}), (Actions{armed_in(3s)}));  // watchdog, then runtime, start
  clock_.advance(2s);
  EXPECT_EQ(send(WatchdogPing{}), (Actions{armed_in(3s)}));  // watchdog at 5s
  clock_.advance(2s);
  EXPECT_EQ(send(WatchdogPing{}), (Actions{armed_in(3s)}));  // watchdog at 9s, runtime at 7s
  clock_.advance(2s);
  EXPECT_EQ(send(WatchdogPing{}), Actions{});  // watchdog at 11s: runtime at 7s stays armed
  EXPECT_EQ(advance(1s),
            (Actions{Publish{State::Starting, State::Stopping, "hung: max_runtime 7s exceeded"},
                     SignalGroup{StopSignal::Term}, armed_in(10s)}));
}

// --- readiness --------------------------------------------------------------------------

TEST_F(ServiceMachineTest, NotifyServiceRunningOnlyAfterReady) {
  policy_.readiness = Readiness::Notify;
  send(Start{});
  EXPECT_EQ(send(Spawned{42}), (Actions{armed_in(1s)}));
  EXPECT_EQ(advance(1s), (Actions{armed_in(59s)}));  // start_secs passed; ready due at 1m
  EXPECT_EQ(state(), State::Starting);
  clock_.advance(5s);
  EXPECT_EQ(send(ReadyNotified{}),
            (Actions{Publish{State::Starting, State::Running, "sent READY=1"}, CancelTimer{}}));
  EXPECT_TRUE(snap().ready);
}

TEST_F(ServiceMachineTest, ReadyBeforeStartSecsWaitsForStartSecs) {
  policy_.readiness = Readiness::Notify;
  send(Start{});
  send(Spawned{42});
  clock_.advance(200ms);
  EXPECT_EQ(send(ReadyNotified{}), Actions{});  // the start_secs timer stays armed
  EXPECT_EQ(state(), State::Starting);
  EXPECT_EQ(advance(800ms), (Actions{Publish{State::Starting, State::Running, "sent READY=1"}}));
}

TEST_F(ServiceMachineTest, NotifyWatchdogClockStartsAtReady) {
  policy_.readiness = Readiness::Notify;
  policy_.watchdog = 5s;
  send(Start{});
  send(Spawned{42});
  advance(1s);
  clock_.advance(9s);  // far past the watchdog period, but not ready yet: no watchdog
  EXPECT_EQ(state(), State::Starting);
  EXPECT_EQ(send(ReadyNotified{}),
            (Actions{Publish{State::Starting, State::Running, "sent READY=1"}, armed_in(5s)}));
  EXPECT_EQ(advance(5s), (Actions{Publish{State::Running, State::Stopping, "hung: watchdog"},
                                  SignalGroup{StopSignal::Term}, armed_in(10s)}));
}

TEST_F(ServiceMachineTest, NotReadyInTimeIsAFailedStart) {
  policy_.readiness = Readiness::Notify;
  policy_.ready_timeout = 1min;
  send(Start{});
  send(Spawned{42});
  advance(1s);
  EXPECT_EQ(advance(59s), (Actions{Publish{State::Starting, State::Stopping, "not ready after 1m"},
                                   SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(send(Exited{killed_by("SIGTERM")}),
            (Actions{Publish{State::Stopping, State::Backoff, "not ready after 1m; retrying in 1s"},
                     armed_in(1s)}));
  EXPECT_EQ(snap().last_exit, "not ready after 1m");
}

TEST_F(ServiceMachineTest, ReadyTimeoutIsAtLeastStartSecs) {
  policy_.readiness = Readiness::Notify;
  policy_.start_secs = 2min;
  policy_.ready_timeout = 1min;
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(advance(2min), (Actions{Publish{State::Starting, State::Stopping, "not ready after 2m"},
                                    SignalGroup{StopSignal::Term}, armed_in(10s)}));
}

TEST_F(ServiceMachineTest, ZeroReadyTimeoutWaitsForEver) {
  policy_.readiness = Readiness::Notify;
  policy_.ready_timeout = 0s;
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(advance(1s), (Actions{}));
  EXPECT_FALSE(machine().armed_deadline());
  clock_.advance(24h);
  EXPECT_EQ(send(ReadyNotified{}),
            (Actions{Publish{State::Starting, State::Running, "sent READY=1"}}));
}

TEST_F(ServiceMachineTest, ReadyProbeRunsFromSpawnUntilItPasses) {
  policy_.readiness = Readiness::Probe;
  send(Start{});
  EXPECT_EQ(send(Spawned{42}), (Actions{StartReadyProbe{}, armed_in(1s)}));
  advance(1s);
  clock_.advance(3s);
  EXPECT_EQ(
      send(ReadyNotified{}),
      (Actions{StopReadyProbe{}, Publish{State::Starting, State::Running, "ready probe passed"},
               CancelTimer{}}));
}

TEST_F(ServiceMachineTest, ReadyProbeStopsWhenTheStartFails) {
  policy_.readiness = Readiness::Probe;
  send(Start{});
  send(Spawned{42});
  clock_.advance(100ms);
  EXPECT_EQ(send(Exited{exit_code(1)}),
            (Actions{StopReadyProbe{},
                     Publish{State::Starting, State::Backoff, "exited 1; retrying in 1s"},
                     armed_in(1s)}));
}

TEST_F(ServiceMachineTest, ReadyWithoutReadinessConfiguredIsIgnored) {
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(send(ReadyNotified{}), Actions{});
  EXPECT_EQ(state(), State::Starting);
}

// --- timers -----------------------------------------------------------------------------

TEST_F(ServiceMachineTest, StaleTimerIgnored) {
  send(Start{});
  send(Spawned{42});
  const auto old_generation = machine().timer_generation();
  send(Stop{});  // re-arms for the stop timeout
  clock_.advance(1s);
  EXPECT_EQ(send(TimerFired{old_generation}), Actions{});
  EXPECT_EQ(note_, "");
  EXPECT_EQ(state(), State::Stopping);
}

TEST_F(ServiceMachineTest, CancelledTimerFiringLateIsIgnored) {
  send(Start{});
  fail_start();
  const auto generation = machine().timer_generation();
  send(Stop{});  // cancels the backoff timer
  clock_.advance(1s);
  EXPECT_EQ(send(TimerFired{generation}), Actions{});
  EXPECT_EQ(state(), State::Stopped);
}

TEST_F(ServiceMachineTest, EarlyTimerFiringRearmsTheSameDeadline) {
  send(Start{});
  send(Spawned{42});
  clock_.advance(500ms);
  EXPECT_EQ(send(TimerFired{machine().timer_generation()}), (Actions{armed_in(500ms)}));
  EXPECT_EQ(state(), State::Starting);
}

TEST_F(ServiceMachineTest, LateTimerFiringStillPromotes) {
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(advance(30s), (Actions{Publish{State::Starting, State::Running, "up for 1s"}}));
}

// --- dependencies -----------------------------------------------------------------------

TEST_F(ServiceMachineTest, StartWaitsForDependencies) {
  send(DependenciesChanged{"db"});
  EXPECT_EQ(snap().waiting_for, "db");
  EXPECT_EQ(send(Start{}), (Actions{Publish{State::Stopped, State::Starting, "waiting for db"}}));
  EXPECT_EQ(snap().process, ProcessPhase::None);
  EXPECT_EQ(send(DependenciesChanged{"cache"}), Actions{});
  EXPECT_EQ(snap().reason, "waiting for cache");
  EXPECT_EQ(send(DependenciesChanged{""}), Actions{Spawn{}});
  EXPECT_EQ(snap().reason, "start requested");
  EXPECT_EQ(snap().process, ProcessPhase::Spawning);
}

TEST_F(ServiceMachineTest, StopWhileWaitingForDependenciesEndsStopped) {
  send(DependenciesChanged{"db"});
  send(Start{});
  EXPECT_EQ(send(Stop{}), (Actions{Publish{State::Starting, State::Stopped, "stop requested"}}));
  EXPECT_EQ(send(DependenciesChanged{""}), Actions{});
  EXPECT_EQ(state(), State::Stopped);
}

TEST_F(ServiceMachineTest, AutomaticRestartDoesNotWaitForDependencies) {
  bring_up();
  send(DependenciesChanged{"db"});
  EXPECT_EQ(send(Exited{exit_code(1)}),
            (Actions{Publish{State::Running, State::Starting, "exited 1; restarting"}, Spawn{}}));
}

TEST_F(ServiceMachineTest, RestartByRequestWaitsForDependencies) {
  bring_up();
  send(DependenciesChanged{"db"});
  send(Restart{});
  EXPECT_EQ(send(Exited{killed_by("SIGTERM")}),
            (Actions{Publish{State::Stopping, State::Starting, "waiting for db"}, CancelTimer{}}));
}

// --- events out of order ----------------------------------------------------------------

TEST_F(ServiceMachineTest, SpawnedAfterStopGetsTheStopSequence) {
  send(Start{});
  EXPECT_EQ(send(Stop{}), (Actions{Publish{State::Starting, State::Stopping, "stop requested"}}));
  EXPECT_EQ(send(Spawned{42}), (Actions{SignalGroup{StopSignal::Term}, armed_in(10s)}));
  EXPECT_EQ(
      send(Exited{killed_by("SIGTERM")}),
      (Actions{Publish{State::Stopping, State::Stopped, "killed by SIGTERM"}, CancelTimer{}}));
}

TEST_F(ServiceMachineTest, SpawnFailedAfterStopEndsStopped) {
  send(Start{});
  send(Stop{});
  EXPECT_EQ(send(SpawnFailed{"Permission denied"}),
            (Actions{Publish{State::Stopping, State::Stopped, "spawn failed: Permission denied"}}));
}

TEST_F(ServiceMachineTest, SpawnFailedDuringRestartSpawnsAgain) {
  send(Start{});
  send(Restart{});
  EXPECT_EQ(send(SpawnFailed{"Permission denied"}),
            (Actions{Publish{State::Stopping, State::Starting, "restart requested"}, Spawn{}}));
}

TEST_F(ServiceMachineTest, ExitedTwiceIsNotedAndIgnored) {
  bring_up();
  send(Exited{exit_code(0)});
  ASSERT_EQ(state(), State::Exited);
  EXPECT_EQ(send(Exited{exit_code(0)}), Actions{});
  EXPECT_EQ(note_, "can't happen: Exited{exited 0} while exited (none)");
  EXPECT_EQ(state(), State::Exited);
}

TEST_F(ServiceMachineTest, ExitedBeforeSpawnedIsNoted) {
  send(Start{});
  EXPECT_EQ(send(Exited{exit_code(1)}), Actions{});
  EXPECT_EQ(note_, "can't happen: Exited{exited 1} while starting (spawning)");
}

TEST_F(ServiceMachineTest, SpawnedWithoutSpawnIsNoted) {
  EXPECT_EQ(send(Spawned{9}), Actions{});
  EXPECT_EQ(note_, "can't happen: Spawned{9} while stopped (none)");
  bring_up();
  EXPECT_EQ(send(Spawned{9}), Actions{});
  EXPECT_EQ(note_, "can't happen: Spawned{9} while running (alive)");
  EXPECT_EQ(snap().pid, 100);
}

TEST_F(ServiceMachineTest, SpawnFailedWithoutSpawnIsNoted) {
  bring_up();
  EXPECT_EQ(send(SpawnFailed{"x"}), Actions{});
  EXPECT_EQ(note_, "can't happen: SpawnFailed{x} while running (alive)");
}

TEST_F(ServiceMachineTest, LateWordFromAGoneProcessIsIgnoredQuietly) {
  policy_.has_health = true;
  policy_.readiness = Readiness::Notify;
  policy_.watchdog = 1s;
  for (const Event& e : {Event{GroupEmpty{}}, Event{ReadyNotified{}}, Event{WatchdogPing{}},
                         Event{HealthResult{false}}, Event{TimerFired{77}}}) {
    EXPECT_EQ(send(e), Actions{}) << to_string(e);
    EXPECT_EQ(note_, "") << to_string(e);
    EXPECT_EQ(state(), State::Stopped);
  }
}

TEST_F(ServiceMachineTest, HealthResultsBeforeRunningAreIgnored) {
  policy_.has_health = true;
  policy_.health_failures = 1;
  send(Start{});
  send(Spawned{42});
  EXPECT_EQ(send(HealthResult{false}), Actions{});
  EXPECT_EQ(state(), State::Starting);
}

}  // namespace
}  // namespace supd::supervisor
