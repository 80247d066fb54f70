#include <catch2/catch.hpp>

#include "fixture/go_module.h"
#include "fixture/module_store.h"
#include "util/hash.h"

using namespace buildbench::fixture;

TEST_CASE("dirhash h1 follows Go's Hash1 definition", "[fixture][go_module]") {
  // Hash1 = base64(sha256("<sha256 hex>  <name>\n" for sorted names)), built
  // here by hand from the definition to check the implementation's plumbing.
  std::string a = buildbench::util::sha256_hex("alpha\n");
  std::string b = buildbench::util::sha256_hex("beta\n");
  buildbench::util::Sha256 summary;
  summary.update(a + "  a.txt\n" + b + "  b/b.txt\n");
  std::string expected = "h1:" + buildbench::util::base64_encode(summary.raw_digest());
  CHECK(dirhash_h1({{"b/b.txt", "beta\n"}, {"a.txt", "alpha\n"}}) == expected);
  CHECK(dirhash_h1({{"a.txt", "alpha\n"}, {"b/b.txt", "beta\n"}}) == expected);
  CHECK(dirhash_h1({{"a.txt", "alpha!\n"}, {"b/b.txt", "beta\n"}}) != expected);
}

TEST_CASE("h1 sums of a synthetic module match what Go 1.24 computed", "[fixture][go_module]") {
  // Verified independently: `go mod download -json` (Go 1.24, in a Debian
  // trixie chroot) against ModuleProxy printed these Sum and GoModSum values
  // for the default parameters' modules.
  FixtureParams params;
  auto dep01 = make_dependency_module(params, 0, "v1.0.0");
  REQUIRE(dep01.ok());
  CHECK(dep01->zip_h1 == "h1:9zsIQYk2QMvAKdCKMx8U5vOSkARzhiADGt76wLCv2hw=");
  CHECK(dep01->gomod_h1 == "h1:lEAVU06vIdTPSi8WhsRPOKarQ1VInJQrW6LWMDov4Jc=");
  auto dep04 = make_dependency_module(params, 3, "v1.0.0");
  REQUIRE(dep04.ok());
  CHECK(dep04->zip_h1 == "h1:gor9mGFD5reW6kAQF0PGZOpc2TipdiGOPHaekCvWt38=");
  CHECK(dep04->gomod_h1 == "h1:C5UI7/gCh9Q3q/PrEMHIWk9sOpiZsPUOgtI6mwc7R0w=");
  // The zip's h1 hashes the names with the module@version/ prefix.
  CHECK(module_zip_h1(dep01->path, "v1.0.0", dep01->files) == dep01->zip_h1);
  CHECK(dirhash_h1(dep01->files) != dep01->zip_h1);
  CHECK(gomod_h1(dep01->gomod) == dep01->gomod_h1);
}

TEST_CASE("module zips use Go's layout and hash to the same h1", "[fixture][go_module]") {
  std::vector<ModuleFile> files = {{"go.mod", "module example.test/tiny\n\ngo 1.21\n"},
                                   {"tiny.go", "package tiny\n"},
                                   {"sub/x.go", "package sub\n"}};
  auto zip = make_module_zip("example.test/tiny", "v0.1.0", files);
  REQUIRE(zip.ok());
  auto again = make_module_zip("example.test/tiny", "v0.1.0", {files[2], files[0], files[1]});
  REQUIRE(again.ok());
  CHECK(*zip == *again);  // deterministic whatever the input order

  auto entries = read_zip(*zip);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 3);
  for (const auto& entry : *entries) {
    CHECK(entry.path.rfind("example.test/tiny@v0.1.0/", 0) == 0);
    CHECK(entry.path.back() != '/');  // no directory entries
  }
  CHECK(dirhash_h1(*entries) == module_zip_h1("example.test/tiny", "v0.1.0", files));

  CHECK_FALSE(make_module_zip("example.test/tiny", "v0.1.0", {{"../evil.go", "x"}}).ok());
  CHECK_FALSE(make_module_zip("example.test/tiny", "v0.1.0", {{"/abs.go", "x"}}).ok());
  CHECK_FALSE(make_module_zip("tiny", "v0.1.0", files).ok());
  CHECK_FALSE(make_module_zip("example.test/tiny", "1.0", files).ok());
}

TEST_CASE("read_zip rejects bytes that are not a zip", "[fixture][go_module]") {
  CHECK_FALSE(read_zip("").ok());
  CHECK_FALSE(read_zip("PK\x03\x04 truncated").ok());
}

