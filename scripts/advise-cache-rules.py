#!/usr/bin/env python3
# Builds small busybox contexts on the daemon named on the command line and
# prints each step's cached flag after each change: the experiments behind
# docs/cache-model.md. Usage: scripts/advise-cache-rules.py DOCKER_HOST [arg inherit select rescue lines]
# (needs build/bin/buildbench or BB=path; the Dockerfiles name alpine:3.21, the offline runtime image).
import json, os, subprocess, sys, tempfile, time, uuid
BB = os.environ.get("BB", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "bin", "buildbench"))
def build(host, ctx, dockerfile, args=()):
    cmd = [BB, "build", ctx, "-f", dockerfile, "--json"]
    for a in args: cmd += ["--build-arg", a]
    env = dict(os.environ, DOCKER_HOST=host)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        print("BUILD FAILED", out.stdout[-2000:], out.stderr[-2000:]); return []
    rec = json.loads(out.stdout)
    return [(s["stage"], s["index"], s["cached"], s["name"]) for s in rec["steps"] if s["index"] > 0]
def show(title, steps):
    print("  --", title)
    for st, i, c, n in steps: print("     ", "CACHED" if c else "ran   ", n[:80])
def write(p, text):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w").write(text)

def exp(host, name, files, dockerfile, steps, df_in_context=False):
    tok = uuid.uuid4().hex[:10]
    d = os.path.join(tempfile.gettempdir(), f"advise-rules-{name}-{tok}")
    ctx = d + "/ctx"
    os.makedirs(ctx)
    for p, t in files.items(): write(os.path.join(ctx, p), t)
    dfp = (ctx if df_in_context else d) + "/Dockerfile"
    write(dfp, dockerfile.replace("TOKEN", tok))
    print(f"== {name} on {host}")
    build(host, ctx, dfp)
    for title, action, args in steps:
        action(ctx, dfp)
        show(title, build(host, ctx, dfp, args))

host = sys.argv[1]
which = sys.argv[2:] or ["arg", "inherit", "select", "rescue", "lines"]
def edit(path, text="x"):
    def f(ctx, dfp):
        with open(os.path.join(ctx, path), "a") as fh: fh.write(text + str(time.time()) + "\n")
    return f
def touch(path):
    def f(ctx, dfp):
        p = os.path.join(ctx, path); os.utime(p, (time.time() + 5, time.time() + 5))
    return f
def chmod(path):
    def f(ctx, dfp): os.chmod(os.path.join(ctx, path), 0o755)
    return f
def nothing(ctx, dfp): pass
def df_replace(old, new):
    def f(ctx, dfp):
        t = open(dfp).read(); assert old in t, old; open(dfp, "w").write(t.replace(old, new))
    return f

if "arg" in which:
    exp(host, "arg", {"a.txt": "a\n"}, """FROM alpine:3.21
RUN echo TOKEN > /t
ARG V=1
COPY a.txt /a.txt
RUN cat /a.txt
WORKDIR /w
RUN echo done
""", [("build-arg V=2", nothing, ["V=2"]), ("undeclared build-arg Q=1 (V=2 kept)", nothing, ["V=2", "Q=1"])])
if "inherit" in which:
    exp(host, "inherit", {"a.txt": "a\n"}, """FROM alpine:3.21 AS base
RUN echo TOKEN > /t
ARG V=1
ENV E=1
FROM base AS child
RUN echo child
FROM child
RUN echo final
""", [("build-arg V=2 (ARG in parent stage, no RUN after it there)", nothing, ["V=2"])])
if "select" in which:
    exp(host, "select", {"sub/x.txt": "x\n", "other.txt": "o\n", "docs/readme.md": "r\n", ".dockerignore": "docs\n"}, """FROM alpine:3.21
RUN echo TOKEN > /t
COPY sub/ /sub/
COPY . /all
RUN ls /all
""", [("touch other.txt", touch("other.txt"), []), ("edit ignored docs/readme.md", edit("docs/readme.md"), []),
      ("edit other.txt", edit("other.txt"), []), ("chmod other.txt", chmod("other.txt"), []),
      ("edit sub/x.txt", edit("sub/x.txt"), [])])
if "rescue" in which:
    exp(host, "rescue", {"a.txt": "a\n"}, """FROM alpine:3.21 AS gen
RUN echo TOKEN > /t
COPY a.txt /a.txt
RUN cat /a.txt > /out && echo constant > /const
FROM alpine:3.21 AS unused
RUN echo TOKEN-unused
FROM alpine:3.21
COPY --from=gen /const /const
COPY --from=gen /out /out
RUN cat /out
""", [("edit a.txt", edit("a.txt"), [])])
if "lines" in which:
    exp(host, "lines", {"a.txt": "a\n"}, """FROM alpine:3.21
LABEL x=1
RUN echo TOKEN > /t
ENV E=1
WORKDIR /w
COPY . /all
RUN echo done
""", [("edit LABEL line (Dockerfile in context)", df_replace("LABEL x=1", "LABEL x=2"), []),
      ("edit ENV line", df_replace("ENV E=1", "ENV E=2"), [])], df_in_context=True)
