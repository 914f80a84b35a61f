#include "trust/cbor.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace bulwark::trust::cbor {
namespace {

// Decoding state over one input; every read is bounds-checked against `end`.
class Decoder {
 public:
  Decoder(std::string_view in, const DecodeLimits& limits) : in_(in), limits_(limits) {}

  Result<Value> item(size_t depth) {
    if (depth > limits_.max_depth)
      return error("nesting deeper than " + std::to_string(limits_.max_depth));
    const size_t start = pos_;
    if (pos_ >= in_.size()) return error("truncated: item expected");
    const auto initial = static_cast<uint8_t>(in_[pos_++]);
    const auto major = static_cast<Major>(initial >> 5);
    const uint8_t info = initial & 0x1f;
    if (info >= 28) {
      pos_ = start;
      return error(info == 31 ? "indefinite length is not allowed"
                              : "reserved additional information");
    }
    uint64_t arg = info;
    if (info >= 24) {
      const size_t n = size_t{1} << (info - 24);
      if (in_.size() - pos_ < n) return error("truncated: head argument");
      arg = 0;
      for (size_t i = 0; i < n; ++i) arg = (arg << 8) | static_cast<uint8_t>(in_[pos_++]);
    }
    Value v;
    v.major = major;
    switch (major) {
      case Major::kUnsigned:
      case Major::kNegative:
        v.number = arg;
        return v;
      case Major::kBytes:
      case Major::kText: {
        if (arg > in_.size() - pos_) return error("declared string length exceeds the input");
        v.bytes.assign(in_.substr(pos_, static_cast<size_t>(arg)));
        pos_ += static_cast<size_t>(arg);
        if (major == Major::kText && !valid_utf8(v.bytes)) return error("text string is not UTF-8");
        return v;
      }
      case Major::kArray:
      case Major::kMap: {
        const uint64_t per = major == Major::kMap ? 2 : 1;
        // Each item takes at least one byte: a count beyond the remaining input is malformed.
        if (arg > (in_.size() - pos_) / per) return error("declared item count exceeds the input");
        if (arg > limits_.max_items - items_) return error("too many items");
        items_ += static_cast<size_t>(arg);
        for (uint64_t i = 0; i < arg; ++i) {
          BULWARK_ASSIGN_OR_RETURN(Value first, item(depth + 1));
          if (major == Major::kArray) {
            v.items.push_back(std::move(first));
            continue;
          }
          if (first.major != Major::kUnsigned && first.major != Major::kNegative &&
              first.major != Major::kText && first.major != Major::kBytes) {
            return error("map key must be an integer or a string");
          }
          for (const auto& [k, unused] : v.entries) {
            if (k.major == first.major && k.number == first.number && k.bytes == first.bytes) {
              return error("duplicate map key");
            }
          }
          BULWARK_ASSIGN_OR_RETURN(Value second, item(depth + 1));
          v.entries.push_back(MapEntry{std::move(first), std::move(second)});
        }
        return v;
      }
      case Major::kTag: {
        v.number = arg;
        BULWARK_ASSIGN_OR_RETURN(Value content, item(depth + 1));
        v.items.push_back(std::move(content));
        return v;
      }
      case Major::kSimple:
        return simple(v, info, arg);
    }
    return error("unreachable");
  }

  Result<Value> simple(Value& v, uint8_t info, uint64_t arg) {
    v.number = arg;
    if (info < 24) return v;
    if (info == 24) {
      if (arg < 32) return error("simple value in two bytes below 32");
      return v;
    }
    v.number = info;  // 25, 26, 27: half, single, double float
    if (info == 25) {
      const int exp = static_cast<int>((arg >> 10) & 0x1f);
      const int mant = static_cast<int>(arg & 0x3ff);
      double val = exp == 0    ? std::ldexp(mant, -24)
                   : exp != 31 ? std::ldexp(mant + 1024, exp - 25)
                               : (mant == 0 ? std::numeric_limits<double>::infinity()
                                            : std::numeric_limits<double>::quiet_NaN());
      v.float_value = (arg & 0x8000) ? -val : val;
    } else if (info == 26) {
      float f;
      const auto bits = static_cast<uint32_t>(arg);
      std::memcpy(&f, &bits, sizeof f);
      v.float_value = f;
    } else {
      std::memcpy(&v.float_value, &arg, sizeof arg);
    }
    return v;
  }

  size_t pos() const { return pos_; }

  tl::unexpected<Error> error(const std::string& what) const {
    return fail(ErrorCode::kInvalidArgument,
                "CBOR: " + what + " at offset " + std::to_string(pos_));
  }

 private:
  static bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<uint8_t>(s[i]);
      size_t n = 0;
      uint32_t cp = 0;
      if (c < 0x80) {
        ++i;
        continue;
      }
      if ((c & 0xe0) == 0xc0) {
        n = 1;
        cp = c & 0x1f;
      } else if ((c & 0xf0) == 0xe0) {
        n = 2;
        cp = c & 0x0f;
      } else if ((c & 0xf8) == 0xf0) {
        n = 3;
        cp = c & 0x07;
      } else
        return false;
      if (s.size() - i <= n) return false;
      for (size_t k = 1; k <= n; ++k) {
        const auto cc = static_cast<uint8_t>(s[i + k]);
        if ((cc & 0xc0) != 0x80) return false;
        cp = (cp << 6) | (cc & 0x3f);
      }
      static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
      if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
      i += n + 1;
    }
    return true;
  }

  std::string_view in_;
  const DecodeLimits& limits_;
  size_t pos_ = 0;
  size_t items_ = 0;
};

