#include "http/http.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "http/coro.h"

namespace bulwark::http {
namespace {

TEST(Headers, CaseInsensitiveLookupSetAddRemove) {
  Headers h;
  h.add("Content-Type", "text/plain");
  h.add("X-Multi", "1");
  h.add("x-multi", "2");
  EXPECT_EQ(h.get("content-type"), "text/plain");
  EXPECT_EQ(h.get("X-MULTI"), "1");
  EXPECT_FALSE(h.get("missing").has_value());
  h.set("X-MULTI", "3");
  EXPECT_EQ(h.get("x-multi"), "3");
  EXPECT_EQ(h.all().size(), 2u);
  h.remove("CONTENT-TYPE");
  EXPECT_FALSE(h.get("Content-Type").has_value());
  EXPECT_EQ(h.all().size(), 1u);
}

TEST(Request, ParamsAndQueryParams) {
  Request r;
  r.params = {{"name", "library/alpine"}, {"reference", "latest"}};
  r.query = "n=10&last=a%2Fb&digest=sha256%3Aab&plus=a+b&flag&empty=&bad=%zz&n=20";
  EXPECT_EQ(r.param("name"), "library/alpine");
  EXPECT_EQ(r.param("missing"), "");
  EXPECT_EQ(r.query_param("n"), "10");  // the first occurrence
  EXPECT_EQ(r.query_param("last"), "a/b");
  EXPECT_EQ(r.query_param("digest"), "sha256:ab");
  EXPECT_EQ(r.query_param("plus"), "a+b");  // '+' is not a space here
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_FALSE(r.query_param("bad").has_value());
  EXPECT_FALSE(r.query_param("absent").has_value());
  EXPECT_TRUE(r.has_query_param("flag"));
  EXPECT_FALSE(r.has_query_param("nope"));
}

TEST(ParseForm, DecodesPercentAndPlusKeepsOrderAndRepeats) {
  auto fields = parse_form(
      "grant_type=password&scope=repository%3Aa%2Fb%3Apull+repository:c:push&scope=x&&bad=%zz&flag");
  using Field = std::pair<std::string, std::string>;
  EXPECT_EQ(fields, (std::vector<Field>{{"grant_type", "password"},
                                        {"scope", "repository:a/b:pull repository:c:push"},
                                        {"scope", "x"},
                                        {"flag", ""}}));
  EXPECT_TRUE(parse_form("").empty());
}

TEST(RunBlocking, RunsInlineWithoutServerAndPropagatesExceptions) {
  std::thread::id ran_on;
  sync_wait([&]() -> Task<void> { co_await run_blocking([&] { ran_on = std::this_thread::get_id(); }); }());
  EXPECT_EQ(ran_on, std::this_thread::get_id());

  std::string caught;
  sync_wait([&]() -> Task<void> {
    try {
      co_await run_blocking([] { throw std::runtime_error("disk on fire"); });
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
  }());
  EXPECT_EQ(caught, "disk on fire");
}

}  // namespace
}  // namespace bulwark::http
