#!/usr/bin/env python3
"""Independent expected findings for tests/e2e_scan.sh: what `bulwark scan` must report for an
image's packages against a feed, computed from the feed files and the package databases with
Python and the ecosystems' own rules, without any Bulwark code.

Usage:
  scan_expect.py debian-feed ADMINDIR OUT.json   writes a Debian security tracker JSON feed with
                                                 one entry per case (CASES) for a few source
                                                 packages of the dpkg database in ADMINDIR
  scan_expect.py debian ADMINDIR CODENAME FEED.json...
  scan_expect.py alpine INSTALLED VERSION_ID SECDB.yaml...   (apk database, os-release VERSION_ID)
  scan_expect.py go BINARY OSVDIR                (`go version -m BINARY` against the Go vulndb)
  scan_expect.py pypi REQUIREMENTS.txt OSVDIR    (exact pins against the PyPA advisory db)
  scan_expect.py cargo Cargo.lock RUSTSECDIR     (against RustSec's Markdown advisories)
  scan_expect.py gem Gemfile.lock RUBYSECDIR     (against ruby-advisory-db's YAML)
  scan_expect.py compare EXPECTED.json REPORT.json   exits 1 (printing the difference) unless the
                                                 report's findings are exactly the expected ones

The expectation commands print a JSON list of findings: {"ids": [every id of the advisory],
"package": name as the feed names it, "installed": version, "fixed": first fixed version above
the installed one or "", "status": "affected" | "unfixed" | "will_not_fix", "severity": the
feed's own rating or ""}. Ids are what `compare` uses to identify a vulnerability whatever id the
report names it by (its aliases merge advisories).

Version orders: dpkg through `dpkg --compare-versions`; PEP 440 through python3-packaging;
semver 2.0 (Go, Cargo), RubyGems' Gem::Version and apk's order implemented below from their
specifications. Needs PyYAML and python3-packaging.
"""
import functools
import glob
import json
import os
import re
import subprocess
import sys
import tomllib

import yaml

# ---- version orders ------------------------------------------------------------------------


def dpkg_cmp(a, b):
    if a == b:
        return 0
    lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0
    if lt:
        return -1
    eq = subprocess.run(["dpkg", "--compare-versions", a, "eq", b]).returncode == 0
    return 0 if eq else 1


SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def semver_key(v):
    """Semver 2.0 precedence (section 11): numbers, then a release above any pre-release,
    pre-release identifiers numeric (lower) or alphanumeric (ASCII order), then length."""
    m = SEMVER.match(v)
    if not m:
        raise ValueError("not semver: %r" % v)
    major, minor, patch, pre = m.groups()
    if pre is None:
        pre_key = (1,)
    else:
        pre_key = (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))
    return (int(major), int(minor), int(patch), pre_key)


def semver_cmp(a, b):
    ka, kb = semver_key(a), semver_key(b)
    return (ka > kb) - (ka < kb)


def pep440_cmp(a, b):
    from packaging.version import Version
    va, vb = Version(a), Version(b)
    return (va > vb) - (va < vb)


def gem_segments(v):
    """Gem::Version#canonical_segments: numbers and letter runs, trailing zeros of the release
    (and of the pre-release part) dropped."""
    segs = [int(s) if s.isdigit() else s for s in re.findall(r"[0-9]+|[a-z]+", v.strip().lower())]
    first_str = next((i for i, s in enumerate(segs) if isinstance(s, str)), len(segs))
    release, pre = segs[:first_str], segs[first_str:]
    while release and release[-1] == 0:
        release.pop()
    while pre and pre[-1] == 0:
        pre.pop()
    return release + pre


def gem_cmp(a, b):
    """Gem::Version#<=>: segment by segment; a missing segment is 0; a string segment is lower
    than a number; two strings compare as strings."""
    sa, sb = gem_segments(a), gem_segments(b)
    for i in range(max(len(sa), len(sb))):
        x = sa[i] if i < len(sa) else 0
        y = sb[i] if i < len(sb) else 0
        if x == y:
            continue
        if isinstance(x, str) and not isinstance(y, str):
            return -1
        if isinstance(y, str) and not isinstance(x, str):
            return 1
        return -1 if x < y else 1
    return 0


def gem_prerelease(v):
    return re.search(r"[a-zA-Z]", v) is not None


