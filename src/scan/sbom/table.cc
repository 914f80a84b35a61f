#include "scan/sbom/table.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "scan/sbom/common.h"

namespace bulwark::scan {
namespace {

constexpr size_t kColumns = 5;
constexpr std::array<std::string_view, kColumns> kHeader = {"TYPE", "NAME", "VERSION", "LAYER",
                                                            "EVIDENCE"};
constexpr size_t kShortDigest = 12;

using Row = std::array<std::string, kColumns>;

// Display width: code points (the text is valid UTF-8 by then).
size_t width(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string or_dash(std::string s) { return s.empty() ? "-" : s; }

std::string short_digest(std::string_view digest) {
  if (auto colon = digest.find(':'); colon != std::string_view::npos)
    digest.remove_prefix(colon + 1);
  return std::string(digest.substr(0, kShortDigest));
}

std::string os_text(const Inventory& inventory) {
  if (!inventory.os) return "unknown";
  const OsRelease& os = *inventory.os;
  if (!os.pretty_name.empty()) return os.pretty_name;
  std::string out = os.family;
  if (!os.version.empty()) out += (out.empty() ? "" : " ") + os.version;
  return out.empty() ? "unknown" : out;
}

void append_row(std::string& out, const Row& row, const std::array<size_t, kColumns>& widths) {
  for (size_t c = 0; c < kColumns; ++c) {
    out += row[c];
    if (c + 1 < kColumns) out.append(widths[c] - width(row[c]) + 2, ' ');
  }
  out += '\n';
}

}  // namespace

std::string to_table(const Inventory& inventory) {
  std::string out;
  const std::pair<std::string_view, std::string> header[] = {
      {"Image:    ", image_name(inventory)},
      {"Digest:   ", or_dash(inventory.manifest_digest)},
      {"Platform: ", or_dash(inventory.platform)},
      {"OS:       ", os_text(inventory)},
  };
  for (const auto& [label, value] : header) out += std::string(label) + printable(value) + "\n";
  out += '\n';

  std::vector<Row> rows;
  rows.reserve(inventory.packages.size());
  for (const auto& package : inventory.packages) {
    rows.push_back(Row{printable(or_dash(package.type)), printable(or_dash(display_name(package))),
                       printable(or_dash(display_version(package))),
                       printable(or_dash(short_digest(layer_digest(package, inventory)))),
                       printable(or_dash(package.evidence))});
  }
  if (rows.empty()) {
    out += "No packages found.\n";
  } else {
    std::array<size_t, kColumns> widths{};
    for (size_t c = 0; c < kColumns; ++c) widths[c] = kHeader[c].size();
    for (const auto& row : rows) {
      for (size_t c = 0; c < kColumns; ++c) widths[c] = std::max(widths[c], width(row[c]));
    }
    append_row(out,
               Row{std::string(kHeader[0]), std::string(kHeader[1]), std::string(kHeader[2]),
                   std::string(kHeader[3]), std::string(kHeader[4])},
               widths);
    for (const auto& row : rows) append_row(out, row, widths);
    out += "\n" + std::to_string(rows.size()) + (rows.size() == 1 ? " package\n" : " packages\n");
  }

  if (!inventory.warnings.empty()) {
    out += "\nWarnings:\n";
    for (const auto& warning : inventory.warnings) out += "  " + printable(warning) + "\n";
  }
  return out;
}

}  // namespace bulwark::scan
