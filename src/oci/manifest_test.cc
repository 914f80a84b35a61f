#include "oci/manifest.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "oci/media_types.h"

namespace bulwark::oci {
namespace {

namespace json = boost::json;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(OCI_TESTDATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << "missing fixture " << name;
  return ss.str();
}

// The fixture `name`, changed by `edit` and re-serialised.
std::string edited(const std::string& name, const std::function<void(json::object&)>& edit) {
  json::value v = json::parse(fixture(name));
  edit(v.as_object());
  return json::serialize(v);
}

// Asserts that parsing fails with `code` and a message containing `needle`.
void expect_rejected(std::string_view bytes, std::string_view content_type, ErrorCode code,
                     std::string_view needle) {
  auto r = parse_manifest(bytes, content_type);
  ASSERT_FALSE(r) << "accepted: " << bytes;
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_NE(r.error().message.find(needle), std::string::npos)
      << "message \"" << r.error().message << "\" does not mention \"" << needle << "\"";
}

void expect_invalid(std::string_view bytes, std::string_view needle,
                    std::string_view content_type = media::kOciManifest) {
  expect_rejected(bytes, content_type, ErrorCode::kInvalidArgument, needle);
}

// ---- accepted documents -------------------------------------------------------------------------

TEST(Manifest, OciImageManifest) {
  auto r = parse_manifest(fixture("oci_manifest.json"), media::kOciManifest);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, ManifestKind::kImageManifest);
  EXPECT_EQ(r->media_type, media::kOciManifest);
  ASSERT_TRUE(r->config);
  EXPECT_EQ(r->config->media_type, media::kOciConfig);
  EXPECT_EQ(r->config->size, 7023u);
  EXPECT_EQ(r->config->digest.str(),
            "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7");
  ASSERT_EQ(r->layers.size(), 3u);
  EXPECT_EQ(r->layers[2].size, 73109u);
  EXPECT_EQ(r->artifact_type, media::kOciConfig);  // no artifactType: config.mediaType
  EXPECT_FALSE(r->subject);
  EXPECT_TRUE(r->manifests.empty());
  auto annotations = json::parse(r->annotations_json);
  EXPECT_EQ(annotations.as_object().at("com.example.key1").as_string(), "value1");
}

TEST(Manifest, OciIndex) {
  auto r = parse_manifest(fixture("oci_index.json"), media::kOciIndex);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, ManifestKind::kIndex);
  EXPECT_EQ(r->media_type, media::kOciIndex);
  ASSERT_EQ(r->manifests.size(), 3u);
  EXPECT_EQ(r->manifests[1].size, 7682u);
  EXPECT_FALSE(r->config);
  EXPECT_TRUE(r->layers.empty());
  EXPECT_EQ(r->artifact_type, "");
  EXPECT_FALSE(r->annotations_json.empty());
}

TEST(Manifest, DockerManifestAndList) {
  auto m = parse_manifest(fixture("docker_manifest.json"), media::kDockerManifest);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->kind, ManifestKind::kImageManifest);
  EXPECT_EQ(m->media_type, media::kDockerManifest);
  EXPECT_EQ(m->config->media_type, media::kDockerConfig);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 2220094u);
  EXPECT_EQ(m->annotations_json, "");

  auto l = parse_manifest(fixture("docker_manifest_list.json"), media::kDockerManifestList);
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(l->kind, ManifestKind::kIndex);
  EXPECT_EQ(l->media_type, media::kDockerManifestList);
  ASSERT_EQ(l->manifests.size(), 2u);
  EXPECT_EQ(l->manifests[0].media_type, media::kDockerManifest);
}

TEST(Manifest, ArtifactWithEmptyConfigReportsItsArtifactTypeAndSubject) {
  auto r = parse_manifest(fixture("artifact_empty_config.json"), media::kOciManifest);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->artifact_type, "application/vnd.example.sbom.v1+json");
  EXPECT_EQ(r->config->media_type, media::kOciEmpty);
  EXPECT_EQ(r->config->size, 2u);
  EXPECT_EQ(r->config->digest, Digest::of("{}"));
  ASSERT_TRUE(r->subject);
  EXPECT_EQ(r->subject->digest.str(),
            "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270");
}

