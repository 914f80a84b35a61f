#include "oci/errors.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <set>
#include <string>

namespace bulwark::oci {
namespace {

constexpr int kLastCode = static_cast<int>(ErrorCode::kInternal);

std::string str(const boost::json::value& v) {
  return std::string(v.as_string().data(), v.as_string().size());
}

TEST(OciErrors, EveryCodeHasItsOwnRowWithAUniqueName) {
  std::set<std::string_view> names;
  for (int i = 0; i <= kLastCode; ++i) {
    auto code = static_cast<ErrorCode>(i);
    const ErrorInfo& info = error_info(code);
    EXPECT_EQ(info.code, code) << "no table row for enumerator " << i;
    EXPECT_FALSE(info.wire.empty());
    EXPECT_FALSE(info.message.empty());
    EXPECT_GE(info.status, 400);
    EXPECT_LE(info.status, 599);
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate name " << info.name;
    EXPECT_EQ(error_info_by_wire(info.name), &info) << info.name;
  }
}

TEST(OciErrors, StatusesAndWireCodesFollowTheDistributionSpec) {
  struct Want {
    ErrorCode code;
    std::string_view wire;
    int status;
  };
  const Want wants[] = {
      {ErrorCode::kBlobUnknown, "BLOB_UNKNOWN", 404},
      {ErrorCode::kBlobUploadInvalid, "BLOB_UPLOAD_INVALID", 400},
      {ErrorCode::kBlobUploadUnknown, "BLOB_UPLOAD_UNKNOWN", 404},
      {ErrorCode::kDigestInvalid, "DIGEST_INVALID", 400},
      {ErrorCode::kManifestBlobUnknown, "MANIFEST_BLOB_UNKNOWN", 400},
      {ErrorCode::kManifestInvalid, "MANIFEST_INVALID", 400},
      {ErrorCode::kManifestUnknown, "MANIFEST_UNKNOWN", 404},
      {ErrorCode::kNameInvalid, "NAME_INVALID", 400},
      {ErrorCode::kNameUnknown, "NAME_UNKNOWN", 404},
      {ErrorCode::kSizeInvalid, "SIZE_INVALID", 400},
      {ErrorCode::kUnauthorized, "UNAUTHORIZED", 401},
      {ErrorCode::kDenied, "DENIED", 403},
      {ErrorCode::kUnsupported, "UNSUPPORTED", 415},
      {ErrorCode::kTooManyRequests, "TOOMANYREQUESTS", 429},
      {ErrorCode::kRangeInvalid, "RANGE_INVALID", 416},
      {ErrorCode::kManifestTooLarge, "SIZE_INVALID", 413},
      {ErrorCode::kMethodNotAllowed, "UNSUPPORTED", 405},
      {ErrorCode::kNotFound, "NOT_FOUND", 404},
      {ErrorCode::kBadRequest, "BAD_REQUEST", 400},
      {ErrorCode::kHeaderTooLarge, "HEADER_TOO_LARGE", 431},
      {ErrorCode::kUnavailable, "UNAVAILABLE", 503},
      {ErrorCode::kInternal, "UNKNOWN", 500},
  };
  for (const auto& w : wants) {
    EXPECT_EQ(error_info(w.code).wire, w.wire);
    EXPECT_EQ(error_info(w.code).status, w.status) << w.wire;
  }
  EXPECT_EQ(error_info(ErrorCode::kRangeInvalid).message, "invalid content range");
  EXPECT_EQ(error_info(ErrorCode::kManifestTooLarge).message, "manifest too large");
}

TEST(OciErrors, LookupFindsServerGeneratedNamesUnambiguously) {
  EXPECT_EQ(error_info_by_wire("NOT_FOUND")->status, 404);
  EXPECT_EQ(error_info_by_wire("METHOD_NOT_ALLOWED")->status, 405);
  EXPECT_EQ(error_info_by_wire("BAD_REQUEST")->status, 400);
  EXPECT_EQ(error_info_by_wire("HEADER_TOO_LARGE")->status, 431);
  EXPECT_EQ(error_info_by_wire("INTERNAL")->status, 500);
  // Shared wire codes resolve to the spec's own meaning.
  EXPECT_EQ(error_info_by_wire("UNSUPPORTED")->code, ErrorCode::kUnsupported);
  EXPECT_EQ(error_info_by_wire("SIZE_INVALID")->code, ErrorCode::kSizeInvalid);
  EXPECT_EQ(error_info_by_wire("UNKNOWN")->code, ErrorCode::kInternal);
  EXPECT_EQ(error_info_by_wire("NO_SUCH_THING"), nullptr);
  EXPECT_EQ(error_info_by_wire(""), nullptr);
}

TEST(OciErrors, BodyIsValidJsonWithDefaultMessageAndNoEmptyDetail) {
  auto body = boost::json::parse(error_body(ErrorCode::kBlobUnknown));
  const auto& errors = body.as_object().at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  const auto& e = errors[0].as_object();
  EXPECT_EQ(str(e.at("code")), "BLOB_UNKNOWN");
  EXPECT_EQ(str(e.at("message")), "blob unknown to registry");
  EXPECT_FALSE(e.contains("detail"));
}

TEST(OciErrors, BodyEscapesClientTextAndReplacesInvalidUtf8) {
  std::string detail = "repo \"a\\b\"\n\x01 caf\xc3\xa9 bad\xff\xfe end";
  std::string text = error_body(ErrorCode::kNameInvalid, "custom </script> \"message\"", detail);
  auto body = boost::json::parse(text);  // throws (fails the test) if not valid JSON
  const auto& e = body.as_object().at("errors").as_array()[0].as_object();
  EXPECT_EQ(str(e.at("code")), "NAME_INVALID");
  EXPECT_EQ(str(e.at("message")), "custom </script> \"message\"");
  EXPECT_EQ(str(e.at("detail")), "repo \"a\\b\"\n\x01 caf\xc3\xa9 bad\xef\xbf\xbd\xef\xbf\xbd end");
}

TEST(OciErrors, SharedWireCodeStillCarriesItsOwnMessage) {
  auto body = boost::json::parse(error_body(ErrorCode::kManifestTooLarge));
  const auto& e = body.as_object().at("errors").as_array()[0].as_object();
  EXPECT_EQ(str(e.at("code")), "SIZE_INVALID");
  EXPECT_EQ(str(e.at("message")), "manifest too large");
}

}  // namespace
}  // namespace bulwark::oci
