// Text encodings Bulwark's formats are built on: base64 and base64url (JWS, RFC 7515
// §2; Sigstore bundles; generated secrets) and RFC 4648 base32 (TOTP secrets, libtrust key ids).
//
// Decoders are strict about what they accept (see each function), so one byte string has one
// accepted spelling where the format allows it. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bulwark {

// base64url (RFC 4648 §5) without '=' padding.
std::string base64url_encode(std::span<const unsigned char> bytes);
std::string base64url_encode(std::string_view bytes);
// Decodes unpadded base64url. Refuses padding, whitespace, characters outside the alphabet, an
// impossible length and non-zero unused trailing bits (a non-canonical spelling).
std::optional<std::string> base64url_decode(std::string_view text);
// Standard base64 (RFC 4648 §4) with '=' padding.
std::string base64_encode(std::string_view bytes);
// Decodes standard base64 (RFC 4648 §4, '+' '/' and '=' padding, as in HTTP Basic credentials).
// Refuses missing padding, whitespace and characters outside the alphabet.
std::optional<std::string> base64_decode(std::string_view text);

// RFC 4648 base32 (A-Z, 2-7), upper case, without '=' padding.
std::string base32_encode(std::span<const unsigned char> bytes);
std::string base32_encode(std::string_view bytes);
// Decodes base32 as people and authenticator apps write it: upper or lower case, with or without
// trailing '=' padding. Refuses other characters, padding in the middle and impossible lengths.
std::optional<std::string> base32_decode(std::string_view text);

}  // namespace bulwark
