#include "trust/intoto.h"
#include "trust/testing.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace bulwark::trust {
namespace {

using testing::vector_file;


constexpr const char* kImage =
    "sha256:1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a";

TEST(InToto, ParsesV01CycloneDxStatement) {
  auto st = parse_statement(vector_file("keyless-mock/image-att-cyclonedx/statement.json"));
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->version, StatementVersion::kV01);
  EXPECT_EQ(st->predicate_type, "https://cyclonedx.org/bom");
  ASSERT_EQ(st->subjects.size(), 1u);
  EXPECT_EQ(st->subjects[0].name, "registry.example.com/demo/app");
  EXPECT_TRUE(subject_matches(*st, *Digest::parse(kImage)));
  EXPECT_FALSE(subject_matches(*st, Digest::of("other")));
  EXPECT_TRUE(st->predicate.is_object());
  // cosign writes v0.1 statements in this field order: serialising reproduces the bytes.
  EXPECT_EQ(serialize_statement(*st),
            vector_file("keyless-mock/image-att-cyclonedx/statement.json"));
}

TEST(InToto, ParsesV1CosignSignStatement) {
  auto st = parse_statement(vector_file("keyless-mock/image-sig-bundle/statement.json"));
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->version, StatementVersion::kV1);
  EXPECT_EQ(st->predicate_type, kCosignSignPredicateType);
  EXPECT_EQ(st->subjects[0].name, "");
  EXPECT_TRUE(subject_matches(*st, *Digest::parse(kImage)));
}

TEST(InToto, SubjectDigestNeedsSameAlgorithmAndExactHex) {
  auto st = parse_statement(
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha512":"1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a"}}],"predicateType":"x"})");
  ASSERT_TRUE(st);
  EXPECT_FALSE(subject_matches(*st, *Digest::parse(kImage)));
  auto upper = parse_statement(
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"1F302EB0B2525FF954C3B8570DBE9DEDB0F0143B0750E6D5B442162547BB861A"}}],"predicateType":"x"})");
  ASSERT_TRUE(upper);
  EXPECT_FALSE(subject_matches(*upper, *Digest::parse(kImage)));
}

TEST(InToto, RefusesMalformedStatements) {
  const char* bad[] = {
      "{}",
      R"({"_type":"https://in-toto.io/Statement/v2","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"x"})",
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x"})",
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{}}],"predicateType":"x"})",
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":1}}],"predicateType":"x"})",
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}]})",
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"x","predicateType":"y"})",
  };
  for (const char* text : bad) EXPECT_FALSE(parse_statement(text)) << text;
}

TEST(InToto, PredicateTypeTableFollowsCosign) {
  EXPECT_EQ(resolve_predicate_type("cyclonedx"), "https://cyclonedx.org/bom");
  EXPECT_EQ(resolve_predicate_type("spdx"), "https://spdx.dev/Document");
  EXPECT_EQ(resolve_predicate_type("spdxjson"), "https://spdx.dev/Document");
  EXPECT_EQ(resolve_predicate_type("slsaprovenance"), "https://slsa.dev/provenance/v0.2");
  EXPECT_EQ(resolve_predicate_type("slsaprovenance02"), "https://slsa.dev/provenance/v0.2");
  EXPECT_EQ(resolve_predicate_type("slsaprovenance1"), "https://slsa.dev/provenance/v1");
  EXPECT_EQ(resolve_predicate_type("vuln"), "https://cosign.sigstore.dev/attestation/vuln/v1");
  EXPECT_EQ(resolve_predicate_type("custom"), "https://cosign.sigstore.dev/attestation/v1");
  EXPECT_EQ(resolve_predicate_type("https://example.com/p/v1"), "https://example.com/p/v1");
  EXPECT_FALSE(resolve_predicate_type("nonsense"));
  EXPECT_FALSE(resolve_predicate_type(""));
  bool has_sign = false;
  for (const auto& p : known_predicate_types()) has_sign |= p.uri == kCosignSignPredicateType;
  EXPECT_TRUE(has_sign);
}

}  // namespace
}  // namespace bulwark::trust