TEST(Manifest, SignatureWithSubjectReportsConfigMediaTypeAsArtifactType) {
  auto r = parse_manifest(fixture("signature_with_subject.json"), "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->media_type, media::kOciManifest);
  EXPECT_EQ(r->artifact_type, "application/vnd.dev.cosign.artifact.sig.v1+json");
  ASSERT_TRUE(r->subject);
  EXPECT_EQ(r->subject->media_type, media::kOciIndex);
  EXPECT_EQ(r->subject->size, 1609u);
}

TEST(Manifest, IndexMayCarryArtifactTypeAndSubject) {
  std::string doc = edited("oci_index.json", [](json::object& o) {
    o["artifactType"] = "application/vnd.example.bundle";
    o["subject"] = json::parse(fixture("oci_manifest.json")).as_object()["config"];
  });
  auto r = parse_manifest(doc, media::kOciIndex);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->artifact_type, "application/vnd.example.bundle");
  EXPECT_TRUE(r->subject);
}

TEST(Manifest, MediaTypeComesFromTheDocumentWhenContentTypeIsSilent) {
  for (std::string_view ct : {"", "application/json", "application/json; charset=utf-8"}) {
    auto r = parse_manifest(fixture("docker_manifest_list.json"), ct);
    ASSERT_TRUE(r) << ct << ": " << r.error().message;
    EXPECT_EQ(r->media_type, media::kDockerManifestList);
  }
}

TEST(Manifest, ContentTypeParametersAndCaseAreIgnored) {
  auto r = parse_manifest(fixture("oci_manifest.json"),
                          "Application/VND.oci.image.manifest.v1+json; charset=utf-8");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->media_type, media::kOciManifest);
}

TEST(Manifest, StructureDecidesWhenNothingElseDoes) {
  std::string manifest = edited("oci_manifest.json", [](json::object& o) { o.erase("mediaType"); });
  auto m = parse_manifest(manifest, "");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, media::kOciManifest);
  std::string index = edited("oci_index.json", [](json::object& o) { o.erase("mediaType"); });
  auto i = parse_manifest(index, "");
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->media_type, media::kOciIndex);
  EXPECT_EQ(i->kind, ManifestKind::kIndex);
  // Without mediaType the Content-Type alone decides, too.
  EXPECT_TRUE(parse_manifest(manifest, media::kOciManifest));
  expect_invalid(R"({"schemaVersion":2})", "mediaType", "");
}

TEST(Manifest, EmptyLayersAndUnknownFieldsAreAccepted) {
  std::string doc = edited("oci_manifest.json", [](json::object& o) {
    o["layers"] = json::array();
    o["x-vendor"] = json::object{{"anything", json::array{1, 2.5, nullptr}}};
  });
  auto r = parse_manifest(doc, media::kOciManifest);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->layers.empty());
}

TEST(Manifest, SizeUpToTwoToTheSixtyThreeMinusOne) {
  std::string doc = fixture("docker_manifest.json");
  doc.replace(doc.find("2220094"), 7, "9223372036854775807");
  auto r = parse_manifest(doc, media::kDockerManifest);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->layers[0].size, 9223372036854775807u);
}

TEST(Manifest, MediaTypeRecognition) {
  EXPECT_TRUE(is_manifest_media_type(media::kOciManifest));
  EXPECT_TRUE(is_manifest_media_type(media::kOciIndex));
  EXPECT_TRUE(is_manifest_media_type(media::kDockerManifest));
  EXPECT_TRUE(is_manifest_media_type(media::kDockerManifestList));
  EXPECT_FALSE(is_manifest_media_type(media::kDockerSchema1));
  EXPECT_FALSE(is_manifest_media_type(media::kOciConfig));
  EXPECT_FALSE(is_manifest_media_type(""));
}

// ---- rejected documents -------------------------------------------------------------------------

