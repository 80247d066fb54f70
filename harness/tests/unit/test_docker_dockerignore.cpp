// The .dockerignore reader and matcher against the behaviour of Docker 20.10
// (cases from Docker's documentation and from moby pkg/fileutils' tests).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "docker/dockerignore.h"
#include "support/test_support.h"

using buildbench::docker::clean_path;
using buildbench::docker::IgnoreMatcher;

namespace {

IgnoreMatcher matcher_of(const std::vector<std::string>& patterns) {
  auto matcher = IgnoreMatcher::from_patterns(patterns);
  INFO((matcher ? std::string() : matcher.error().message));
  REQUIRE(matcher.ok());
  return *matcher;
}

IgnoreMatcher parsed(const std::string& text) {
  auto matcher = IgnoreMatcher::parse(text);
  INFO((matcher ? std::string() : matcher.error().message));
  REQUIRE(matcher.ok());
  return *matcher;
}

struct Case {
  const char* pattern;
  const char* path;
  bool excluded;
};

}  // namespace

TEST_CASE("clean_path follows Go's filepath.Clean", "[dockerignore]") {
  CHECK(clean_path("") == ".");
  CHECK(clean_path(".") == ".");
  CHECK(clean_path("./") == ".");
  CHECK(clean_path("a//b/./c/..") == "a/b");
  CHECK(clean_path("a/b/") == "a/b");
  CHECK(clean_path("/../x") == "/x");
  CHECK(clean_path("../../x") == "../../x");
  CHECK(clean_path("a/../../x") == "../x");
  CHECK(clean_path("/") == "/");
  CHECK(clean_path("//a") == "/a");
  CHECK(clean_path("!foo/../bar") == "bar");
}

