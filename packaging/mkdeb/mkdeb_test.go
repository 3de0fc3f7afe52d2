package main

import (
	"bytes"
	"compress/gzip"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

const root = "../.." // the repository root, seen from this package

// require skips the test when a tool is missing, saying which; in CI
// (BK_APPLIANCE=1, set by `make appliance`) a missing tool fails it.
func require(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("BK_APPLIANCE") != "" {
			t.Fatalf("%s is not installed: run scripts/deps.sh appliance", tool)
		}
		t.Skipf("%s is not installed (scripts/deps.sh appliance installs it)", tool)
	}
	return p
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}

// binDir fills a bin directory with the named files, each a copy of this
// test's own executable, which is an ELF program for runtime.GOARCH.
func binDir(t *testing.T, names ...string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the stand-in binaries are this test's executable, an ELF program only on Linux")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, n := range names {
		copyFile(t, self, filepath.Join(dir, n), 0o755)
	}
	return dir
}

func testOptions(bin, out string) Options {
	return Options{
		Root: root, Bin: bin, Out: out, Version: "v1.2.3", GoArch: runtime.GOARCH,
		Maintainer: "Test <test@example.dk>", MTime: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Nfpm: func([]string, []string) error { panic("nfpm must not run for bad inputs") },
	}
}