TEST(ManifestRejects, DuplicateKeysAtAnyLevel) {
  std::string top = fixture("oci_manifest.json");
  top.insert(top.find('{') + 1, R"("layers": [],)");
  expect_invalid(top, "duplicate key \"layers\"");
  std::string nested = fixture("oci_manifest.json");
  nested.insert(nested.find("\"size\": 7023"), R"("size": 1, )");
  expect_invalid(nested, "duplicate key \"size\"");
  std::string annotation = fixture("oci_manifest.json");
  annotation.insert(annotation.find("\"com.example.key1\""), R"("com.example.key1": "x", )");
  expect_invalid(annotation, "duplicate key \"com.example.key1\"");
  // The same key in sibling objects is not a duplicate.
  EXPECT_TRUE(parse_manifest(fixture("oci_manifest.json"), media::kOciManifest));
}

TEST(ManifestRejects, MalformedJson) {
  std::string doc = fixture("oci_manifest.json");
  expect_invalid(doc.substr(0, doc.size() / 2), "not valid JSON");
  expect_invalid(doc + "{}", "not valid JSON");
  expect_invalid("", "not valid JSON");
  expect_invalid(R"({"schemaVersion":2,})", "not valid JSON");
  expect_invalid("{/* c */\"schemaVersion\":2}", "not valid JSON");
  expect_invalid("{\"schemaVersion\":2,\"x\":\"\xff\"}", "not valid JSON");
  expect_invalid(std::string(100, '[') + std::string(100, ']'), "not valid JSON");
}

TEST(ManifestRejects, NonObjectRoot) {
  for (std::string_view doc : {"[]", "\"x\"", "2", "null"}) {
    expect_invalid(doc, "JSON object");
  }
}

TEST(ManifestRejects, SchemaVersion) {
  auto with = [](json::value v) {
    return edited("oci_manifest.json", [&](json::object& o) { o["schemaVersion"] = v; });
  };
  expect_invalid(edited("oci_manifest.json", [](json::object& o) { o.erase("schemaVersion"); }),
                 "schemaVersion is required");
  expect_invalid(with(3), "schemaVersion must be 2");
  expect_invalid(with(2.0), "schemaVersion must be 2");
  expect_invalid(with("2"), "schemaVersion must be 2");
}

TEST(ManifestRejects, DockerSchema1ByVersionOrContentType) {
  std::string schema1 = R"({"schemaVersion":1,"name":"a","tag":"t","architecture":"amd64",
                            "fsLayers":[],"history":[]})";
  expect_rejected(schema1, "", ErrorCode::kUnsupported, "schema 1");
  expect_rejected(schema1, media::kOciManifest, ErrorCode::kUnsupported, "schema 1");
  expect_rejected(schema1, media::kDockerSchema1, ErrorCode::kUnsupported, "schema 1");
  expect_rejected(schema1, std::string(media::kDockerSchema1Signed) + "; charset=utf-8",
                  ErrorCode::kUnsupported, "schema 1");
  // Even a schema 2 body is refused when pushed as schema 1.
  expect_rejected(fixture("docker_manifest.json"), media::kDockerSchema1, ErrorCode::kUnsupported,
                  "schema 1");
  std::string declared = edited("docker_manifest.json", [](json::object& o) {
    o["mediaType"] = media::kDockerSchema1;
  });
  expect_rejected(declared, "", ErrorCode::kUnsupported, "schema 1");
}

TEST(ManifestRejects, UnknownMediaTypes) {
  expect_rejected(fixture("oci_manifest.json"), "application/vnd.example.thing+json",
                  ErrorCode::kUnsupported, "unsupported manifest media type");
  expect_rejected(fixture("oci_manifest.json"), media::kOciConfig, ErrorCode::kUnsupported,
                  "unsupported manifest media type");
  std::string doc = edited("oci_manifest.json", [](json::object& o) {
    o["mediaType"] = "application/vnd.example.thing+json";
  });
  expect_rejected(doc, "", ErrorCode::kUnsupported, "application/vnd.example.thing+json");
}