APK_SUFFIX = {"alpha": -4, "beta": -3, "pre": -2, "rc": -1, "": 0, "cvs": 1, "svn": 2, "git": 3,
              "hg": 4, "p": 5}
APK = re.compile(r"^(\d+(?:\.\d+)*)([a-z]?)((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)(?:-r(\d+))?$")


def apk_key(v):
    """apk-tools' version order for the forms NUM(.NUM)*[letter](_suffix[NUM])*[-rNUM]:
    numbers numerically, a letter after them, then suffixes (alpha < beta < pre < rc < none
    < cvs < svn < git < hg < p), then the package revision."""
    m = APK.match(v)
    if not m:
        raise ValueError("unsupported apk version %r" % v)
    nums, letter, suffixes, rev = m.groups()
    sfx = [(APK_SUFFIX[s], int(n or 0)) for s, n in re.findall(r"_([a-z]+)(\d*)", suffixes)]
    sfx.append((0, 0))  # the end of the suffixes sorts like "no suffix"
    return (tuple(int(n) for n in nums.split(".")), letter, tuple(sfx), int(rev or 0))


def apk_cmp(a, b):
    ka, kb = apk_key(a), apk_key(b)
    return (ka > kb) - (ka < kb)


# ---- OSV ranges ------------------------------------------------------------------------------


def osv_interval(affected, version, cmp):
    """Whether `version` is in one of the affected entry's ranges (events sorted in the
    ecosystem's order, OSV's evaluation), or listed in "versions". Returns (hit, fixed)."""
    for rng in affected.get("ranges") or []:
        if rng.get("type") not in ("SEMVER", "ECOSYSTEM"):
            continue
        events = []
        for e in rng.get("events", []):
            (kind, value), = e.items()
            if kind == "limit":
                continue
            order = {"introduced": 0, "fixed": 1, "last_affected": 1}[kind]
            events.append((kind, str(value), order))

        def key_cmp(x, y):
            if x[1] == "0" or y[1] == "0":
                zx, zy = x[1] == "0", y[1] == "0"
                if zx != zy:
                    return -1 if zx else 1
            else:
                c = cmp(x[1], y[1])
                if c:
                    return c
            return x[2] - y[2]

        events.sort(key=functools.cmp_to_key(key_cmp))
        # Walk the sorted events up to the installed version; the first event above it decides.
        state, fixed = False, ""
        for kind, value, _ in events:
            at_or_below = value == "0" or (cmp(value, version) < 0 if kind == "last_affected"
                                          else cmp(value, version) <= 0)
            if at_or_below:
                state = kind == "introduced"
                continue
            if state and kind == "fixed":
                fixed = value
            break
        if state:
            return True, fixed
    if version in [str(v) for v in affected.get("versions") or []]:
        return True, None  # listed but outside the ranges: ambiguous, reported by the caller
    return False, ""


def load_osv_dir(root):
    records = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*"), recursive=True)):
        if path.endswith(".json"):
            doc = json.load(open(path, encoding="utf-8"))
        elif path.endswith((".yaml", ".yml")):
            doc = yaml.load(open(path, encoding="utf-8"), Loader=yaml.BaseLoader)
        else:
            continue
        if isinstance(doc, dict) and doc.get("id") and not doc.get("withdrawn"):
            records.append(doc)
    return records


def osv_findings(records, ecosystem, packages, cmp, normalize=lambda n: n):
    """packages: [(name, version)]. One finding per (record, package) in range."""
    out = []
    for name, version in packages:
        for rec in records:
            for aff in rec.get("affected") or []:
                p = aff.get("package") or {}
                if p.get("ecosystem") != ecosystem or normalize(p.get("name", "")) != normalize(name):
                    continue
                hit, fixed = osv_interval(aff, version, cmp)
                if hit and fixed is None:
                    sys.exit("ambiguous: %s %s %s listed in versions but in no range" % (rec["id"], name, version))
                if hit:
                    out.append(finding([rec["id"]] + list(rec.get("aliases") or []), p["name"], version, fixed))
    return out


def finding(ids, package, installed, fixed, status=None, severity=""):
    return {"ids": sorted(set(ids)), "package": package, "installed": installed, "fixed": fixed,
            "status": status or ("affected" if fixed else "unfixed"), "severity": severity}


