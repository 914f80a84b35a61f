#include "trust/cosign_layout.h"

#include <array>
#include <boost/json/serialize.hpp>
#include <map>

#include "common/encoding.h"
#include "common/strict_json.h"
#include "oci/media_types.h"
#include "trust/dsse.h"
#include "trust/simple_signing.h"

namespace bulwark::trust::cosign {
namespace {

namespace json = boost::json;

struct TagSuffix {
  TagKind kind;
  std::string_view suffix;
};
constexpr std::array<TagSuffix, 4> kTagSuffixes = {{
    {TagKind::kSignature, ".sig"},
    {TagKind::kAttestation, ".att"},
    {TagKind::kSbom, ".sbom"},
    {TagKind::kReferrersFallback, ""},
}};

// go-containerregistry's zero time.Time, used for every created field of cosign's configs.
constexpr std::string_view kZeroTime = "0001-01-01T00:00:00Z";

tl::unexpected<Error> bad(std::string msg) {
  return fail(ErrorCode::kInvalidArgument, "cosign signature manifest: " + std::move(msg));
}

// A JSON writer producing Go encoding/json's bytes: fields in the order written, strings quoted
// as Go quotes them.
class GoJson {
 public:
  GoJson& open(char c) {
    comma();
    out_ += c;
    first_ = true;
    return *this;
  }
  GoJson& close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  GoJson& key(std::string_view k) {
    comma();
    out_ += go_json_quote(k);
    out_ += ':';
    first_ = true;  // the value follows without a comma
    return *this;
  }
  GoJson& str(std::string_view s) {
    comma();
    out_ += go_json_quote(s);
    return *this;
  }
  GoJson& num(int64_t n) {
    comma();
    out_ += std::to_string(n);
    return *this;
  }
  GoJson& raw(std::string_view text) {
    comma();
    out_ += text;
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  void comma() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

void descriptor(GoJson& w, std::string_view media_type, uint64_t size, const Digest& digest,
                const std::map<std::string, std::string>& annotations = {},
                std::string_view artifact_type = {}) {
  w.open('{').key("mediaType").str(media_type).key("size").num(static_cast<int64_t>(size));
  w.key("digest").str(digest.str());
  if (!annotations.empty()) {
    w.key("annotations").open('{');
    for (const auto& [k, v] : annotations) w.key(k).str(v);
    w.close('}');
  }
  if (!artifact_type.empty()) w.key("artifactType").str(artifact_type);
  w.close('}');
}

Result<std::string> string_member(const json::object& obj, std::string_view key,
                                  std::string_view where) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return bad(std::string(where) + ": \"" + std::string(key) + "\" must be a string");
  }
  return std::string(v->get_string());
}

Result<int64_t> int_member(const json::object& obj, std::string_view key, std::string_view where) {
  const json::value* v = obj.if_contains(key);
  if (v != nullptr && v->is_int64() && v->get_int64() >= 0) return v->get_int64();
  if (v != nullptr && v->is_uint64() && v->get_uint64() <= INT64_MAX) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return bad(std::string(where) + ": \"" + std::string(key) + "\" must be a non-negative integer");
}

Result<std::string> parse_timestamp_annotation(std::string_view text) {
  auto doc = parse_strict_json(text);
  if (!doc || !doc->is_object()) return bad("rfc3161timestamp annotation is not a JSON object");
  BULWARK_ASSIGN_OR_RETURN(
      std::string b64,
      string_member(doc->get_object(), "SignedRFC3161Timestamp", "rfc3161timestamp annotation"));
  auto der = decode_base64_any_padding(b64);
  if (!der || der->empty()) return bad("rfc3161timestamp annotation: bad base64");
  return *der;
}

}  // namespace

std::string tag_for(const Digest& image, TagKind kind) {
  std::string tag = std::string(algorithm_name(image.algorithm())) + "-" + image.hex();
  for (const TagSuffix& s : kTagSuffixes) {
    if (s.kind == kind) tag += s.suffix;
  }
  return tag;
}

std::optional<std::pair<Digest, TagKind>> parse_tag(std::string_view tag) {
  const size_t dash = tag.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  for (const TagSuffix& s : kTagSuffixes) {
    if (s.suffix.empty() || (tag.size() > s.suffix.size() && tag.ends_with(s.suffix))) {
      std::string_view body = tag.substr(0, tag.size() - s.suffix.size());
      const size_t d = body.find('-');
      std::string text = std::string(body.substr(0, d)) + ":" + std::string(body.substr(d + 1));
      auto digest = Digest::parse(text);
      if (digest) return std::make_pair(*digest, s.kind);
    }
  }
  return std::nullopt;
}

Result<RekorBundle> parse_rekor_bundle(std::string_view text) {
  auto doc = parse_strict_json(text);
  if (!doc || !doc->is_object()) return bad("bundle annotation is not a JSON object");
  const json::object& root = doc->get_object();
  RekorBundle out;
  BULWARK_ASSIGN_OR_RETURN(std::string set,
                           string_member(root, "SignedEntryTimestamp", "bundle annotation"));
  auto set_raw = decode_base64_any_padding(set);
  if (!set_raw || set_raw->empty()) return bad("bundle annotation: bad SignedEntryTimestamp");
  out.signed_entry_timestamp = std::move(*set_raw);
  const json::value* payload = root.if_contains("Payload");
  if (payload == nullptr || !payload->is_object()) {
    return bad("bundle annotation: \"Payload\" must be an object");
  }
  const json::object& p = payload->get_object();
  BULWARK_ASSIGN_OR_RETURN(std::string body, string_member(p, "body", "bundle annotation"));
  auto body_raw = decode_base64_any_padding(body);
  if (!body_raw || body_raw->empty()) return bad("bundle annotation: bad body");
  out.body = std::move(*body_raw);
  BULWARK_ASSIGN_OR_RETURN(out.integrated_time,
                           int_member(p, "integratedTime", "bundle annotation"));
  BULWARK_ASSIGN_OR_RETURN(out.log_index, int_member(p, "logIndex", "bundle annotation"));
  BULWARK_ASSIGN_OR_RETURN(out.log_id_hex, string_member(p, "logID", "bundle annotation"));
  return out;
}

std::string make_rekor_bundle(const RekorBundle& b) {
  GoJson w;
  w.open('{').key("SignedEntryTimestamp").str(base64_encode(b.signed_entry_timestamp));
  w.key("Payload").open('{').key("body").str(base64_encode(b.body));
  w.key("integratedTime").num(b.integrated_time).key("logIndex").num(b.log_index);
  w.key("logID").str(b.log_id_hex).close('}').close('}');
  return w.take();
}

Result<std::vector<CosignLayer>> parse_cosign_manifest(std::string_view manifest_json) {
  auto doc = parse_strict_json(manifest_json);
  if (!doc) return bad(doc.error().message);
  if (!doc->is_object()) return bad("not a JSON object");
  const json::value* layers = doc->get_object().if_contains("layers");
  if (layers == nullptr || !layers->is_array()) return bad("\"layers\" must be an array");
  std::vector<CosignLayer> out;
  size_t index = 0;
  for (const json::value& l : layers->get_array()) {
    const std::string where = "layer " + std::to_string(index++);
    if (!l.is_object()) return bad(where + " is not an object");
    const json::object& lo = l.get_object();
    CosignLayer layer;
    BULWARK_ASSIGN_OR_RETURN(layer.media_type, string_member(lo, "mediaType", where));
    BULWARK_ASSIGN_OR_RETURN(std::string digest, string_member(lo, "digest", where));
    auto parsed = Digest::parse(digest);
    if (!parsed) return bad(where + ": " + parsed.error().message);
    layer.digest = *parsed;
    BULWARK_ASSIGN_OR_RETURN(int64_t size, int_member(lo, "size", where));
    layer.size = static_cast<uint64_t>(size);
    if (const json::value* ann = lo.if_contains("annotations")) {
      if (!ann->is_object()) return bad(where + ": \"annotations\" must be an object");
      for (const auto& kv : ann->get_object()) {
        if (!kv.value().is_string()) {
          return bad(where + ": annotation " + quote_untrusted(kv.key()) + " is not a string");
        }
      }
      const json::object& a = ann->get_object();
      auto get = [&](std::string_view key) -> std::string {
        const json::value* v = a.if_contains(key);
        return v ? std::string(v->get_string()) : std::string();
      };
      layer.signature_b64 = get(kSignatureAnnotation);
      layer.certificate_pem = get(kCertificateAnnotation);
      layer.chain_pem = get(kChainAnnotation);
      layer.predicate_type = get(kPredicateTypeAnnotation);
      if (a.contains(kBundleAnnotation)) {
        auto rb = parse_rekor_bundle(get(kBundleAnnotation));
        if (!rb) return bad(where + ": " + rb.error().message);
        layer.rekor_bundle = std::move(*rb);
        layer.rekor_bundle_json = get(kBundleAnnotation);
      }
      if (a.contains(kRfc3161Annotation)) {
        auto ts = parse_timestamp_annotation(get(kRfc3161Annotation));
        if (!ts) return bad(where + ": " + ts.error().message);
        layer.rfc3161_timestamp = std::move(*ts);
      }
    }
    out.push_back(std::move(layer));
  }
  return out;
}

BuiltManifest make_cosign_manifest(std::span<const CosignLayer> layers) {
  BuiltManifest built;
  GoJson config;
  config.open('{').key("architecture").str("").key("created").str(kZeroTime);
  config.key("history").open('[');
  for (size_t i = 0; i < layers.size(); ++i)
    config.open('{').key("created").str(kZeroTime).close('}');
  config.close(']').key("os").str("").key("rootfs").open('{').key("type").str("layers");
  config.key("diff_ids").open('[');
  for (const CosignLayer& l : layers) config.str(l.digest.str());
  config.close(']').close('}').key("config").open('{').close('}').close('}');
  built.config = config.take();
  built.config_digest = Digest::of(built.config);
  built.config_media_type = std::string(oci::media::kOciConfig);

  GoJson w;
  w.open('{').key("schemaVersion").num(2).key("mediaType").str(oci::media::kOciManifest);
  w.key("config");
  descriptor(w, built.config_media_type, built.config.size(), built.config_digest);
  w.key("layers").open('[');
  for (const CosignLayer& l : layers) {
    std::map<std::string, std::string> ann;  // sorted, as Go marshals maps
    ann.emplace(kSignatureAnnotation, l.signature_b64);
    if (!l.certificate_pem.empty()) ann.emplace(kCertificateAnnotation, l.certificate_pem);
    if (!l.chain_pem.empty()) ann.emplace(kChainAnnotation, l.chain_pem);
    if (l.rekor_bundle) ann.emplace(kBundleAnnotation, make_rekor_bundle(*l.rekor_bundle));
    if (!l.rfc3161_timestamp.empty()) {
      GoJson ts;
      ts.open('{').key("SignedRFC3161Timestamp").str(base64_encode(l.rfc3161_timestamp)).close('}');
      ann.emplace(kRfc3161Annotation, ts.take());
    }
    if (!l.predicate_type.empty()) ann.emplace(kPredicateTypeAnnotation, l.predicate_type);
    descriptor(w, l.media_type, l.size, l.digest, ann);
  }
  w.close(']').close('}');
  built.manifest = w.take();
  built.digest = Digest::of(built.manifest);
  return built;
}

BuiltManifest make_bundle_referrer_manifest(std::string_view bundle_json, bool dsse,
                                            std::string_view predicate_type,
                                            std::string_view created,
                                            const SubjectDescriptor& subject) {
  BuiltManifest built;
  built.config = "{}";
  built.config_digest = Digest::of(built.config);
  built.config_media_type = std::string(oci::media::kOciEmpty);
  GoJson w;
  w.open('{').key("schemaVersion").num(2).key("mediaType").str(oci::media::kOciManifest);
  w.key("config");
  descriptor(w, built.config_media_type, built.config.size(), built.config_digest, {},
             kBundleArtifactType);
  w.key("layers").open('[');
  descriptor(w, kBundleArtifactType, bundle_json.size(), Digest::of(bundle_json));
  w.close(']');
  std::map<std::string, std::string> ann;
  ann.emplace(kBundleContentAnnotation, dsse ? "dsse-envelope" : "message-signature");
  if (!predicate_type.empty()) ann.emplace(kBundlePredicateTypeAnnotation, predicate_type);
  if (!created.empty()) ann.emplace(kCreatedAnnotation, created);
  w.key("annotations").open('{');
  for (const auto& [k, v] : ann) w.key(k).str(v);
  w.close('}');
  w.key("subject");
  descriptor(w, subject.media_type, subject.size, subject.digest);
  w.key("artifactType").str(kBundleArtifactType).close('}');
  built.manifest = w.take();
  built.digest = Digest::of(built.manifest);
  return built;
}

}  // namespace bulwark::trust::cosign
