#include "trust/verdict.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace bulwark::trust {
namespace {

// Every reason has its own stable name (the API and audit events carry them).
TEST(Verdict, EveryReasonHasAUniqueName) {
  std::set<std::string> names;
  for (int r = static_cast<int>(Reason::kNone); r <= static_cast<int>(Reason::kUnsupported); ++r) {
    std::string name(reason_name(static_cast<Reason>(r)));
    EXPECT_NE(name, "unknown") << "reason " << r;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(reason_name(Reason::kSignatureExpired), "signature_expired");
}

// The first failure decides the reason; later ones are still listed.
TEST(Verdict, FirstFailureDecides) {
  Verdict v;
  v.pass("material", "bundle v0.3");
  v.fail(Reason::kBadSignature, "signature", "does not verify");
  v.fail(Reason::kIdentityMismatch, "identity", "other SAN");
  EXPECT_EQ(v.reason, Reason::kBadSignature);
  EXPECT_EQ(v.message, "signature: does not verify");
  ASSERT_EQ(v.checks.size(), 3u);
  EXPECT_FALSE(v.verified());
  boost::json::object json = verdict_to_json(v);
  EXPECT_EQ(json.at("reason").as_string(), "bad_signature");
  EXPECT_EQ(json.at("checks").as_array().size(), 3u);
}

}  // namespace
}  // namespace bulwark::trust