# ---- Debian ----------------------------------------------------------------------------------


def dpkg_packages(admindir):
    """Installed binary packages: (binary, version, source, source version) from the status file
    (Source: "name" or "name (version)"; absent = the binary's own name and version)."""
    out = []
    for stanza in open(os.path.join(admindir, "status"), encoding="utf-8").read().split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", stanza, re.M))
        if "Package" not in fields or not fields.get("Status", "").endswith(" installed"):
            continue
        src, src_version = fields["Package"], fields["Version"]
        if "Source" in fields:
            m = re.match(r"^(\S+)(?: \((\S+)\))?$", fields["Source"])
            src = m.group(1)
            src_version = m.group(2) or fields["Version"]
        out.append((fields["Package"], fields["Version"], src, src_version))
    return out


# The cases written for each chosen source package at installed source version V: (suffix of
# the CVE id, release, status, fixed version as a function of V, urgency, extra fields).
CASES = [
    ("1", "bookworm", "resolved", lambda v: v + "+deb12u99", "medium", {}),          # fixed above: finding with the fix
    ("2", "bookworm", "resolved", lambda v: v, "high", {}),                          # fixed in V: none
    ("3", "bookworm", "resolved", lambda v: v + "~deb12u1", "high", {}),             # fixed below (tilde): none
    ("4", "bookworm", "open", None, "low", {}),                                      # open: unfixed
    ("5", "bookworm", "resolved", lambda v: "0", "high", {}),                        # not affected
    ("6", "bookworm", "open", None, "unimportant",
     {"nodsa": "Minor issue", "nodsa_reason": "ignored"}),                          # will not fix
    ("7", "bullseye", "resolved", lambda v: v + "+deb12u99", "high", {}),            # other release: none
]
# The source packages the feed speaks of (all in a debootstrap minbase bookworm). util-linux's
# binary bsdutils has an epoch its source lacks: only the source version gives the right answer.
CHOSEN = ["util-linux", "glibc", "bash", "e2fsprogs", "pam", "xz-utils"]
# One open high-urgency finding (the --fail-on / --ignore-unfixed checks rely on it).
HIGH_OPEN = "glibc"


def debian_feed(admindir, out_path):
    versions = {src: sv for _, _, src, sv in dpkg_packages(admindir)}
    feed = {}
    for n, src in enumerate(CHOSEN):
        if src not in versions:
            sys.exit("source package %s is not installed in %s" % (src, admindir))
        v = versions[src]
        for suffix, release, status, fixed, urgency, extra in CASES:
            cve = "CVE-2099-%d%03d" % (int(suffix), n)
            if suffix == "4" and src == HIGH_OPEN:
                urgency = "high*"
            rel = {"status": status, "repositories": {release: v}, "urgency": urgency}
            if fixed:
                rel["fixed_version"] = fixed(v)
            rel.update(extra)
            feed.setdefault(src, {})[cve] = {"description": "test case %s of %s" % (suffix, src),
                                             "scope": "local", "releases": {release: rel}}
    json.dump(feed, open(out_path, "w"), indent=1)


def debian_expect(admindir, codename, feeds):
    """Per installed binary package whose source package the feed names for CODENAME:
    resolved with a fixed version above the installed source version -> affected;
    resolved "0" -> not affected; open -> will_not_fix when nodsa_reason is "ignored", else
    unfixed; undetermined -> unfixed. The feed's urgency (without '*') is the severity."""
    entries = {}
    for path in feeds:
        for src, cves in json.load(open(path, encoding="utf-8")).items():
            for cve, rec in cves.items():
                rel = (rec.get("releases") or {}).get(codename)
                if rel:
                    entries.setdefault(src, []).append((cve, rel))
    out = []
    for binary, version, src, src_version in dpkg_packages(admindir):
        for cve, rel in entries.get(src, []):
            urgency = rel.get("urgency", "").rstrip("*")
            severity = "" if urgency in ("not yet assigned", "end-of-life") else urgency
            f = None
            if rel["status"] == "resolved":
                fixed = rel.get("fixed_version", "")
                if fixed != "0" and dpkg_cmp(src_version, fixed) < 0:
                    f = finding([cve], src, version, fixed, "affected", severity)
            elif rel["status"] == "open":
                wnf = rel.get("nodsa_reason") == "ignored" or rel.get("urgency") == "end-of-life"
                f = finding([cve], src, version, "", "will_not_fix" if wnf else "unfixed", severity)
            elif rel["status"] == "undetermined":
                f = finding([cve], src, version, "", "unfixed", severity)
            if f:
                f["binary"], f["source_version"] = binary, src_version
                out.append(f)
    return out