TEST_CASE("module paths are case-encoded for the proxy", "[fixture][go_module]") {
  CHECK(escape_module_path("github.com/Azure/azure-sdk") == "github.com/!azure/azure-sdk");
  CHECK(escape_module_path("example.test/dep01") == "example.test/dep01");
  auto back = unescape_module_path("github.com/!azure/!b!c");
  REQUIRE(back.ok());
  CHECK(*back == "github.com/Azure/BC");
  CHECK_FALSE(unescape_module_path("github.com/Azure").ok());
  CHECK_FALSE(unescape_module_path("github.com/!").ok());
  CHECK_FALSE(unescape_module_path("github.com/!1").ok());
}

TEST_CASE("module paths, file paths and versions are checked", "[fixture][go_module]") {
  CHECK(check_module_path("example.test/a/b").ok());
  CHECK_FALSE(check_module_path("").ok());
  CHECK_FALSE(check_module_path("nodot/a").ok());
  CHECK_FALSE(check_module_path("example.test//a").ok());
  CHECK_FALSE(check_module_path("example.test/../a").ok());
  CHECK_FALSE(check_module_path("example.test/a b").ok());
  CHECK(check_module_file_path("a/b.go").ok());
  CHECK_FALSE(check_module_file_path("a/../b.go").ok());
  CHECK_FALSE(check_module_file_path("a\\b.go").ok());
  CHECK(check_semver("v1.0.0").ok());
  CHECK(check_semver("v1.22.333-rc.1").ok());
  CHECK_FALSE(check_semver("v1.0").ok());
  CHECK_FALSE(check_semver("v01.0.0").ok());
  CHECK_FALSE(check_semver("1.0.0").ok());
  CHECK_FALSE(check_semver("v1.0.0-").ok());
  CHECK(semver_less("v1.0.9", "v1.0.10"));
  CHECK(semver_less("v1.0.0-rc.1", "v1.0.0"));
  CHECK_FALSE(semver_less("v2.0.0", "v1.9.9"));
}

TEST_CASE("go.mod requirements are read and edited", "[fixture][go_module]") {
  const std::string gomod =
      "module example.test/app\n\ngo 1.24\n\nrequire example.test/solo v1.2.3\n\nrequire (\n"
      "\texample.test/a v1.0.0\n\texample.test/b v1.0.0 // indirect\n)\n";
  auto requires_found = parse_gomod_requires(gomod);
  REQUIRE(requires_found.size() == 3);
  CHECK(requires_found[0].path == "example.test/solo");
  CHECK(requires_found[0].version == "v1.2.3");
  CHECK(requires_found[2].indirect);

  auto bumped = set_gomod_require(gomod, {"example.test/b", "v1.0.7", true});
  CHECK(bumped.find("\texample.test/b v1.0.7 // indirect\n") != std::string::npos);
  CHECK(bumped.find("v1.0.0 // indirect") == std::string::npos);
  auto solo = set_gomod_require(gomod, {"example.test/solo", "v1.2.4", false});
  CHECK(solo.find("require example.test/solo v1.2.4\n") != std::string::npos);
  auto added = set_gomod_require(gomod, {"example.test/c", "v1.0.0", false});
  CHECK(parse_gomod_requires(added).size() == 4);
  CHECK(added.find("\texample.test/c v1.0.0\n)") != std::string::npos);
  auto fresh = set_gomod_require("module example.test/app\n", {"example.test/c", "v1.0.0", false});
  CHECK(fresh == "module example.test/app\n\nrequire example.test/c v1.0.0\n");
  // A truncated file whose block never closes still gets the requirement.
  auto truncated = set_gomod_require("module m.test/x\nrequire (\n\ta.test/a v1.0.0\n", {"c.test/c", "v1.0.0", false});
  CHECK(parse_gomod_requires(truncated).size() == 2);
  CHECK(parse_gomod_requires("require (\n\x01\xff\n)\nrequire\n").empty());
}

TEST_CASE("go.sum texts merge without duplicates in go.sum order", "[fixture][go_module]") {
  CHECK(merge_gosum("b v1.0.0 h1:x\na v1.0.10 h1:y\n", "a v1.0.9/go.mod h1:w\na v1.0.9 h1:z\nb v1.0.0 h1:x\n") ==
        "a v1.0.9 h1:z\na v1.0.9/go.mod h1:w\na v1.0.10 h1:y\nb v1.0.0 h1:x\n");
  CHECK(merge_gosum("", "") == "");
  CHECK(merge_gosum("garbage\n\n\xff", "") == "garbage\n\xff\n");
}

