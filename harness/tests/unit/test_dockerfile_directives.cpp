#include <catch2/catch.hpp>

#include "dockerfile/directives.h"

using namespace buildbench::dockerfile;

TEST_CASE("# syntax= is a parser directive only at the top", "[dockerfile][directives]") {
  auto found = find_syntax_directive("# syntax=docker/dockerfile:1.4\nFROM scratch\n");
  REQUIRE(found);
  CHECK(found->image == "docker/dockerfile:1.4");
  CHECK(found->line == 1);

  auto second = find_syntax_directive("# escape=`\n#  SYNTAX = docker/dockerfile:1\nFROM scratch\n");
  REQUIRE(second);
  CHECK(second->image == "docker/dockerfile:1");
  CHECK(second->line == 2);

  CHECK_FALSE(find_syntax_directive("FROM scratch\n# syntax=docker/dockerfile:1\n"));
  CHECK_FALSE(find_syntax_directive("# a comment\n# syntax=docker/dockerfile:1\nFROM scratch\n"));
  CHECK_FALSE(find_syntax_directive(""));
}

TEST_CASE("strip_syntax_directive removes that line and nothing else", "[dockerfile][directives]") {
  CHECK(strip_syntax_directive("# syntax=x\r\nFROM scratch\nCOPY a b\n") == "FROM scratch\nCOPY a b\n");
  CHECK(strip_syntax_directive("FROM scratch\n") == "FROM scratch\n");
}

TEST_CASE("base_images lists FROM images, not stages or scratch", "[dockerfile][directives]") {
  auto images = base_images(
      "FROM golang:1.24-alpine AS build\n"
      "RUN go build\n"
      "from --platform=linux/amd64 build AS second\n"
      "FROM scratch\n"
      "FROM alpine:3.21\n"
      "FROM golang:1.24-alpine\n");
  REQUIRE(images.size() == 2);
  CHECK(images[0] == "golang:1.24-alpine");
  CHECK(images[1] == "alpine:3.21");
}