TEST(ManifestRejects, MediaTypeContradictingContentType) {
  expect_invalid(fixture("oci_manifest.json"), "does not match the Content-Type",
                 media::kDockerManifest);
  expect_invalid(fixture("oci_index.json"), "mediaType", media::kOciManifest);
}

TEST(ManifestRejects, ScalarMediaTypeField) {
  std::string doc = edited("oci_manifest.json", [](json::object& o) { o["mediaType"] = 7; });
  expect_invalid(doc, "mediaType must be a string");
}

TEST(ManifestRejects, DocumentsMixingManifestsWithLayersOrConfig) {
  std::string with_manifests = edited("oci_manifest.json", [](json::object& o) {
    o["manifests"] = json::array();
  });
  expect_invalid(with_manifests, "mixes");
  expect_invalid(with_manifests, "mixes", "");
  std::string with_config = edited("oci_index.json", [](json::object& o) {
    o["config"] = json::parse(fixture("oci_manifest.json")).as_object()["config"];
  });
  expect_invalid(with_config, "mixes", media::kOciIndex);
  std::string with_layers = edited("oci_index.json", [](json::object& o) {
    o["layers"] = json::array();
  });
  expect_invalid(with_layers, "mixes", media::kOciIndex);
}

TEST(ManifestRejects, DockerManifestsWithoutMediaType) {
  std::string doc = edited("docker_manifest.json", [](json::object& o) { o.erase("mediaType"); });
  expect_invalid(doc, "mediaType is required", media::kDockerManifest);
  std::string list =
      edited("docker_manifest_list.json", [](json::object& o) { o.erase("mediaType"); });
  expect_invalid(list, "mediaType is required", media::kDockerManifestList);
}

TEST(ManifestRejects, MissingOrMistypedTopLevelFields) {
  auto without = [](const char* name, const char* key) {
    return edited(name, [&](json::object& o) { o.erase(key); });
  };
  auto with = [](const char* name, const char* key, json::value v) {
    return edited(name, [&](json::object& o) { o[key] = v; });
  };
  expect_invalid(without("oci_manifest.json", "config"), "config is required");
  expect_invalid(without("oci_manifest.json", "layers"), "layers is required");
  expect_invalid(without("oci_index.json", "manifests"), "manifests is required", media::kOciIndex);
  expect_invalid(with("oci_manifest.json", "config", json::array()), "config must be an object");
  expect_invalid(with("oci_manifest.json", "layers", json::object()), "layers must be an array");
  expect_invalid(with("oci_manifest.json", "layers", json::array{"x"}),
                 "layers[0] must be an object");
  expect_invalid(with("oci_index.json", "manifests", "x"), "manifests must be an array",
                 media::kOciIndex);
  expect_invalid(with("oci_manifest.json", "subject", "x"), "subject must be an object");
  expect_invalid(with("oci_manifest.json", "artifactType", 1), "artifactType must be a string");
  expect_invalid(with("oci_manifest.json", "artifactType", "sbom"), "artifactType");
  expect_invalid(with("oci_manifest.json", "annotations", json::array()),
                 "annotations must be an object");
  expect_invalid(with("oci_manifest.json", "annotations", json::object{{"k", 1}}),
                 "annotations[\"k\"] must be a string");
}

// Applies `edit` to the second layer descriptor of the OCI manifest fixture.
std::string layer_edited(const std::function<void(json::object&)>& edit) {
  return edited("oci_manifest.json",
                [&](json::object& o) { edit(o["layers"].as_array()[1].as_object()); });
}

TEST(ManifestRejects, DescriptorMediaType) {
  expect_invalid(layer_edited([](json::object& d) { d.erase("mediaType"); }),
                 "layers[1].mediaType is required");
  expect_invalid(layer_edited([](json::object& d) { d["mediaType"] = 1; }),
                 "layers[1].mediaType must be a string");
  for (const char* bad : {"", "tar", "/x", "x/", "a/b/c", "a b/c", "a/b; p=1", ".a/b"}) {
    expect_invalid(layer_edited([&](json::object& d) { d["mediaType"] = bad; }),
                   "layers[1].mediaType");
  }
  std::string doc = edited("oci_manifest.json", [](json::object& o) {
    o["config"].as_object().erase("mediaType");
  });
  expect_invalid(doc, "config.mediaType is required");
}