namespace {

// The compression method of a zip's first local file header (0 = stored,
// 8 = deflated), read from the bytes as Go's reader would see them.
unsigned first_entry_method(const std::string& zip) {
  REQUIRE(zip.size() > 30);
  REQUIRE(zip.compare(0, 4, "PK\x03\x04") == 0);
  return static_cast<unsigned char>(zip[8]) | (static_cast<unsigned>(static_cast<unsigned char>(zip[9])) << 8);
}

FixtureParams payload_params(uint64_t payload) {
  FixtureParams params;
  params.dep_modules = 3;
  params.dep_depth = 1;
  params.dep_payload_bytes = payload;
  return params;
}

}  // namespace

TEST_CASE("zip entries are stored or deflated as each file asks", "[fixture][go_module]") {
  const std::string text(64 * 1024, 'a');
  auto stored = make_module_zip("example.test/w", "v1.0.0", {{"testdata/a.bin", text, ZipMethod::Store}});
  auto deflated = make_module_zip("example.test/w", "v1.0.0", {{"a.go", text}});
  REQUIRE(stored.ok());
  REQUIRE(deflated.ok());
  CHECK(first_entry_method(*stored) == 0);
  CHECK(first_entry_method(*deflated) == 8);
  CHECK(stored->size() > text.size());       // every byte on the wire
  CHECK(deflated->size() < text.size() / 10);  // 'a' * 64 KiB deflates to almost nothing
  auto back = read_zip(*stored);
  REQUIRE(back.ok());
  REQUIRE(back->size() == 1);
  CHECK(back->front().content == text);
}

TEST_CASE("dependency payload: split evenly, in testdata, seeded, stored", "[fixture][go_module]") {
  const uint64_t payload = 20 * 1024 * 1024 + 5;  // three modules, not divisible
  auto params = payload_params(payload);
  uint64_t total = 0;
  for (size_t i = 0; i < 3; ++i) {
    uint64_t share = dependency_payload_bytes(params, i);
    CHECK((share == payload / 3 || share == payload / 3 + 1));
    total += share;
    uint64_t in_files = 0;
    for (const auto& file : dependency_payload_files(params, i)) {
      CHECK(file.path.rfind("testdata/payload-", 0) == 0);
      CHECK(file.content.size() <= kPayloadFileBytes);
      CHECK(file.method == ZipMethod::Store);
      in_files += file.content.size();
    }
    CHECK(in_files == share);
  }
  CHECK(total == payload);
  CHECK(dependency_payload_bytes(params, 3) == 0);  // what dependency-add introduces carries none
  CHECK(dependency_payload_files(payload_params(0), 0).empty());

  // Deterministic from the seed, different per module and per seed.
  auto a = dependency_payload_files(params, 0);
  CHECK(dependency_payload_files(params, 0).front().content == a.front().content);
  CHECK(dependency_payload_files(params, 1).front().content.substr(0, 64) != a.front().content.substr(0, 64));
  auto reseeded = params;
  reseeded.seed = 2;
  CHECK(dependency_payload_files(reseeded, 0).front().content.substr(0, 64) != a.front().content.substr(0, 64));
}

TEST_CASE("a module with payload zips to about its payload and keeps its h1", "[fixture][go_module]") {
  auto params = payload_params(3 * 1024 * 1024);
  auto module = make_dependency_module(params, 0, "v1.0.0");
  REQUIRE(module.ok());
  auto zip = make_module_zip(module->path, module->version, module->files);
  REQUIRE(zip.ok());
  const uint64_t share = dependency_payload_bytes(params, 0);
  // Pseudo-random bytes stored as they are: the zip is the payload plus the
  // (deflated) code and headers, nowhere near smaller than the payload.
  CHECK(zip->size() >= share);
  CHECK(zip->size() < share + 64 * 1024);
  auto entries = read_zip(*zip);
  REQUIRE(entries.ok());
  CHECK(dirhash_h1(*entries) == module->zip_h1);  // what `go mod verify` recomputes
  // Without payload the module is what it always was (the h1 Go computed above).
  auto plain = make_dependency_module(FixtureParams{}, 0, "v1.0.0");
  REQUIRE(plain.ok());
  CHECK(plain->zip_h1 == "h1:9zsIQYk2QMvAKdCKMx8U5vOSkARzhiADGt76wLCv2hw=");
  // go.sum names the payload-carrying zip's h1.
  auto sum = gosum_lines(params, {{module->path, "v1.0.0"}});
  REQUIRE(sum.ok());
  CHECK(sum->find(module->path + " v1.0.0 " + module->zip_h1 + "\n") != std::string::npos);
}
