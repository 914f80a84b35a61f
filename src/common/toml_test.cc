// Tests for the minimal TOML reader used by the lock-file analyzers (lang_toml.cc).
#include "common/toml.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

using Kind = TomlValue::Kind;

TEST(LangToml, ParsesTablesArraysOfTablesAndStrings) {
  auto doc = parse_toml(R"(# comment
title = "basic \"quoted\" \u00e9"
literal = 'C:\path'
multi = """
line one
line two \
   continued"""
multi_literal = '''raw \n'''
number = 42
date = 1979-05-27T07:32:00Z
a.b.c = "dotted"
"quoted key" = true

[[package]]
name = "first"
files = [
  {file = "a.whl", hash = "sha256:1"},  # trailing comma and comment
  {file = "b.tar.gz", hash = "sha256:2"},
]

[package.dependencies]
dep = {version = "*", markers = "x == \"y\""}

[[package]]
name = "second"
nested = [[1, 2], ["x"]]
empty = {}

[metadata.files]
first = []
)");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ(doc->string("title"), "basic \"quoted\" \xC3\xA9");
  EXPECT_EQ(doc->string("literal"), "C:\\path");
  EXPECT_EQ(doc->string("multi"), "line one\nline two continued");
  EXPECT_EQ(doc->string("multi_literal"), "raw \\n");
  ASSERT_NE(doc->find("number"), nullptr);
  EXPECT_EQ(doc->find("number")->kind, Kind::kScalar);
  EXPECT_EQ(doc->find("number")->text, "42");
  EXPECT_EQ(doc->find("date")->text, "1979-05-27T07:32:00Z");
  ASSERT_NE(doc->find("a"), nullptr);
  EXPECT_EQ(doc->find("a")->find("b")->string("c"), "dotted");
  EXPECT_EQ(doc->find("quoted key")->text, "true");
  const TomlValue* packages = doc->find("package");
  ASSERT_NE(packages, nullptr);
  ASSERT_EQ(packages->kind, Kind::kArray);
  ASSERT_EQ(packages->items.size(), 2u);
  EXPECT_EQ(packages->items[0].string("name"), "first");
  ASSERT_EQ(packages->items[0].find("files")->items.size(), 2u);
  EXPECT_EQ(packages->items[0].find("files")->items[1].string("file"), "b.tar.gz");
  EXPECT_EQ(packages->items[0].find("dependencies")->find("dep")->string("markers"), "x == \"y\"");
  EXPECT_EQ(packages->items[1].string("name"), "second");
  EXPECT_EQ(packages->items[1].find("nested")->items[1].items[0].text, "x");
  EXPECT_EQ(doc->find("metadata")->find("files")->find("first")->kind, Kind::kArray);
}

TEST(LangToml, RejectsMalformedDocuments) {
  const char* bad[] = {
      "a = ",
      "a = \"unterminated",
      "a = 'x' b = 'y'",
      "[table",
      "[[array]\n",
      "a = 1\na = 2",
      "a = 1\n[a]\n",
      "a = [1, 2",
      "a = {b = 1",
      "a = \"\\q\"",
      "a = \"\\uD800\"",
      "= 1",
      "a = \"\"\"never closed",
      "x = [\"a\" \"b\"]",
      "a = $",
  };
  for (const char* text : bad) EXPECT_FALSE(parse_toml(text).has_value()) << text;
}

TEST(LangToml, BoundsNesting) {
  EXPECT_TRUE(parse_toml("a = " + std::string(30, '[') + std::string(30, ']')).has_value());
  auto deep = parse_toml("a = " + std::string(100000, '[') + std::string(100000, ']'));
  ASSERT_FALSE(deep.has_value());
  EXPECT_NE(deep.error().message.find("deep"), std::string::npos);
  EXPECT_FALSE(parse_toml("a = " + std::string(100000, '{')).has_value());
}

}  // namespace
}  // namespace bulwark