TEST(ManifestRejects, DescriptorDigest) {
  expect_invalid(layer_edited([](json::object& d) { d.erase("digest"); }),
                 "layers[1].digest is required");
  for (const char* bad : {"", "sha256", "sha256:abc", "sha256:",
                          "sha256:3C3A4604A545CDC127456D94E421CD355BCA5B528F4A9C1905B15DA2EB4A4C6B",
                          "md5:d41d8cd98f00b204e9800998ecf8427e"}) {
    expect_invalid(layer_edited([&](json::object& d) { d["digest"] = bad; }), "layers[1].digest");
  }
  expect_invalid(layer_edited([](json::object& d) { d["digest"] = json::array(); }),
                 "layers[1].digest must be a string");
  std::string sha512 = layer_edited([](json::object& d) {
    d["digest"] = Digest::of("x", DigestAlgorithm::kSha512).str();
  });
  EXPECT_TRUE(parse_manifest(sha512, media::kOciManifest));
}

TEST(ManifestRejects, DescriptorSize) {
  expect_invalid(layer_edited([](json::object& d) { d.erase("size"); }),
                 "layers[1].size is required");
  for (json::value bad : {json::value(-1), json::value(1.0), json::value("12"), json::value(nullptr),
                          json::value(uint64_t{9223372036854775808u}),
                          json::value(uint64_t{18446744073709551615u})}) {
    expect_invalid(layer_edited([&](json::object& d) { d["size"] = bad; }),
                   "layers[1].size must be a non-negative integer");
  }
  // Numbers written as exponents or beyond uint64 are doubles, not integers.
  for (const char* text : {"1e3", "100000000000000000000", "-0.0"}) {
    std::string doc = fixture("oci_manifest.json");
    doc.replace(doc.find("16724"), 5, text);
    expect_invalid(doc, "layers[1].size");
  }
}

TEST(ManifestRejects, DescriptorOptionalFieldsOfTheWrongType) {
  expect_invalid(layer_edited([](json::object& d) { d["urls"] = "https://x"; }),
                 "layers[1].urls must be an array");
  expect_invalid(layer_edited([](json::object& d) { d["urls"] = json::array{"https://x", 1}; }),
                 "layers[1].urls[1] must be a string");
  expect_invalid(layer_edited([](json::object& d) { d["annotations"] = json::object{{"a", true}}; }),
                 "layers[1].annotations[\"a\"] must be a string");
  expect_invalid(layer_edited([](json::object& d) { d["artifactType"] = false; }),
                 "layers[1].artifactType must be a string");
  expect_invalid(layer_edited([](json::object& d) { d["data"] = "not base64!"; }),
                 "layers[1].data must be base64");
  expect_invalid(layer_edited([](json::object& d) { d["platform"] = "linux/amd64"; }),
                 "layers[1].platform must be an object");
}

TEST(ManifestRejects, IndexPlatforms) {
  auto platform_edited = [](const std::function<void(json::object&)>& edit) {
    return edited("oci_index.json", [&](json::object& o) {
      edit(o["manifests"].as_array()[0].as_object()["platform"].as_object());
    });
  };
  expect_invalid(platform_edited([](json::object& p) { p.erase("os"); }),
                 "manifests[0].platform.os is required", media::kOciIndex);
  expect_invalid(platform_edited([](json::object& p) { p["architecture"] = 1; }),
                 "manifests[0].platform.architecture must be a string", media::kOciIndex);
  expect_invalid(platform_edited([](json::object& p) { p["os.features"] = "x"; }),
                 "manifests[0].platform.os.features must be an array", media::kOciIndex);
}

TEST(ManifestRejects, SubjectDescriptor) {
  std::string doc = edited("artifact_empty_config.json", [](json::object& o) {
    o["subject"].as_object()["size"] = -5;
  });
  expect_invalid(doc, "subject.size");
}

}  // namespace
}  // namespace bulwark::oci
