package main

import (
	"bytes"
	"image/png"
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
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

const root = "../.." // the repository root, seen from this package

// buildBinaries compiles the real central and kioskctl (no cgo) into a
// temporary bin directory. The real kiosk binary needs cgo and two minutes
// of GLFW's C code, so a copy of kioskctl stands in for it: this test checks
// the packaging, not the binary.
func buildBinaries(t *testing.T) string {
	t.Helper()
	goTool := testtool.Require(t, "go")
	bin := t.TempDir()
	for _, name := range []string{"central", "kioskctl"} {
		cmd := exec.Command(goTool, "build", "-ldflags=-s -w", "-o", filepath.Join(bin, name), "./cmd/"+name)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd/%s: %v\n%s", name, err, out)
		}
	}
	copyFile(t, filepath.Join(bin, "kioskctl"), filepath.Join(bin, "kiosk"), 0o755)
	return bin
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

func testOptions(bin, out string) Options {
	return Options{
		Root: root, Bin: bin, Out: out, Version: "v1.2.3", GoArch: runtime.GOARCH,
		Maintainer: "Test <test@example.dk>", MTime: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

// debFile is one line of `dpkg-deb --contents`.
type debFile struct{ mode, owner string }

func dpkgDeb(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("dpkg-deb", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func contents(t *testing.T, deb string) map[string]debFile {
	t.Helper()
	m := map[string]debFile{}
	for _, line := range strings.Split(strings.TrimSpace(dpkgDeb(t, "--contents", deb)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			t.Fatalf("dpkg-deb --contents %s: odd line %q", deb, line)
		}
		m[strings.TrimPrefix(f[len(f)-1], ".")] = debFile{mode: f[0], owner: f[1]}
	}
	return m
}

func TestBuildMakesInstallablePackages(t *testing.T) {
	testtool.Require(t, "dpkg-deb")
	bin := buildBinaries(t)
	out := filepath.Join(t.TempDir(), "dist")
	paths, err := Build(testOptions(bin, out))
	if err != nil {
		t.Fatal(err)
	}
	arch := debArch[runtime.GOARCH]
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	wantNames := []string{
		"borgerkiosk-kiosk_1.2.3_" + arch + ".deb",
		"borgerkiosk-central_1.2.3_" + arch + ".deb",
		"borgerkiosk-kioskctl_1.2.3_" + arch + ".deb",
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("Build wrote %v; want %v", names, wantNames)
	}

	type want struct {
		files      map[string]string // path → mode as dpkg-deb shows it
		sources    map[string]string // path → file it must equal
		conffiles  []string
		depends    []string
		recommends []string
		scripts    []string
	}
	wants := map[string]want{
		"borgerkiosk-kiosk": {
			files: map[string]string{
				"/usr/bin/borgerkiosk-kiosk":                            "-rwxr-xr-x",
				"/lib/systemd/system/borgerkiosk-kiosk.service":         "-rw-r--r--",
				"/lib/udev/rules.d/99-borgerkiosk.rules":                "-rw-r--r--",
				"/etc/borgerkiosk/kiosk.toml":                           "-rw-r--r--",
				"/usr/share/icons/hicolor/512x512/apps/borgerkiosk.png": "-rw-r--r--",
			},
			sources: map[string]string{
				"/usr/bin/borgerkiosk-kiosk":                            filepath.Join(bin, "kiosk"),
				"/lib/systemd/system/borgerkiosk-kiosk.service":         root + "/packaging/systemd/borgerkiosk-kiosk.service",
				"/lib/udev/rules.d/99-borgerkiosk.rules":                root + "/packaging/udev/99-borgerkiosk.rules",
				"/etc/borgerkiosk/kiosk.toml":                           root + "/packaging/kiosk.example.toml",
				"/usr/share/icons/hicolor/512x512/apps/borgerkiosk.png": root + "/packaging/icon.png",
			},
			conffiles: []string{"/etc/borgerkiosk/kiosk.toml"},
			depends: []string{"cage", "xwayland", "espeak-ng", "libgl1", "fonts-dejavu-core", "adduser",
				"borgerkiosk-kioskctl (= 1.2.3)"},
			scripts: []string{"postinst", "prerm", "postrm"},
		},
		"borgerkiosk-central": {
			files: map[string]string{
				"/usr/bin/borgerkiosk-central":                    "-rwxr-xr-x",
				"/lib/systemd/system/borgerkiosk-central.service": "-rw-r--r--",
				"/etc/borgerkiosk/central.toml":                   "-rw-r--r--",
			},
			sources: map[string]string{
				"/usr/bin/borgerkiosk-central":                    filepath.Join(bin, "central"),
				"/lib/systemd/system/borgerkiosk-central.service": root + "/packaging/systemd/borgerkiosk-central.service",
				"/etc/borgerkiosk/central.toml":                   root + "/packaging/central.example.toml",
			},
			conffiles:  []string{"/etc/borgerkiosk/central.toml"},
			depends:    []string{"adduser"},
			recommends: []string{"borgerkiosk-kioskctl (= 1.2.3)"},
			scripts:    []string{"postinst", "prerm", "postrm"},
		},
		"borgerkiosk-kioskctl": {
			files:   map[string]string{"/usr/bin/kioskctl": "-rwxr-xr-x"},
			sources: map[string]string{"/usr/bin/kioskctl": filepath.Join(bin, "kioskctl")},
		},
	}

	owner := map[string]string{} // file path → package, to find clashes
	for _, deb := range paths {
		name, _, _ := strings.Cut(filepath.Base(deb), "_")
		w := wants[name]
		t.Run(name, func(t *testing.T) {
			fields := map[string]string{}
			for _, f := range []string{"Package", "Version", "Architecture", "Maintainer", "Depends", "Recommends"} {
				fields[f] = strings.TrimSpace(dpkgDeb(t, "--field", deb, f))
			}
			if fields["Package"] != name || fields["Version"] != "1.2.3" || fields["Architecture"] != arch ||
				fields["Maintainer"] != "Test <test@example.dk>" {
				t.Errorf("control fields %v; want Package %s, Version 1.2.3, Architecture %s, the given Maintainer", fields, name, arch)
			}
			for _, field := range []struct {
				name string
				want []string
			}{{"Depends", w.depends}, {"Recommends", w.recommends}} {
				got := strings.Split(fields[field.name], ", ")
				for _, d := range field.want {
					if !slices.Contains(got, d) {
						t.Errorf("%s: %s = %q; want it to contain %q", name, field.name, fields[field.name], d)
					}
				}
			}

			files := contents(t, deb)
			for path, mode := range w.files {
				f, ok := files[path]
				switch {
				case !ok:
					t.Errorf("%s lacks %s", name, path)
				case f.mode != mode || f.owner != "root/root":
					t.Errorf("%s: %s is %s %s; want %s root/root", name, path, f.mode, f.owner, mode)
				}
			}
			for path, f := range files {
				if f.mode[0] == 'd' {
					continue
				}
				if _, ok := w.files[path]; !ok {
					t.Errorf("%s holds %s, which it should not", name, path)
				}
				if other, ok := owner[path]; ok {
					t.Errorf("%s and %s both hold %s: dpkg would refuse to install both", other, name, path)
				}
				owner[path] = name
			}

			// What dpkg unpacks is byte for byte what we packed.
			dir := t.TempDir()
			dpkgDeb(t, "--extract", deb, dir)
			for path, src := range w.sources {
				got, err1 := os.ReadFile(filepath.Join(dir, path))
				want, err2 := os.ReadFile(src)
				if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
					t.Errorf("%s: %s differs from %s (%v, %v)", name, path, src, err1, err2)
				}
			}

			conf := ""
			if len(w.conffiles) > 0 {
				conf = dpkgDeb(t, "--info", deb, "conffiles")
			}
			if got := strings.Fields(conf); !slices.Equal(got, w.conffiles) {
				t.Errorf("%s: conffiles %q; want %q", name, got, w.conffiles)
			}

			info := dpkgDeb(t, "--info", deb)
			for _, s := range w.scripts {
				// dpkg-deb marks an executable control member with '*'.
				if !regexp.MustCompile(`\*\s+` + s + `\s+#!/bin/sh`).MatchString(info) {
					t.Errorf("%s: no executable /bin/sh %s in\n%s", name, s, info)
				}
			}
		})
	}

	postinst := map[string]string{}
	for _, deb := range paths {
		name, _, _ := strings.Cut(filepath.Base(deb), "_")
		if slices.Contains(wants[name].scripts, "postinst") {
			postinst[name] = dpkgDeb(t, "--info", deb, "postinst")
		}
	}
	for _, want := range []struct{ pkg, text string }{
		{"borgerkiosk-kiosk", "adduser --system --group"},
		{"borgerkiosk-kiosk", " kiosk\n"},
		{"borgerkiosk-kiosk", "for g in dialout audio video input"},
		{"borgerkiosk-kiosk", "udevadm control --reload"},
		{"borgerkiosk-central", "adduser --system --group"},
		{"borgerkiosk-central", " borgerkiosk\n"},
	} {
		if !strings.Contains(postinst[want.pkg], want.text) {
			t.Errorf("%s postinst lacks %q:\n%s", want.pkg, want.text, postinst[want.pkg])
		}
	}
}

// The units start what the packages install, with the config they install.
func TestUnitsUsePackagedPaths(t *testing.T) {
	for unit, want := range map[string]string{
		"borgerkiosk-kiosk.service":   "/usr/bin/borgerkiosk-kiosk --config /etc/borgerkiosk/kiosk.toml",
		"borgerkiosk-central.service": "/usr/bin/borgerkiosk-central --config /etc/borgerkiosk/central.toml",
	} {
		b, err := os.ReadFile(filepath.Join(root, "packaging/systemd", unit))
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`(?m)^ExecStart=.*` + regexp.QuoteMeta(want) + `$`).Match(b) {
			t.Errorf("%s: ExecStart does not end in %q", unit, want)
		}
	}
	var installed []string
	for _, p := range Packages(root, "bin", "1.0") {
		for _, c := range p.Contents {
			installed = append(installed, c.Destination)
		}
	}
	for _, p := range []string{"/usr/bin/borgerkiosk-kiosk", "/usr/bin/borgerkiosk-central", "/etc/borgerkiosk/kiosk.toml", "/etc/borgerkiosk/central.toml"} {
		if !slices.Contains(installed, p) {
			t.Errorf("no package installs %s, which a unit uses", p)
		}
	}
}

func TestMaintainerScriptsAreValidShell(t *testing.T) {
	sh := testtool.Require(t, "sh")
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

func TestBuildRefusesBadInputs(t *testing.T) {
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	for _, tc := range []struct {
		name   string
		bin    func(t *testing.T) string
		change func(o *Options)
		want   []string
	}{
		{"no binaries", func(t *testing.T) string { return binDir(t) }, nil,
			[]string{"/kiosk is missing (for /usr/bin/borgerkiosk-kiosk): run `make build` first",
				"/central is missing (for /usr/bin/borgerkiosk-central)", "/kioskctl is missing (for /usr/bin/kioskctl)"}},
		{"kiosk missing", func(t *testing.T) string { return binDir(t, "central", "kioskctl") }, nil,
			[]string{"binary ", "/kiosk is missing (for /usr/bin/borgerkiosk-kiosk): run `make build` first, or pass --bin DIR"}},
		{"not a program", func(t *testing.T) string {
			dir := binDir(t, "central", "kioskctl")
			if err := os.WriteFile(filepath.Join(dir, "kiosk"), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			return dir
		}, nil, []string{"/kiosk is not a Linux (ELF) program"}},
		{"wrong architecture", func(t *testing.T) string { return binDir(t, "kiosk", "central", "kioskctl") },
			func(o *Options) { o.GoArch = other }, []string{"/kiosk is built for", "but the packages are for GOARCH=" + other}},
		{"unknown architecture", func(t *testing.T) string { return binDir(t, "kiosk", "central", "kioskctl") },
			func(o *Options) { o.GoArch = "wasm" }, []string{`GOARCH "wasm" has no Debian architecture`}},
		{"bad version", func(t *testing.T) string { return binDir(t, "kiosk", "central", "kioskctl") },
			func(o *Options) { o.Version = "latest" }, []string{`version "latest" is not a Debian version`}},
		{"bad maintainer", func(t *testing.T) string { return binDir(t, "kiosk", "central", "kioskctl") },
			func(o *Options) { o.Maintainer = "me" }, []string{`maintainer "me" must look like "Name <email>"`}},
		{"wrong root", func(t *testing.T) string { return binDir(t, "kiosk", "central", "kioskctl") },
			func(o *Options) { o.Root = t.TempDir() }, []string{"kiosk.example.toml is missing (for /etc/borgerkiosk/kiosk.toml): run mkdeb from the repository root, or pass --root DIR"}},
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

// The versions DebianVersion and gitVersion make sort as their comments say,
// by dpkg's own rules.
func TestVersionsSortInDpkg(t *testing.T) {
	dpkg := testtool.Require(t, "dpkg")
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