TEST_CASE("single patterns match as moby's PatternMatcher does", "[dockerignore]") {
  // pattern, path, excluded — moby pkg/fileutils TestMatches and TestMatch.
  const std::vector<Case> cases = {
      {"**", "file", true},
      {"**/", "file", true},
      {"**", "dir/file", true},
      {"**/", "dir/file", true},
      {"**/**", "dir/file", true},
      {"dir/**", "dir/file", true},
      {"dir/**", "dir/dir2/file", true},
      {"**/dir2/*", "dir/dir2/file", true},
      {"**/dir2/**", "dir/dir2/dir3/file", true},
      {"**file", "file", true},
      {"**file", "dir/file", true},
      {"**/file", "dir/file", true},
      {"**file", "dir/dir/file", true},
      {"**/file", "dir/dir/file", true},
      {"**/file*", "dir/dir/file", true},
      {"**/file*", "dir/dir/file.txt", true},
      {"**/file*txt", "dir/dir/file.txt", true},
      {"**/file*.txt", "dir/dir/file.txt", true},
      {"**/file*.txt*", "dir/dir/file.txt", true},
      {"**/**/*.txt", "dir/dir/file.txt", true},
      {"**/**/*.txt2", "dir/dir/file.txt", false},
      {"**/*.txt", "file.txt", true},
      {"**/**/*.txt", "file.txt", true},
      {"a**/*.txt", "a/file.txt", true},
      {"a**/*.txt", "a/dir/file.txt", true},
      {"a**/*.txt", "a/dir/dir/file.txt", true},
      {"a/*.txt", "a/dir/file.txt", false},
      {"a/*.txt", "a/file.txt", true},
      {"a/*.txt**", "a/file.txt", true},
      {"a[b-d]e", "ae", false},
      {"a[b-d]e", "ace", true},
      {"a[b-d]e", "aae", false},
      {"a[^b-d]e", "aze", true},
      {".*", ".foo", true},
      {".*", "foo", false},
      {"abc.def", "abcdef", false},
      {"abc.def", "abc.def", true},
      {"abc.def", "abcZdef", false},
      {"abc?def", "abcZdef", true},
      {"abc?def", "abcdef", false},
      {"a\\\\", "a\\", true},
      {"**/foo/bar", "foo/bar", true},
      {"**/foo/bar", "dir/foo/bar", true},
      {"**/foo/bar", "dir/dir2/foo/bar", true},
      {"abc/**", "abc", false},
      {"abc/**", "abc/def", true},
      {"abc/**", "abc/def/ghi", true},
      {"**/.foo", ".foo", true},
      {"**/.foo", "bar.foo", false},
      {"a\\*b", "a*b", true},
      {"a\\*b", "ab", false},
      {"abc", "abc", true},
      {"*", "abc", true},
      {"*c", "abc", true},
      {"a*", "a", true},
      {"a*", "abc", true},
      {"a*", "ab/c", true},  // by the parent-directory rule: "ab" matches
      {"a*/b", "abc/b", true},
      {"a*/b", "a/c/b", false},
      {"a*b*c*d*e*/f", "axbxcxdxe/f", true},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/f", true},
      {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false},
      {"a*b?c*x", "abxbbxdbxebxczzx", true},
      {"a*b?c*x", "abxbbxdbxebxczzy", false},
      {"ab[c]", "abc", true},
      {"ab[b-d]", "abc", true},
      {"ab[e-g]", "abc", false},
      {"ab[^c]", "abc", false},
      {"ab[^b-d]", "abc", false},
      {"ab[^e-g]", "abc", true},
      {"a?b", "a\xE2\x98\xBA" "b", true},      // a☺b: `?` is one character, not one byte
      {"a[^a]b", "a\xE2\x98\xBA" "b", true},
      {"a???b", "a\xE2\x98\xBA" "b", false},
      {"a[^a][^a][^a]b", "a\xE2\x98\xBA" "b", false},
      {"[a-\xCE\xB6]*", "\xCE\xB1", true},      // [a-ζ]* matches α
      {"*[a-\xCE\xB6]", "A", false},
      {"a?b", "a/b", false},
      {"a*b", "a/b", false},
      {"[\\]a]", "]", true},
      {"[\\-]", "-", true},
      {"[x\\-]", "x", true},
      {"[x\\-]", "-", true},
      {"[x\\-]", "z", false},
      {"[\\-x]", "x", true},
      {"[\\-x]", "-", true},
      {"[\\-x]", "a", false},
      {"*x", "xxx", true},
      // Docker's regexp quirks that we keep.
      {"a**b", "ab", true},          // `**` mid-name is `(.*/)?`
      {"a**b", "ax/b", true},
      {"a**b", "axb", false},
      {"a[^b]c", "a/c", true},       // a negated class crosses '/'
      {"**", "a\nb", false},         // `.*` does not cross a newline
      {"*", "a\nb", true},           // but `[^/]*` does
      // Anchored at the root, unlike .gitignore.
      {"foo", "a/foo", false},
      {"foo", "foo/bar/baz", true},
      {"foo/bar", "foo/bar/baz/qux", true},
      {"foo/bar", "foo", false},
      // Escaped letters keep their Go regexp meaning, as in Docker.
      {"a\\tb", "a\tb", true},
      {"a\\tb", "atb", false},
      {"\\a", "a", false},
      {"\\a", "\a", true},
      {"v\\d", "v7", true},
      {"v\\d", "vx", false},
      {"v\\D", "vx", true},
      {"x\\sy", "x y", true},
      {"x\\Sy", "x y", false},
      {"\\w\\W", "a-", true},
      {"\\w\\W", "ab", false},
      // Regexp syntax that Docker would interpret is literal here.
      {"a+b", "a+b", true},
      {"(x)", "(x)", true},
  };
  for (const auto& c : cases) {
    INFO("pattern " << c.pattern << " path " << c.path);
    CHECK(matcher_of({c.pattern}).excluded(c.path) == c.excluded);
  }
}

TEST_CASE("bad patterns are errors", "[dockerignore]") {
  for (const char* pattern : {"[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[",
                              "[z-a]", "a[\\", "!", "[\xFF]", "\\b", "a\\x41", "\\pL", "\\1", "\\\xC3\xA9"}) {
    INFO("pattern " << pattern);
    CHECK_FALSE(IgnoreMatcher::from_patterns({pattern}).ok());
  }
}