bool same_key(const Value& k, int64_t key) {
  const auto v = k.as_int();
  return v && *v == key;
}

}  // namespace

std::optional<int64_t> Value::as_int() const {
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (major == Major::kUnsigned && number <= kMax) return static_cast<int64_t>(number);
  if (major == Major::kNegative && number <= kMax) return -1 - static_cast<int64_t>(number);
  return std::nullopt;
}

const Value* Value::find(int64_t key) const {
  for (const auto& [k, v] : entries) {
    if (same_key(k, key)) return &v;
  }
  return nullptr;
}

const Value* Value::find(std::string_view text_key) const {
  for (const auto& [k, v] : entries) {
    if (k.major == Major::kText && k.bytes == text_key) return &v;
  }
  return nullptr;
}

Value Value::integer(int64_t v) {
  Value out;
  if (v >= 0) {
    out.major = Major::kUnsigned;
    out.number = static_cast<uint64_t>(v);
  } else {
    out.major = Major::kNegative;
    out.number = static_cast<uint64_t>(-(v + 1));
  }
  return out;
}
Value Value::byte_string(std::string_view b) {
  Value out;
  out.major = Major::kBytes;
  out.bytes.assign(b);
  return out;
}
Value Value::text(std::string_view t) {
  Value out = byte_string(t);
  out.major = Major::kText;
  return out;
}
Value Value::array(std::vector<Value> items) {
  Value out;
  out.major = Major::kArray;
  out.items = std::move(items);
  return out;
}
Value Value::map(std::vector<MapEntry> entries) {
  Value out;
  out.major = Major::kMap;
  out.entries = std::move(entries);
  return out;
}
Value Value::tag(uint64_t tag, Value content) {
  Value out;
  out.major = Major::kTag;
  out.number = tag;
  out.items.push_back(std::move(content));
  return out;
}
Value Value::simple(uint64_t v) {
  Value out;
  out.major = Major::kSimple;
  out.number = v;
  return out;
}

Result<Value> decode(std::string_view bytes, const DecodeLimits& limits) {
  if (bytes.size() > limits.max_input) {
    return fail(ErrorCode::kTooLarge,
                "CBOR: input larger than " + std::to_string(limits.max_input) + " bytes");
  }
  Decoder d(bytes, limits);
  BULWARK_ASSIGN_OR_RETURN(Value v, d.item(0));
  if (d.pos() != bytes.size()) return d.error("trailing bytes after the item");
  return v;
}

std::string encode_head(Major major, uint64_t argument) {
  const auto mt = static_cast<char>(static_cast<uint8_t>(major) << 5);
  std::string out;
  if (argument < 24) {
    out.push_back(static_cast<char>(mt | static_cast<char>(argument)));
    return out;
  }
  int n = argument <= 0xff ? 1 : argument <= 0xffff ? 2 : argument <= 0xffffffffULL ? 4 : 8;
  const char info = n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27;
  out.push_back(static_cast<char>(mt | info));
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>((argument >> (8 * i)) & 0xff));
  return out;
}

std::string encode_bytes(std::string_view bytes) {
  return encode_head(Major::kBytes, bytes.size()) + std::string(bytes);
}

std::string encode_text(std::string_view text) {
  return encode_head(Major::kText, text.size()) + std::string(text);
}

std::string encode(const Value& value) {
  switch (value.major) {
    case Major::kUnsigned:
    case Major::kNegative:
      return encode_head(value.major, value.number);
    case Major::kBytes:
    case Major::kText:
      return encode_head(value.major, value.bytes.size()) + value.bytes;
    case Major::kArray: {
      std::string out = encode_head(Major::kArray, value.items.size());
      for (const Value& v : value.items) out += encode(v);
      return out;
    }
    case Major::kMap: {
      std::string out = encode_head(Major::kMap, value.entries.size());
      for (const auto& [k, v] : value.entries) out += encode(k) + encode(v);
      return out;
    }
    case Major::kTag:
      return encode_head(Major::kTag, value.number) +
             (value.items.empty() ? encode(Value::simple(22)) : encode(value.items.front()));
    case Major::kSimple:
      if (value.number >= 25 && value.number <= 27) return encode_head(Major::kSimple, 22);
      return encode_head(Major::kSimple, value.number);
  }
  return {};
}

std::string sig_structure1(std::string_view protected_header, std::string_view payload,
                           std::string_view external_aad) {
  return encode_head(Major::kArray, 4) + encode_text("Signature1") +
         encode_bytes(protected_header) + encode_bytes(external_aad) + encode_bytes(payload);
}

}  // namespace bulwark::trust::cbor
