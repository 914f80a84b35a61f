// Label rules of a policy document: an image label (the config's Labels) or a manifest
// annotation that must be present and/or match a pattern.
//
//   labels:
//     - name: org.opencontainers.image.source
//       in: any               # label | annotation | any (default any)
//       required: true        # default true; false: checked only when present
//       pattern: "^https://github.com/acme/.*$"   # optional; regex, full match
//       action: flag          # default flag; any action
//
// Immutable after parsing; thread-safe to share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "policy/pattern.h"

namespace bulwark::policy {

enum class Action;

enum class LabelPlace { kLabel, kAnnotation, kAny };

struct LabelRule {
  std::string name;
  LabelPlace in = LabelPlace::kAny;
  bool required = true;
  std::optional<Regex> pattern;
  Action action{};  // parse_label_rule sets flag by default
};

// Whether the image's labels/annotations satisfy `rule`; the reason starts with `label`
// ("labels[2]"). With `in: any` the rule passes when the label or the annotation satisfies it.
Check check_label(const LabelRule& rule, std::string_view label,
                  const std::map<std::string, std::string>& labels,
                  const std::map<std::string, std::string>& annotations);

}  // namespace bulwark::policy