TEST_CASE("parse reports the line of a bad pattern", "[dockerignore]") {
  auto matcher = IgnoreMatcher::parse("# ok\nfoo\n[a\n", "ctx/.dockerignore");
  REQUIRE_FALSE(matcher.ok());
  CHECK(matcher.error().message == "ctx/.dockerignore line 3: bad pattern \"[a\": unterminated character class");

  auto bang = IgnoreMatcher::parse("a\n\n  !  \n");
  REQUIRE_FALSE(bang.ok());
  CHECK(bang.error().message == ".dockerignore line 3: illegal exclusion pattern: \"!\"");

  auto too_long = IgnoreMatcher::parse("a\n" + std::string(70000, 'x') + "\n");
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().message == ".dockerignore line 2: line longer than 64 KiB");
}

TEST_CASE("parse reads lines as Docker's ReadAll does", "[dockerignore]") {
  const IgnoreMatcher m = parsed(
      "\xEF\xBB\xBF# comment after a BOM\r\n"
      "  # indented: a pattern, not a comment\n"
      "\n"
      "   \t\n"
      "  /abs/path/  \r\n"
      "! ./keep/../keep.txt\n"
      "dir//sub/./x\n"
      "/\n"
      "last-without-newline");
  const std::vector<std::string> expected = {"# indented: a pattern, not a comment",
                                             "abs/path",
                                             "!keep.txt",
                                             "dir/sub/x",
                                             "/",
                                             "last-without-newline"};
  CHECK(m.patterns() == expected);
  CHECK(m.has_exceptions());
  CHECK(m.excluded("abs/path/file"));
  CHECK(m.excluded("last-without-newline"));
  CHECK(m.excluded("# indented: a pattern, not a comment"));
  CHECK_FALSE(m.excluded("abs"));
  CHECK_FALSE(m.excluded("keep.txt"));
}

