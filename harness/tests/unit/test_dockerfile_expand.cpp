#include <catch2/catch.hpp>

#include <map>

#include "dockerfile/expand.h"

using namespace buildbench::dockerfile;

namespace {

Lookup from(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto found = values.find(std::string(name));
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

std::string expanded(std::string_view word, const Lookup& lookup, ExpandOptions options = {}) {
  auto result = expand_word(word, lookup, options);
  INFO(word);
  if (!result) FAIL(result.error().message);
  return *result;
}

}  // namespace

TEST_CASE("variables: $X, ${X} and the -, +, ? modifiers with and without colon", "[dockerfile][expand]") {
  const Lookup env = from({{"GOOS", "linux"}, {"EMPTY", ""}, {"ARCH", "arm64"}});
  CHECK(expanded("$GOOS/$ARCH", env) == "linux/arm64");
  CHECK(expanded("${GOOS}_x", env) == "linux_x");
  CHECK(expanded("$GOOSx", env) == "");  // the name is GOOSx
  CHECK(expanded("${UNSET:-def}", env) == "def");
  CHECK(expanded("${EMPTY:-def}", env) == "def");
  CHECK(expanded("${EMPTY-def}", env) == "");  // set, though empty
  CHECK(expanded("${UNSET-def}", env) == "def");
  CHECK(expanded("${GOOS:+on}", env) == "on");
  CHECK(expanded("${EMPTY:+on}", env) == "");
  CHECK(expanded("${EMPTY+on}", env) == "on");
  CHECK(expanded("${UNSET+on}", env) == "");
  CHECK(expanded("${UNSET:-${GOOS}-$ARCH}", env) == "linux-arm64");  // defaults expand too
  CHECK(expanded("${GOOS:?}", env) == "linux");
  auto unset = expand_word("${UNSET:?must be given}", env);
  REQUIRE_FALSE(unset);
  CHECK(unset.error().message.find("UNSET: must be given") != std::string::npos);
  CHECK_FALSE(expand_word("${EMPTY:?}", env));
  CHECK(expanded("${EMPTY?}", env) == "");
}

TEST_CASE("quotes and escapes", "[dockerfile][expand]") {
  const Lookup env = from({{"A", "x y"}});
  CHECK(expanded("'$A'", env) == "$A");
  CHECK(expanded("\"$A\"", env) == "x y");
  CHECK(expanded("\\$A", env) == "$A");
  CHECK(expanded("\"a\\\"b\\$A\\n\"", env) == "a\"b$A\\n");  // only \" \$ \\ are escapes inside "
  CHECK(expanded("a\\ b", env) == "a b");
  CHECK(expanded("end\\", env) == "end");
  CHECK(expanded("$", env) == "$");
  CHECK(expanded("a$-b", env) == "ab");  // $- is a special parameter, unset here
  CHECK(expanded("cost: 5$", env) == "cost: 5$");

  ExpandOptions backtick;
  backtick.escape = '`';
  CHECK(expanded("C:\\dir`$A", env, backtick) == "C:\\dir$A");

  ExpandOptions raw;
  raw.keep_quotes = true;
  raw.keep_unset = true;
  CHECK(expanded("'q' \"$A\" $NOPE ${NOPE:-d}", env, raw) == "'q' \"x y\" $NOPE ${NOPE:-d}");
}

TEST_CASE("errors: unterminated quotes and braces, unsupported modifiers", "[dockerfile][expand]") {
  const Lookup none = from({});
  CHECK_FALSE(expand_word("'open", none));
  CHECK_FALSE(expand_word("\"open", none));
  CHECK_FALSE(expand_word("${OPEN", none));
  CHECK_FALSE(expand_word("${OPEN:-x", none));
  CHECK_FALSE(expand_word("${}", none));
  auto replace = expand_word("${X/a/b}", none);
  REQUIRE_FALSE(replace);
  CHECK(replace.error().message.find("unsupported modifier (/)") != std::string::npos);
  CHECK_FALSE(expand_word("${X:#a}", none));
}

TEST_CASE("expand_words splits on unquoted whitespace, also inside expansions", "[dockerfile][expand]") {
  const Lookup env = from({{"FLAGS", "-a  -b"}});
  auto words = expand_words("go build $FLAGS \"$FLAGS\" '' x", env);
  REQUIRE(words);
  CHECK(*words == std::vector<std::string>{"go", "build", "-a", "-b", "-a  -b", "", "x"});
}

TEST_CASE("referenced_variables lists names in order, defaults included", "[dockerfile][expand]") {
  CHECK(referenced_variables("$A ${B:-$C} '$D' \"$E\" $A \\$F") == std::vector<std::string>{"A", "B", "C", "E"});
  CHECK(referenced_variables("plain").empty());
  CHECK(referenced_variables("`$X", '`').empty());
}

TEST_CASE("prefix and suffix removal: ${X#p}, ${X##p}, ${X%p}, ${X%%p}", "[dockerfile][expand]") {
  const Lookup env = from({{"PLATFORM", "linux/arm64/v8"}, {"FILE", "app.tar.gz"}});
  CHECK(expanded("${PLATFORM#*/}", env) == "arm64/v8");
  CHECK(expanded("${PLATFORM##*/}", env) == "v8");
  CHECK(expanded("${PLATFORM%/*}", env) == "linux/arm64");
  CHECK(expanded("${PLATFORM%%/*}", env) == "linux");
  CHECK(expanded("${FILE%.tar.gz}", env) == "app");
  CHECK(expanded("${FILE#[a-c]?p}", env) == ".tar.gz");
  CHECK(expanded("${FILE#[!a]*}", env) == "app.tar.gz");  // no match: unchanged
  CHECK(expanded("${FILE%\\.gz}", env) == "app.tar");
  CHECK(expanded("${UNSET#x}", env) == "");
  CHECK(referenced_variables("${A%%$B}") == std::vector<std::string>{"A", "B"});
}