func TestBuildRefusesBadInputs(t *testing.T) {
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	all := func(t *testing.T) string { return binDir(t, "kiosk", "central", "kioskctl") }
	for _, tc := range []struct {
		name   string
		bin    func(t *testing.T) string
		change func(o *Options)
		want   []string
	}{
		{"no binaries", func(t *testing.T) string { return binDir(t) }, nil,
			[]string{"/kiosk is missing (for /usr/bin/borgerkiosk-kiosk): run `make deb`",
				"/central is missing (for /usr/bin/borgerkiosk-central)", "/kioskctl is missing (for /usr/bin/kioskctl)"}},
		{"kiosk missing", func(t *testing.T) string { return binDir(t, "central", "kioskctl") }, nil,
			[]string{"binary ", "/kiosk is missing (for /usr/bin/borgerkiosk-kiosk): run `make deb`, or pass --bin DIR"}},
		{"not a program", func(t *testing.T) string {
			dir := binDir(t, "central", "kioskctl")
			if err := os.WriteFile(filepath.Join(dir, "kiosk"), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			return dir
		}, nil, []string{"/kiosk is not a Linux (ELF) program"}},
		{"wrong architecture", all, func(o *Options) { o.GoArch = other },
			[]string{"/kiosk is built for", "but the packages are for GOARCH=" + other}},
		{"unknown architecture", all, func(o *Options) { o.GoArch = "wasm" }, []string{`GOARCH "wasm" has no Debian architecture`}},
		{"bad version", all, func(o *Options) { o.Version = "latest" }, []string{`version "latest" is not a Debian version`}},
		{"bad maintainer", all, func(o *Options) { o.Maintainer = "me" }, []string{`maintainer "me" must look like "Name <user@host.domain>"`}},
		{"localhost maintainer", all, func(o *Options) { o.Maintainer = "Me <me@localhost>" }, []string{"has no real mail host; set DEBFULLNAME and DEBEMAIL"}},
		{"wrong root", all, func(o *Options) { o.Root = t.TempDir() },
			[]string{"kiosk.example.toml is missing (for borgerkiosk-kiosk): pass --root", "LICENSE is missing (for the copyright files)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "dist")
			o := testOptions(tc.bin(t), out)
			if tc.change != nil {
				tc.change(&o)
			}
			paths, err := Build(o)
			if err == nil {
				t.Fatalf("Build = %v, nil; want an error", paths)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Build error %q; want it to contain %q", err, w)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("Build made %s although it failed (%v)", out, err)
			}
		})
	}
}

func TestRunRefusesStrayArguments(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run([]string{"--out", t.TempDir(), "extra"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "unexpected arguments: extra") {
		t.Errorf("run with a stray argument = %v; want unexpected arguments: extra", err)
	}
}

func TestDefaultMaintainerIsConfigurable(t *testing.T) {
	t.Setenv("DEBFULLNAME", "")
	t.Setenv("DEBEMAIL", "")
	if got := defaultMaintainer(); got != DefaultMaintainer || !validMaintainer.MatchString(got) || strings.Contains(got, "localhost") {
		t.Errorf("defaultMaintainer() = %q; want %q, a real address", got, DefaultMaintainer)
	}
	t.Setenv("DEBFULLNAME", "Kommune IT")
	t.Setenv("DEBEMAIL", "it@kommune.dk")
	if got := defaultMaintainer(); got != "Kommune IT <it@kommune.dk>" {
		t.Errorf("with DEBFULLNAME and DEBEMAIL, defaultMaintainer() = %q; want Kommune IT <it@kommune.dk>", got)
	}
}

func TestDebianVersion(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"1.2.3", "1.2.3", ""},
		{"v1.2.3", "1.2.3", ""},
		{"v1.2.3-0-g0123abc", "1.2.3", ""},
		{"v1.2.3-4-g0123abc", "1.2.3+git4.g0123abc", ""},
		{"v1.2.3-rc1", "1.2.3~rc1", ""},
		{"v1.2.3-rc1-12-gdeadbee", "1.2.3~rc1+git12.gdeadbee", ""},
		{"v1.2.3-beta.2-0-gdeadbee", "1.2.3~beta.2", ""},
		{"0.1.0~git119.gc1c7d83", "0.1.0~git119.gc1c7d83", ""},
		{"1.0-2", "1.0-2", ""},
		{"", "", "is not a Debian version"},
		{"c1c7d83", "", "is not a Debian version"},
		{"1.0 beta", "", "is not a Debian version"},
		{"1.0_1", "", "is not a Debian version"},
		{"v-1-gabc", "", "is not a Debian version"},
	} {
		got, err := DebianVersion(tc.in)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("DebianVersion(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// The versions DebianVersion and gitVersion make sort as their comments say,
// by dpkg's own rules.
func TestVersionsSortInDpkg(t *testing.T) {
	dpkg := require(t, "dpkg")
	ascending := []string{"v0.1.0~git9.gabc", "0.1.0~git10.gabc", "v0.1.0", "v1.2.3-rc1", "v1.2.3-rc1-12-gdeadbee",
		"v1.2.3-0-gdeadbee", "v1.2.3-4-g0123abc", "v1.2.3-10-g0123abc", "1.2.4"}
	for i := 1; i < len(ascending); i++ {
		a, err1 := DebianVersion(ascending[i-1])
		b, err2 := DebianVersion(ascending[i])
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if err := exec.Command(dpkg, "--compare-versions", a, "lt", b).Run(); err != nil {
			t.Errorf("dpkg --compare-versions %s lt %s: %v; want true (from %s and %s)", a, b, err, ascending[i-1], ascending[i])
		}
	}
}

func TestCopyrightFollowsLicense(t *testing.T) {
	license, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Copyright(string(license))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n",
		"\nFiles: *\nCopyright: 2026 The Borgerkiosk authors\nLicense: Expat\n Permission is hereby granted",
		"\n .\n THE SOFTWARE IS PROVIDED",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Copyright(LICENSE) lacks %q:\n%s", want, got)
		}
	}
	if _, err := Copyright("Apache License\nVersion 2.0\n"); err == nil || !strings.Contains(err.Error(), "only the MIT License") {
		t.Errorf("Copyright of another licence = %v; want an error naming what mkdeb knows", err)
	}
}

// A sample of what Go's flag.PrintDefaults prints: a one-letter bool on one
// line, a typed flag, a usage of two lines, a default.
const sampleHelp = "Usage of central:\n" +
	"  -x\tturn on x\n" +
	"  -addr string\n    \tlisten address host:port\n" +
	"  -demo\n    \tload demo data\n    \t(development only)\n" +
	"  -n int\n    \thow many (default 3)\n" +
	"central: flag: help requested\n"

func TestManPageHasEveryFlag(t *testing.T) {
	opts := parseFlags(sampleHelp)
	want := []option{{"x", "", "turn on x"}, {"addr", "string", "listen address host:port"},
		{"demo", "", "load demo data (development only)"}, {"n", "int", "how many (default 3)"}}
	if len(opts) != len(want) {
		t.Fatalf("parseFlags = %q; want %q", opts, want)
	}
	for i := range want {
		if opts[i] != want[i] {
			t.Errorf("parseFlags[%d] = %q; want %q", i, opts[i], want[i])
		}
	}
	page, err := centralProgram.ManPage(sampleHelp, "1.2.3", time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{".TH BORGERKIOSK-CENTRAL 1 \"2025-01-02\" \"borgerkiosk 1.2.3\"", "borgerkiosk\\-central \\- Borgerkiosk central service",
		".B \\-\\-addr \\fIstring\\fR\nlisten address host:port\n", ".B \\-\\-demo\nload demo data (development only)\n"} {
		if !bytes.Contains(page, []byte(w)) {
			t.Errorf("man page lacks %q:\n%s", w, page)
		}
	}
	if _, err := centralProgram.ManPage("no flags here", "1", time.Now()); err == nil {
		t.Error("ManPage of a help text without flags succeeded; want an error")
	}
	cmds := parseCommands("usage:\n  kioskctl queue --data DIR    list it\n  kioskctl issuer init --out FILE\n")
	if len(cmds) != 2 || cmds[0] != "queue --data DIR    list it" {
		t.Errorf("parseCommands = %q", cmds)
	}
}

// The man pages pass man's own checks (lintian runs the same).
func TestManPagesRenderWithoutWarnings(t *testing.T) {
	man := require(t, "man")
	for _, p := range []Program{kioskProgram, centralProgram, kioskctlProgram} {
		help := sampleHelp
		if p.HelpArgs[0] == "help" {
			help = "usage:\n  kioskctl queue --data DATA_DIR [--json|--summary]    list a stopped kiosk's items\n"
		}
		page, err := p.ManPage(help, "1.2.3", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), p.Name+".1")
		if err := os.WriteFile(f, page, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(man, "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", f)
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "MANWIDTH=80")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("man --warnings %s: %v\n%s", p.Name, err, stderr.String())
		}
	}
}