# ---- Alpine ----------------------------------------------------------------------------------


def apk_installed(path):
    out, cur = [], {}
    for line in open(path, encoding="utf-8").read().split("\n") + [""]:
        if not line:
            if "P" in cur:
                out.append((cur["P"], cur["V"], cur.get("o", cur["P"])))
            cur = {}
        elif line[1:2] == ":":
            cur[line[0]] = line[2:]
    return out


def alpine_expect(installed, version_id, secdbs):
    """secfixes of the image's release (major.minor): a CVE fixed in version F of an origin
    package is a finding for each installed package of that origin older than F ("0": not
    affected). The chosen versions avoid CVEs listed under several versions of one package."""
    release = "v" + ".".join(version_id.split(".")[:2])
    fixes = {}
    for path in secdbs:
        doc = yaml.load(open(path, encoding="utf-8"), Loader=yaml.BaseLoader)
        if doc["distroversion"] != release:
            continue
        for item in doc["packages"]:
            pkg = item["pkg"]
            for fixed, ids in (pkg.get("secfixes") or {}).items():
                for entry in ids or []:
                    cve = entry.split()[0]
                    fixes.setdefault(pkg["name"], {}).setdefault(cve, []).append(fixed)
    out = []
    for name, version, origin in apk_installed(installed):
        for cve, fixed_list in fixes.get(origin, {}).items():
            if len(fixed_list) > 1:
                if any(f == "0" or apk_cmp(version, f) < 0 for f in fixed_list):
                    sys.exit("ambiguous: %s listed under %s for %s" % (cve, fixed_list, origin))
                continue
            fixed = fixed_list[0]
            if fixed != "0" and apk_cmp(version, fixed) < 0:
                f = finding([cve], origin, version, fixed)
                f["binary"] = name
                out.append(f)
    return out


# ---- Go ----------------------------------------------------------------------------------------


def go_modules(binary):
    """`go version -m`: the toolchain as "stdlib" and every dep (or its => replacement)."""
    text = subprocess.run(["go", "version", "-m", binary], check=True, capture_output=True,
                          text=True).stdout
    mods = []
    first = text.split("\n", 1)[0]
    mods.append(("stdlib", re.search(r"\bgo(\d+\.\d+(?:\.\d+)?)", first).group(1)))
    pending = None
    for line in text.splitlines()[1:]:
        f = line.split()
        if not f:
            continue
        if f[0] == "dep":
            if pending:
                mods.append(pending)
            pending = (f[1], f[2])
        elif f[0] == "=>":
            pending = (f[1], f[2])
    if pending:
        mods.append(pending)
    return mods


def go_version(v):
    v = v.lstrip("v")
    return v if v.count(".") >= 2 else v + ".0"  # go "1.21" is semver 1.21.0


def go_expect(binary, osvdir):
    records = load_osv_dir(osvdir)
    mods = go_modules(binary)
    out = osv_findings(records, "Go", [(name, go_version(v)) for name, v in mods], semver_cmp)
    as_built = {(name, go_version(v)): v for name, v in mods}  # the version as the binary has it
    for f in out:
        f["installed"] = as_built[(f["package"], f["installed"])]
    return out


# ---- language lockfiles -----------------------------------------------------------------------


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pypi_expect(requirements, osvdir):
    pins = []
    for line in open(requirements, encoding="utf-8"):
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins.append((name.strip(), version.strip()))
    return osv_findings(load_osv_dir(osvdir), "PyPI", pins, pep440_cmp, pep503)


