// The Responder's contract, without a server: one answer, events before it, on_close only
// for an unanswered request.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "control/server.h"

namespace supd::control {
namespace {

struct Sink {
  std::vector<std::string> lines;
  std::vector<bool> finals;
  bool connected = true;

  Responder::Sink function() {
    return [this](std::string line, bool final) {
      if (!connected) return false;
      lines.push_back(std::move(line));
      finals.push_back(final);
      return true;
    };
  }
};

TEST(Responder, AnswersOnceAndCarriesTheId) {
  Sink sink;
  Responder r(7, os::PeerCredentials{}, sink.function());
  EXPECT_TRUE(r.is_open());
  Responder copy = r;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the point
  copy.respond_ok({{"state", "running"}});
  r.respond_error(ErrorCode::Failed, "too late");
  r.respond_ok();
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(sink.lines[0], "{\"v\":1,\"id\":7,\"ok\":true,\"result\":{\"state\":\"running\"}}\n");
  EXPECT_TRUE(sink.finals[0]);
  EXPECT_FALSE(r.is_open());
  EXPECT_FALSE(r.send_event({{"late", true}}));
}

TEST(Responder, EventsComeBeforeTheFinalAnswer) {
  Sink sink;
  Responder r(nullptr, os::PeerCredentials{}, sink.function());
  EXPECT_TRUE(r.send_event({{"n", 1}}));
  EXPECT_TRUE(r.send_event({{"n", 2}}));
  r.respond_error(ControlError{ErrorCode::NoSuchService, "no service named \"x\"", "y", {}});
  ASSERT_EQ(sink.lines.size(), 3u);
  EXPECT_EQ(sink.lines[0], "{\"v\":1,\"event\":{\"n\":1}}\n");
  EXPECT_EQ(sink.finals, (std::vector<bool>{false, false, true}));
  auto last = nlohmann::json::parse(sink.lines[2]);
  EXPECT_EQ(last["error"]["code"], "no_such_service");
  EXPECT_EQ(last["error"]["did_you_mean"], "y");
}

TEST(Responder, OnCloseRunsWhenTheClientLeavesFirst) {
  Sink sink;
  Responder r(1, os::PeerCredentials{}, sink.function());
  int closed = 0;
  r.on_close([&] { ++closed; });
  r.client_left();
  r.client_left();
  EXPECT_EQ(closed, 1);
  EXPECT_FALSE(r.is_open());
  EXPECT_FALSE(r.send_event({{"n", 1}}));
  r.respond_ok();  // ignored, harmless
  EXPECT_TRUE(sink.lines.empty());
  // Registering after the departure runs the callback at once.
  r.on_close([&] { ++closed; });
  EXPECT_EQ(closed, 2);
}

TEST(Responder, OnCloseDoesNotRunForAnAnsweredRequest) {
  Sink sink;
  Responder r(1, os::PeerCredentials{}, sink.function());
  int closed = 0;
  r.on_close([&] { ++closed; });
  r.respond_ok();
  r.client_left();
  EXPECT_EQ(closed, 0);
}

TEST(Responder, AFailedDeliveryMeansTheClientIsGone) {
  Sink sink;
  Responder r(1, os::PeerCredentials{}, sink.function());
  sink.connected = false;
  EXPECT_FALSE(r.send_event({{"n", 1}}));
  EXPECT_FALSE(r.is_open());
}

TEST(Responder, DefaultConstructedIgnoresEverything) {
  Responder r;
  EXPECT_FALSE(r.is_open());
  EXPECT_FALSE(r.send_event({{"n", 1}}));
  r.respond_ok();
  r.on_close([] { FAIL() << "must not run"; });
  r.client_left();
  EXPECT_TRUE(r.id().is_null());
}

TEST(Responder, KnowsItsPeer) {
  Responder r(1, os::PeerCredentials{1000, 1000, 4242},
              [](const std::string&, bool) { return true; });
  EXPECT_EQ(r.peer().pid, 4242);
  EXPECT_EQ(r.peer().uid, 1000);
  EXPECT_EQ(r.id(), nlohmann::json(1));
}

}  // namespace
}  // namespace supd::control