func TestChangelogAndGzipAreReproducible(t *testing.T) {
	when := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	got := string(Changelog("borgerkiosk-kiosk", "1.2.3", "Test <test@example.dk>", when))
	want := "borgerkiosk-kiosk (1.2.3) unstable; urgency=medium\n\n  * Built from the Borgerkiosk source at version 1.2.3.\n\n -- Test <test@example.dk>  Thu, 02 Jan 2025 03:04:05 +0000\n"
	if got != want {
		t.Errorf("Changelog = %q; want %q", got, want)
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a", "changelog.gz"), filepath.Join(dir, "b", "changelog.gz")
	for _, p := range []string{a, b} {
		if err := writeGzip(p, []byte(want), when); err != nil {
			t.Fatal(err)
		}
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ab, bb) {
		t.Error("the same changelog gzipped twice differs")
	}
	zr, err := gzip.NewReader(bytes.NewReader(ab))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.Equal(when) || ab[8] != 2 {
		t.Errorf("gzip header: name %q, time %v, XFL %d; want no name, %v, 2 (best compression, as gzip -9n)", zr.Name, zr.ModTime, ab[8], when)
	}
}

func TestLibcDepends(t *testing.T) {
	// This test's executable: built without cgo, it imports nothing from
	// glibc, or with cgo, some GLIBC_ version.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	got, err := LibcDepends(self)
	if err != nil {
		t.Fatal(err)
	}
	if got != "" && !strings.HasPrefix(got, "libc6 (>= 2.") {
		t.Errorf("LibcDepends(test binary) = %q; want \"\" or libc6 (>= 2.x)", got)
	}
	for _, tc := range []struct {
		a, b []int
		want bool
	}{{nil, []int{2, 2}, true}, {[]int{2, 2, 5}, []int{2, 34}, true}, {[]int{2, 34}, []int{2, 3, 4}, false}, {[]int{2, 3}, []int{2, 3, 4}, true}} {
		if got := less(tc.a, tc.b); got != tc.want {
			t.Errorf("less(%v, %v) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
	for _, tc := range [][3]string{{"", "libc6 (>= 2.3)", "libc6 (>= 2.3)"}, {"libc6 (>= 2.34)", "libc6 (>= 2.3.4)", "libc6 (>= 2.34)"},
		{"libc6 (>= 2.3.4)", "", "libc6 (>= 2.3.4)"}, {"libc6 (>= 2.17)", "libc6 (>= 2.34)", "libc6 (>= 2.34)"}} {
		if got := newestLibc(tc[0], tc[1]); got != tc[2] {
			t.Errorf("newestLibc(%q, %q) = %q; want %q", tc[0], tc[1], got, tc[2])
		}
	}
	if _, err := LibcDepends(filepath.Join(root, "LICENSE")); err == nil {
		t.Error("LibcDepends(LICENSE) succeeded; want an error")
	}
}

func TestMaintainerScriptsAreValidShell(t *testing.T) {
	sh := require(t, "sh")
	scripts, _ := filepath.Glob(filepath.Join(root, "packaging/deb/*"))
	if len(scripts) != 6 {
		t.Fatalf("found %d maintainer scripts; want 6", len(scripts))
	}
	for _, s := range scripts {
		if out, err := exec.Command(sh, "-n", s).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v\n%s", s, err, out)
		}
	}
}

func TestFyneAppMetadata(t *testing.T) {
	var meta struct {
		Website string
		Details struct {
			Icon, Name, ID, Version string
			Build                   int
		}
		LinuxAndBSD struct {
			GenericName, Comment string
			Categories           []string
		}
	}
	md, err := toml.DecodeFile(filepath.Join(root, "packaging/FyneApp.toml"), &meta)
	if err != nil {
		t.Fatal(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Errorf("FyneApp.toml has keys Fyne does not read: %v", und)
	}
	if meta.Details.ID != "dk.borgerkiosk.kiosk" || meta.Details.Name == "" || meta.Details.Version == "" {
		t.Errorf("FyneApp.toml Details = %+v; want ID dk.borgerkiosk.kiosk, a name and a version", meta.Details)
	}
	f, err := os.Open(filepath.Join(root, "packaging", meta.Details.Icon))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", meta.Details.Icon, err)
	}
	// The package installs it under hicolor/512x512.
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("%s is %dx%d; want 512x512", meta.Details.Icon, b.Dx(), b.Dy())
	}
}

// `make deb` installs what building the packages needs (scripts/deps.sh
// deb): a C compiler, the kiosk's X11/GL headers and git, none of the test
// and check tools that `make test` and `make appliance` install.
func TestMakeDebInstallsOnlyBuildNeeds(t *testing.T) {
	list := func(mode ...string) []string {
		out, err := exec.Command("bash", append([]string{filepath.Join(root, "scripts/deps.sh"), "--list"}, mode...)...).Output()
		if err != nil {
			t.Fatalf("scripts/deps.sh --list %v: %v", mode, err)
		}
		return strings.Fields(string(out))
	}
	deb, all, appliance := list("deb"), list(), list("appliance")
	build := regexp.MustCompile(`^(gcc|pkg-config|git|lib[a-z0-9-]+-dev)$`)
	for _, p := range deb {
		if !build.MatchString(p) {
			t.Errorf("make deb installs %s, which building packages does not need", p)
		}
	}
	// The check itself can fail: the full and appliance lists hold tools.
	for _, tool := range []string{"xvfb", "chromium", "postgresql"} {
		if !slices.Contains(all, tool) {
			t.Errorf("scripts/deps.sh (make test) does not list %s; this test's idea of the lists is stale", tool)
		}
	}
	for _, tool := range []string{"lintian", "cage", "grim"} {
		if !slices.Contains(appliance, tool) || slices.Contains(deb, tool) {
			t.Errorf("%s: want it in the appliance list only (deb %q, appliance %q)", tool, deb, appliance)
		}
	}
	if !slices.Contains(deb, "gcc") || !slices.Contains(deb, "libx11-dev") {
		t.Errorf("make deb installs %q; the kiosk's cgo build needs gcc and the X11 headers", deb)
	}
}
