#include "ctl/answer.h"

#include <gtest/gtest.h>

#include "ctl/exit_codes.h"

namespace supd::ctl {
namespace {

TEST(ReadAnswer, Success) {
  auto answer = read_answer(nlohmann::json::parse(R"({"v":1,"id":3,"ok":true,"result":{"a":1}})"));
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->ok);
  EXPECT_EQ(answer->result, nlohmann::json({{"a", 1}}));
}

TEST(ReadAnswer, ErrorWithEverything) {
  auto answer = read_answer(nlohmann::json::parse(
      R"({"v":1,"ok":false,"error":{"code":"config_error","message":"2 problems",)"
      R"("details":["a.yaml:1:2: x","a.yaml:3:4: y"],"did_you_mean":"web"}})"));
  ASSERT_TRUE(answer);
  EXPECT_FALSE(answer->ok);
  EXPECT_EQ(answer->error.code, control::ErrorCode::ConfigError);
  EXPECT_EQ(answer->error.message, "2 problems");
  EXPECT_EQ(answer->error.did_you_mean, "web");
  EXPECT_EQ(answer->error.details, (std::vector<std::string>{"a.yaml:1:2: x", "a.yaml:3:4: y"}));
}

TEST(ReadAnswer, UnknownCodesReadAsFailed) {
  auto answer = read_answer(
      nlohmann::json::parse(R"({"ok":false,"error":{"code":"brand_new","message":"m"}})"));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->error.code, control::ErrorCode::Failed);
}

TEST(ReadAnswer, GarbledAnswers) {
  EXPECT_FALSE(read_answer(nlohmann::json::array()));
  EXPECT_FALSE(read_answer(nlohmann::json::object()));
  EXPECT_FALSE(read_answer({{"ok", "yes"}}));
  EXPECT_FALSE(read_answer({{"ok", false}}));
}

TEST(Describe, AddsTheSuggestionOnce) {
  control::ControlError e;
  e.code = control::ErrorCode::NoSuchService;
  e.message = "no such service: webx";
  EXPECT_EQ(describe(e), "no such service: webx");
  e.did_you_mean = "web";
  EXPECT_EQ(describe(e), "no such service: webx (did you mean web?)");
  e.message = "no such service: webx (did you mean web?)";
  EXPECT_EQ(describe(e), "no such service: webx (did you mean web?)");
  e.message.clear();
  e.did_you_mean.reset();
  EXPECT_EQ(describe(e), "no_such_service");
}

TEST(ExitCodeFor, PerErrorCode) {
  control::ControlError e;
  e.code = control::ErrorCode::NoSuchService;
  EXPECT_EQ(exit_code_for(e), kExitNoSuchService);
  e.code = control::ErrorCode::ConfigError;
  EXPECT_EQ(exit_code_for(e), kExitUsage);
  e.code = control::ErrorCode::Timeout;
  EXPECT_EQ(exit_code_for(e), kExitError);
  e.code = control::ErrorCode::Failed;
  EXPECT_EQ(exit_code_for(e), kExitError);
  e.code = control::ErrorCode::PermissionDenied;
  EXPECT_EQ(exit_code_for(e), kExitError);
}

}  // namespace
}  // namespace supd::ctl