TEST_CASE("Docker documentation examples", "[dockerignore]") {
  const IgnoreMatcher m = parsed("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
  CHECK(m.excluded("somedir/temporary.txt"));
  CHECK(m.excluded("somedir/temp"));
  CHECK(m.excluded("somedir/subdir/temporary.txt"));
  CHECK(m.excluded("tempa"));
  CHECK(m.excluded("tempb"));
  CHECK_FALSE(m.excluded("temp"));
  CHECK_FALSE(m.excluded("temporary.txt"));
  CHECK_FALSE(m.excluded("a/b/c/temporary.txt"));

  const IgnoreMatcher go = parsed("**/*.go\n");
  CHECK(go.excluded("main.go"));
  CHECK(go.excluded("cmd/app/main.go"));
  CHECK_FALSE(go.excluded("go.mod"));

  // Last match wins: README.md is kept...
  const IgnoreMatcher readme = parsed("*.md\n!README.md\n");
  CHECK(readme.excluded("CHANGES.md"));
  CHECK_FALSE(readme.excluded("README.md"));

  // ...and the order of exceptions matters.
  const IgnoreMatcher secret1 = parsed("*.md\n!README*.md\nREADME-secret.md\n");
  CHECK(secret1.excluded("README-secret.md"));
  CHECK_FALSE(secret1.excluded("README-public.md"));
  CHECK(secret1.excluded("other.md"));
  const IgnoreMatcher secret2 = parsed("*.md\nREADME-secret.md\n!README*.md\n");
  CHECK_FALSE(secret2.excluded("README-secret.md"));
}

TEST_CASE("a pattern excludes everything below a matching directory", "[dockerignore]") {
  const IgnoreMatcher m = matcher_of({"docs", "!docs/README.md"});
  CHECK(m.excluded("docs"));
  CHECK(m.excluded("docs/other.md"));
  CHECK(m.excluded("docs/deep/README.md"));
  CHECK_FALSE(m.excluded("docs/README.md"));
  CHECK_FALSE(m.excluded("docsx"));

  CHECK_FALSE(matcher_of({"docs/", "!docs/README.md"}).excluded("docs/README.md"));
  CHECK_FALSE(matcher_of({"docs/*", "!docs/README.md"}).excluded("docs/README.md"));
  CHECK(matcher_of({"!fileutils.go", "*.go"}).excluded("fileutils.go"));
  CHECK_FALSE(matcher_of({"*.go", "!fileutils.go"}).excluded("fileutils.go"));
  CHECK_FALSE(matcher_of({"*.go"}).excluded("."));
  CHECK_FALSE(matcher_of({"*"}).excluded(""));
  CHECK_FALSE(matcher_of({}).excluded("any/path/there"));
  // Paths are cleaned before matching.
  CHECK(matcher_of({"a/b"}).excluded("./a//b/"));
}

TEST_CASE("may_contain_reincluded is Docker's textual prefix test", "[dockerignore]") {
  const IgnoreMatcher m = matcher_of({"vendor", "!vendor/keep/me.txt", "build", "!**/keep.txt"});
  CHECK(m.may_contain_reincluded("vendor"));
  CHECK(m.may_contain_reincluded("vendor/keep"));
  CHECK(m.may_contain_reincluded("vendor/keep/me.txt"));  // the pattern text itself, as a dir
  CHECK_FALSE(m.may_contain_reincluded("vendor/other"));
  CHECK_FALSE(m.may_contain_reincluded("build"));  // `**/keep.txt` does not start with "build/"
  CHECK_FALSE(m.may_contain_reincluded("vend"));
  CHECK_FALSE(matcher_of({"vendor"}).may_contain_reincluded("vendor"));
}

TEST_CASE("keep_always re-includes a path literally", "[dockerignore]") {
  IgnoreMatcher m = matcher_of({"*", "build"});
  m.keep_always("Dockerfile");
  m.keep_always("build/Dockerfile.[prod]");
  CHECK_FALSE(m.excluded("Dockerfile"));
  CHECK_FALSE(m.excluded("build/Dockerfile.[prod]"));
  CHECK(m.excluded("build/Dockerfile.p"));
  CHECK(m.may_contain_reincluded("build"));
  CHECK(m.patterns().back() == "!build/Dockerfile.\\[prod]");

  IgnoreMatcher untouched = matcher_of({"other"});
  untouched.keep_always("Dockerfile");
  CHECK(untouched.patterns().size() == 1);  // nothing to re-include
}

TEST_CASE("matching a long hostile path stays fast", "[dockerignore]") {
  // A backtracking glob matcher takes exponential time on this one.
  const IgnoreMatcher m = matcher_of({"*a*a*a*a*a*a*a*a*a*a*b", "**/**/**/**/**/**/x"});
  const std::string path(20000, 'a');
  CHECK_FALSE(m.excluded(path));
  std::string deep;
  for (int i = 0; i < 2000; ++i) deep += "d/";
  deep += "y";
  CHECK_FALSE(m.excluded(deep));
}

TEST_CASE("a data-file table of contexts", "[dockerignore]") {
  // tests/data/dockerignore/table.txt: blocks of `ignore:` lines followed by
  // `+ path` (sent) and `- path` (excluded) lines.
  const std::string table = buildbench::test::read_file(buildbench::test::data_path("dockerignore/table.txt"));
  std::string ignore;
  bool reading_ignore = false;
  size_t checked = 0;
  size_t at = 0;
  while (at < table.size()) {
    size_t end = table.find('\n', at);
    if (end == std::string::npos) end = table.size();
    const std::string line = table.substr(at, end - at);
    at = end + 1;
    if (line == "ignore:") {
      ignore.clear();
      reading_ignore = true;
    } else if (line.rfind("+ ", 0) == 0 || line.rfind("- ", 0) == 0) {
      reading_ignore = false;
      auto m = IgnoreMatcher::parse(ignore);
      REQUIRE(m.ok());
      INFO("ignore:\n" << ignore << "path " << line.substr(2));
      CHECK(m->excluded(line.substr(2)) == (line[0] == '-'));
      ++checked;
    } else if (reading_ignore) {
      ignore += line + "\n";
    }
  }
  CHECK(checked >= 20);
}