def cargo_req(req, version):
    """Whether `version` satisfies a Cargo requirement (comma = and; bare = caret)."""
    def bounds(op, v):
        parts = [int(x) for x in v.split(".")] + [0, 0]
        major, minor, patch = parts[:3]
        full = "%d.%d.%d" % (major, minor, patch)
        if op in ("^", ""):
            if major:
                upper = "%d.0.0" % (major + 1)
            elif minor:
                upper = "0.%d.0" % (minor + 1)
            else:
                upper = "0.0.%d" % (patch + 1)
            return [(">=", full), ("<", upper)]
        if op == "~":
            return [(">=", full), ("<", "%d.%d.0" % (major, minor + 1))]
        return [(op, full)]
    ok = True
    for clause in req.split(","):
        m = re.match(r"^\s*(>=|<=|>|<|=|\^|~)?\s*([0-9.]+)\s*$", clause)
        for op, bound in bounds(m.group(1) or "", m.group(2)):
            c = semver_cmp(version, bound)
            ok &= {">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "=": c == 0}[op]
    return ok


def req_floor(clauses, cmp):
    """The lowest version a requirement admits, from its >=, =, ~>, ^ clauses."""
    floors = [v for op, v in clauses if op in (">=", "=", "~>", "^", "~", "")]
    best = None
    for v in floors:
        if best is None or cmp(v, best) > 0:
            best = v
    return best


def safe_findings(ids, package, version, safe, satisfies, cmp):
    """RustSec/rubysec: vulnerable unless a patched or unaffected requirement admits the version;
    the fix is the lowest patched requirement's floor above it."""
    if any(satisfies(r, version) for r in safe["patched"] + safe["unaffected"]):
        return []
    floors = [req_floor(parse_clauses(r), cmp) for r in safe["patched"]]
    floors = [f for f in floors if f and cmp(f, version) > 0]
    fixed = ""
    for f in floors:
        if not fixed or cmp(f, fixed) < 0:
            fixed = f
    return [finding(ids, package, version, fixed)]


def parse_clauses(req):
    return [(m.group(1) or "", m.group(2))
            for m in (re.match(r"^\s*(>=|<=|>|<|=|!=|~>|\^|~)?\s*([0-9A-Za-z.]+)\s*$", c)
                      for c in req.split(","))]


def cargo_lock(path):
    doc = tomllib.load(open(path, "rb"))
    return [(p["name"], p["version"]) for p in doc.get("package", [])]


def cargo_expect(lock, root):
    pkgs = cargo_lock(lock)
    out = []
    for path in sorted(glob.glob(os.path.join(root, "**", "RUSTSEC-*.md"), recursive=True)):
        m = re.match(r"```toml\n(.*?)\n```", open(path, encoding="utf-8").read(), re.S)
        adv = tomllib.loads(m.group(1))
        a, v = adv["advisory"], adv.get("versions", {})
        if a.get("withdrawn"):
            continue
        safe = {"patched": v.get("patched", []), "unaffected": v.get("unaffected", [])}
        for name, version in pkgs:
            if name.replace("_", "-").lower() != a["package"].replace("_", "-").lower():
                continue
            # Informational advisories (unsound, unmaintained) name affected versions the same
            # way and are findings too.
            out += safe_findings([a["id"]] + a.get("aliases", []), a["package"], version, safe,
                                 cargo_req, semver_cmp)
    return out


def gem_req(req, version):
    """Whether `version` satisfies a Gem requirement list ("~> 2.2.6, >= 2.2.6.2"). A
    pre-release never satisfies a requirement without one (RubyGems' rule) - not needed by the
    chosen versions, which are releases."""
    ok = True
    for op, bound in parse_clauses(req):
        c = gem_cmp(version, bound)
        if op == "~>":
            segs = [s for s in re.findall(r"[0-9]+|[a-z]+", bound.lower())]
            while segs and not segs[-1].isdigit():  # Gem::Version#bump drops pre-release parts
                segs.pop()
            segs = segs[:-1] if len(segs) > 1 else segs
            segs[-1] = str(int(segs[-1]) + 1)
            ok &= c >= 0 and gem_cmp(version, ".".join(segs)) < 0
        else:
            ok &= {">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "=": c == 0, "": c == 0,
                   "!=": c != 0}[op]
    return ok


def gemfile_lock(path):
    specs, in_gem = [], False
    for line in open(path, encoding="utf-8"):
        if not line.startswith(" "):
            in_gem = line.strip() == "GEM"
        m = re.match(r"^    (\S+) \(([^)]+)\)$", line.rstrip("\n"))
        if in_gem and m:
            specs.append((m.group(1), m.group(2).split("-")[0]))
    return specs


def gem_expect(lock, root):
    gems = gemfile_lock(lock)
    out = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*.yml"), recursive=True)):
        doc = yaml.load(open(path, encoding="utf-8"), Loader=yaml.BaseLoader)
        if not isinstance(doc, dict) or "gem" not in doc:
            continue
        ids = [os.path.splitext(os.path.basename(path))[0]]
        if doc.get("cve"):
            ids.append("CVE-" + doc["cve"])
        if doc.get("ghsa"):
            ids.append("GHSA-" + doc["ghsa"])
        safe = {"patched": doc.get("patched_versions") or [], "unaffected": doc.get("unaffected_versions") or []}
        for name, version in gems:
            if name == doc["gem"]:
                out += safe_findings(ids, doc["gem"], version, safe, gem_req, gem_cmp)
    return out


# ---- comparison ----------------------------------------------------------------------------------


def report_findings(report):
    """Every finding of Bulwark's JSON report (images[].findings[], src/vulndb/report/json.cc)."""
    return [f for image in report["images"] for f in image["findings"]]


# The report's words for a finding's state and the Debian tracker's urgencies.
REPORT_STATUS = {"affected": "fixed", "unfixed": "unfixed", "will_not_fix": "will-not-fix"}
REPORT_SEVERITY = {"unimportant": "negligible"}


def purl_name(purl):
    m = re.match(r"^pkg:[^/]+/(?:[^@?#]+/)?([^/@?#]+)(?:@|$)", purl)
    return m.group(1) if m else None


def compare(expected_path, report_path):
    """Pairs each expected finding with a reported one: one of the advisory's ids is the
    report's vulnerability, advisory or an alias; same package (as the feed names it; for OS
    packages also the binary package, the purl's name), installed version, fixed version and
    state; and the severity when the expectation has one. Alias merging may fold several
    advisories of one vulnerability into one finding: an expected finding whose ids meet an
    already paired finding of the same package and versions counts as found."""
    expected = json.load(open(expected_path))
    got = report_findings(json.load(open(report_path)))

    def describe_got(g):
        return "%s (advisory %s) %s [%s] %s fixed=%r %s %s" % (
            g["vulnerability"], g["advisory"], g["package"]["name"], g["package"]["purl"],
            g["package"]["version"], g["fixedVersion"], g["status"], g["severity"])

    def same(e, g):
        p = g["package"]
        if (e["package"], e["installed"], e["fixed"]) != (p["name"], p["version"], g["fixedVersion"]):
            return False
        if e.get("binary") and e["binary"] != purl_name(p["purl"]):
            return False
        return REPORT_STATUS[e["status"]] == g["status"]

    def ids_of(g):
        return {g["vulnerability"], g["advisory"]} | set(g["aliases"])

    paired = {}  # report index -> ids of the expected findings folded into it
    problems = []
    for e in expected:
        ids = set(e["ids"])
        candidates = [i for i, g in enumerate(got) if ids & ids_of(g) and same(e, g)]
        fresh = [i for i in candidates if i not in paired]
        if not candidates:
            problems.append("missing: %s %s [%s] %s fixed=%r %s" % (
                e["ids"], e["package"], e.get("binary", ""), e["installed"], e["fixed"], e["status"]))
            continue
        i = (fresh or candidates)[0]
        paired.setdefault(i, set()).update(ids)
        want = REPORT_SEVERITY.get(e["severity"], e["severity"])
        if want and got[i]["severity"] != want:
            problems.append("severity: %s expected %s" % (describe_got(got[i]), want))
    for i, g in enumerate(got):
        if i not in paired:
            problems.append("unexpected: " + describe_got(g))
    for p in problems:
        print(p)
    print("%d expected, %d reported, %d problems" % (len(expected), len(got), len(problems)))
    return 1 if problems else 0


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "debian-feed":
        return debian_feed(*args)
    if cmd == "compare":
        return compare(*args)
    table = {"debian": lambda: debian_expect(args[0], args[1], args[2:]),
             "alpine": lambda: alpine_expect(args[0], args[1], args[2:]),
             "go": lambda: go_expect(*args), "pypi": lambda: pypi_expect(*args),
             "cargo": lambda: cargo_expect(*args), "gem": lambda: gem_expect(*args)}
    json.dump(table[cmd](), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
