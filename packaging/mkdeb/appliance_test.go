package main

// The appliance suite: checks on the real packages, which take minutes
// (building the cgo kiosk, lintian) and so run in `make appliance`, not in
// `make test`. `make appliance` builds the packages into dist/ with
// `make deb` and sets BK_DIST to it; without BK_DIST these tests skip.

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// dist returns the .deb files `make deb` built, by package name.
func dist(t *testing.T) map[string]string {
	t.Helper()
	dir := os.Getenv("BK_DIST")
	if dir == "" {
		if os.Getenv("BK_APPLIANCE") != "" {
			t.Fatal("BK_APPLIANCE is set but BK_DIST is not: the appliance suite needs the built packages")
		}
		t.Skip("BK_DIST is not set: run `make appliance`, which builds the packages first")
	}
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	m := map[string]string{}
	for _, d := range debs {
		name, _, _ := strings.Cut(filepath.Base(d), "_")
		m[name] = d
	}
	for _, p := range Packages {
		if m[p.Name] == "" {
			t.Fatalf("%s holds no %s package (found %v)", dir, p.Name, debs)
		}
	}
	return m
}

func dpkgDeb(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("dpkg-deb", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestLintianAcceptsPackages: Debian's own checker finds no error and no
// warning in any package (informational notes are allowed).
func TestLintianAcceptsPackages(t *testing.T) {
	debs := dist(t)
	lintian := require(t, "lintian")
	for name, deb := range debs {
		t.Run(name, func(t *testing.T) {
			// --fail-on none: the exit code is ours to decide, from the tags.
			cmd := exec.Command(lintian, "--fail-on", "none", "--tag-display-limit", "0", deb)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("lintian %s: %v\n%s", deb, err, out)
			}
			var bad []string
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, "E: ") || strings.HasPrefix(line, "W: ") {
					bad = append(bad, line)
				}
			}
			if len(bad) > 0 {
				t.Errorf("lintian %s: %d errors and warnings:\n%s", filepath.Base(deb), len(bad), strings.Join(bad, "\n"))
			}
		})
	}
}

// TestPackagesHoldWhatTheyShould: files and their modes, conffiles, the
// dependencies that matter, and the binaries are hardened as lintian wants.
func TestPackagesHoldWhatTheyShould(t *testing.T) {
	debs := dist(t)
	want := map[string]struct {
		files     []string
		conffiles []string
		depends   []*regexp.Regexp
	}{
		"borgerkiosk-kiosk": {
			files: []string{"/usr/bin/borgerkiosk-kiosk", "/lib/systemd/system/borgerkiosk-kiosk.service",
				"/lib/systemd/system/borgerkiosk-kiosk-failed.service", "/etc/pam.d/borgerkiosk-kiosk",
				"/usr/share/doc/borgerkiosk-kiosk/examples/99-borgerkiosk.rules", "/etc/borgerkiosk/kiosk.toml",
				"/usr/share/icons/hicolor/512x512/apps/borgerkiosk.png", "/usr/share/man/man1/borgerkiosk-kiosk.1.gz",
				"/usr/share/doc/borgerkiosk-kiosk/changelog.gz", "/usr/share/doc/borgerkiosk-kiosk/copyright"},
			conffiles: []string{"/etc/borgerkiosk/kiosk.toml", "/etc/pam.d/borgerkiosk-kiosk"},
			depends: []*regexp.Regexp{regexp.MustCompile(`^libc6 \(>= 2\.\d+\)$`), regexp.MustCompile(`^cage$`),
				regexp.MustCompile(`^borgerkiosk-kioskctl \(= .+\)$`)},
		},
		"borgerkiosk-central": {
			files: []string{"/usr/bin/borgerkiosk-central", "/lib/systemd/system/borgerkiosk-central.service",
				"/lib/systemd/system/borgerkiosk-central-failed.service", "/etc/borgerkiosk/central.toml",
				"/usr/share/man/man1/borgerkiosk-central.1.gz", "/usr/share/doc/borgerkiosk-central/changelog.gz",
				"/usr/share/doc/borgerkiosk-central/copyright"},
			conffiles: []string{"/etc/borgerkiosk/central.toml"},
			depends:   []*regexp.Regexp{regexp.MustCompile(`^libc6 \(>= 2\.\d+\)$`), regexp.MustCompile(`^adduser$`)},
		},
		"borgerkiosk-kioskctl": {
			files: []string{"/usr/bin/kioskctl", "/usr/share/man/man1/kioskctl.1.gz",
				"/usr/share/doc/borgerkiosk-kioskctl/changelog.gz", "/usr/share/doc/borgerkiosk-kioskctl/copyright"},
			depends: []*regexp.Regexp{regexp.MustCompile(`^libc6 \(>= 2\.\d+\)$`)},
		},
	}
	owner := map[string]string{}
	for name, deb := range debs {
		w := want[name]
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(dpkgDeb(t, "--contents", deb)), "\n") {
				f := strings.Fields(line)
				path := strings.TrimPrefix(f[len(f)-1], ".")
				files[path] = f[0] + " " + f[1]
				if f[0][0] != 'd' {
					if other, ok := owner[path]; ok {
						t.Errorf("%s and %s both hold %s: dpkg would refuse to install both", other, name, path)
					}
					owner[path] = name
				}
			}
			for _, f := range w.files {
				mode := "-rw-r--r-- root/root"
				if strings.HasPrefix(f, "/usr/bin/") {
					mode = "-rwxr-xr-x root/root"
				}
				if files[f] != mode {
					t.Errorf("%s: %s is %q; want %q", name, f, files[f], mode)
				}
			}
			for path, mode := range files {
				if mode[0] != 'd' && !slices.Contains(w.files, path) {
					t.Errorf("%s holds %s, which it should not", name, path)
				}
			}
			conf := ""
			if len(w.conffiles) > 0 {
				conf = dpkgDeb(t, "--info", deb, "conffiles")
			}
			if got := strings.Fields(conf); !slices.Equal(got, w.conffiles) {
				t.Errorf("%s: conffiles %q; want %q", name, got, w.conffiles)
			}
			depends := strings.Split(strings.TrimSpace(dpkgDeb(t, "--field", deb, "Depends")), ", ")
			for _, re := range w.depends {
				if !slices.ContainsFunc(depends, re.MatchString) {
					t.Errorf("%s: Depends %q has nothing matching %s", name, depends, re)
				}
			}
		})
	}
}

// TestReproducible builds the packages twice, from two checkouts of the
// same commit in two directories, the way `make deb` does, and wants the
// same bytes, and no path of the build machine in the binaries.
//
// With -trimpath the Go build cache serves both builds (the directory is not
// part of a package's cache key), so by default this checks the packaging
// and the paths; BK_REPRO_COLD=1 builds the second checkout with an empty
// cache of its own, a build that shares nothing but the module downloads
// (8.5 minutes on 2 loaded cores, so not in CI).
func TestReproducible(t *testing.T) {
	dist(t) // only in the appliance suite: two kiosk links take minutes
	gitTool := require(t, "git")
	head, err := exec.Command(gitTool, "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	// Where a leak would come from: this checkout, Go's own tree and its
	// module cache, and the home directory.
	machine := []string{abs}
	for _, v := range []string{"GOROOT", "GOMODCACHE"} {
		if out, err := exec.Command("go", "env", v).Output(); err == nil && len(bytes.TrimSpace(out)) > 1 {
			machine = append(machine, string(bytes.TrimSpace(out)))
		}
	}
	if home, err := os.UserHomeDir(); err == nil && len(home) > 1 {
		machine = append(machine, home+"/")
	}
	var sums []map[string]string
	for i, name := range []string{"first", "second-checkout"} {
		dir := filepath.Join(t.TempDir(), name)
		var env []string
		if i == 1 && os.Getenv("BK_REPRO_COLD") != "" {
			env = []string{"GOCACHE=" + filepath.Join(t.TempDir(), "gocache")}
			t.Logf("building %s with an empty Go build cache (BK_REPRO_COLD)", dir)
		}
		run := func(dir string, args ...string) {
			t.Helper()
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
			}
		}
		// A clone, not a worktree: nothing of the shared repository changes.
		run(root, gitTool, "clone", "--quiet", "--shared", "--no-checkout", ".", dir)
		run(dir, gitTool, "checkout", "--quiet", "--detach", strings.TrimSpace(string(head)))
		run(dir, "scripts/deb-binaries.sh", "bin/deb")
		run(filepath.Join(dir, "packaging"), "go", "run", "./mkdeb", "--root", "..", "--bin", "../bin/deb", "--out", "../dist",
			"--maintainer", "Test <test@example.dk>")
		// The binaries, not the compressed .deb, are where a path would show.
		bins, _ := filepath.Glob(filepath.Join(dir, "bin", "deb", "*"))
		for _, b := range bins {
			data, err := os.ReadFile(b)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range append([]string{dir}, machine...) {
				if n := bytes.Count(data, []byte(p)); n > 0 {
					t.Errorf("%s holds the build machine's path %s %d times", b, p, n)
				}
			}
		}
		debs, _ := filepath.Glob(filepath.Join(dir, "dist", "*.deb"))
		if len(debs) != len(Packages) {
			t.Fatalf("%s: built %v; want %d packages", dir, debs, len(Packages))
		}
		m := map[string]string{}
		for _, d := range debs {
			b, err := os.ReadFile(d)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			m[filepath.Base(d)] = hex.EncodeToString(sum[:])
		}
		sums = append(sums, m)
	}
	for deb, sum := range sums[0] {
		if sums[1][deb] != sum {
			t.Errorf("%s: sha256 %s in one checkout, %s in the other; want the same bytes", deb, sum, sums[1][deb])
		}
	}
}

// TestUnitsAreHardened: systemd's own assessment of the units, offline.
func TestUnitsAreHardened(t *testing.T) {
	analyze := require(t, "systemd-analyze")
	for unit, max := range map[string]float64{"borgerkiosk-central.service": 2.5, "borgerkiosk-kiosk.service": 5.0} {
		path := filepath.Join(root, "packaging/systemd", unit)
		out, err := exec.Command(analyze, "security", "--offline=yes", "--no-pager", path).CombinedOutput()
		// It exits non-zero when the score is above its own threshold (10
		// by default); what counts is the score it prints.
		m := regexp.MustCompile(`Overall exposure level for ` + regexp.QuoteMeta(unit) + `: (\d+\.\d+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("systemd-analyze security %s: %v; no score in\n%s", unit, err, out)
		}
		score, _ := strconv.ParseFloat(string(m[1]), 64)
		if score > max {
			t.Errorf("systemd-analyze security scores %s %.1f; want at most %.1f:\n%s", unit, score, max, out)
		} else {
			t.Logf("%s: exposure %.1f (at most %.1f)", unit, score, max)
		}
	}
}

// TestUnitsUsePackagedPaths: the units start what the packages install,
// with the configuration they install, and the watchdog is on.
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
		for _, line := range []string{"Type=notify", "WatchdogSec=30s", "StartLimitBurst=5", "OnFailure=" + strings.TrimSuffix(unit, ".service") + "-failed.service"} {
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(line) + `$`).Match(b) {
				t.Errorf("%s lacks %s", unit, line)
			}
		}
	}
	for _, p := range Packages {
		b, err := os.ReadFile(filepath.Join(root, "packaging/nfpm", p.Config))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Files {
			if !strings.HasPrefix(f, "deb/") && !bytes.Contains(b, []byte("src: "+f+"\n")) {
				t.Errorf("nfpm/%s does not install %s, which mkdeb checks for it", p.Config, f)
			}
		}
	}
}

// unit reads a systemd unit file: section → key → every value given (a key
// may come more than once, After= and Wants= lists split into names).
func unit(t *testing.T, name string) map[string]map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "packaging/systemd", name))
	if err != nil {
		t.Fatal(err)
	}
	u := map[string]map[string][]string{}
	var sec map[string][]string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			sec = map[string][]string{}
			u[strings.Trim(line, "[]")] = sec
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || sec == nil {
				t.Fatalf("%s: a line that is no key=value in a section: %q", name, line)
			}
			switch k {
			case "After", "Before", "Wants", "Requires", "Conflicts", "WantedBy":
				sec[k] = append(sec[k], strings.Fields(v)...)
			default:
				sec[k] = append(sec[k], v)
			}
		}
	}
	return u
}

// TestKioskUnitFollowsCage: every directive of cage's reference unit
// (https://github.com/cage-kiosk/cage/wiki/Starting-Cage-on-boot-with-systemd,
// for tty1), and its PAM file; the locale the unit sets is the one the
// package generates.
func TestKioskUnitFollowsCage(t *testing.T) {
	u := unit(t, "borgerkiosk-kiosk.service")
	for _, d := range []struct{ sec, key, value string }{
		// Started once logins are permitted, after Plymouth leaves.
		{"Unit", "After", "systemd-user-sessions.service"},
		{"Unit", "After", "plymouth-quit-wait.service"},
		{"Unit", "Before", "graphical.target"},
		{"Unit", "ConditionPathExists", "/dev/tty0"},
		// logind, over D-Bus, gives cage its seat.
		{"Unit", "Wants", "dbus.socket"},
		{"Unit", "Wants", "systemd-logind.service"},
		{"Unit", "After", "dbus.socket"},
		{"Unit", "After", "systemd-logind.service"},
		// It replaces the getty on its tty.
		{"Unit", "Conflicts", "getty@tty1.service"},
		{"Unit", "After", "getty@tty1.service"},
		{"Service", "Restart", "always"},
		{"Service", "User", "kiosk"},
		{"Service", "UtmpIdentifier", "tty1"},
		{"Service", "UtmpMode", "user"},
		{"Service", "TTYPath", "/dev/tty1"},
		{"Service", "TTYReset", "yes"},
		{"Service", "TTYVHangup", "yes"},
		{"Service", "TTYVTDisallocate", "yes"},
		{"Service", "StandardInput", "tty-fail"},
		{"Service", "StandardOutput", "journal"},
		{"Service", "PAMName", "borgerkiosk-kiosk"},
		{"Install", "WantedBy", "graphical.target"},
	} {
		if !slices.Contains(u[d.sec][d.key], d.value) {
			t.Errorf("borgerkiosk-kiosk.service: [%s] %s= is %q; cage's reference unit has %s", d.sec, d.key, u[d.sec][d.key], d.value)
		}
	}
	if got := u["Service"]["ExecStart"]; len(got) != 1 || !strings.HasPrefix(got[0], "/usr/bin/cage ") {
		t.Errorf("borgerkiosk-kiosk.service: ExecStart=%q; want the kiosk under /usr/bin/cage", got)
	}
	pam, err := os.ReadFile(filepath.Join(root, "packaging/pam/borgerkiosk-kiosk"))
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, line := range strings.Split(string(pam), "\n") {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
			rules = append(rules, strings.Join(f, " "))
		}
	}
	if want := []string{"auth required pam_unix.so nullok", "account required pam_unix.so",
		"session required pam_unix.so", "session required pam_systemd.so"}; !slices.Equal(rules, want) {
		t.Errorf("pam/borgerkiosk-kiosk has %q; want cage's %q", rules, want)
	}

	// LANG=xx_YY.UTF-8 in the unit; postinst puts "xx_YY.UTF-8 UTF-8" in
	// /etc/locale.gen (the dpkg test sees locale -a list it).
	var lang string
	for _, e := range u["Service"]["Environment"] {
		if v, ok := strings.CutPrefix(e, "LANG="); ok {
			lang = v
		}
	}
	post, err := os.ReadFile(filepath.Join(root, "packaging/deb/kiosk.postinst"))
	if err != nil {
		t.Fatal(err)
	}
	if lang == "" || !bytes.Contains(post, []byte("echo '"+lang+" UTF-8' >>/etc/locale.gen")) {
		t.Errorf("the kiosk unit sets LANG=%q, which kiosk.postinst does not generate", lang)
	}
}

// TestUnitsWantTheNetworkTheyWait: an After= on a network target without
// a Wants= waits for nothing (the target is pulled in by nobody).
func TestUnitsWantTheNetworkTheyWait(t *testing.T) {
	for _, name := range []string{"borgerkiosk-kiosk.service", "borgerkiosk-central.service"} {
		u := unit(t, name)
		n := 0
		for _, after := range u["Unit"]["After"] {
			if strings.HasPrefix(after, "network") {
				n++
				if !slices.Contains(u["Unit"]["Wants"], after) {
					t.Errorf("%s: After=%s without Wants=%s", name, after, after)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s waits for no network target; it talks to the network", name)
		}
	}
}

// hardening says what Debian's hardening lacks in an ELF program, or "":
// position-independent (ET_DYN with PT_INTERP), RELRO, and BIND_NOW, which
// makes the RELRO full (lintian's hardening-no-pie, -no-relro, -no-bindnow).
func hardening(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lacks []string
	interp, relro := false, false
	for _, p := range f.Progs {
		interp = interp || p.Type == elf.PT_INTERP
		relro = relro || p.Type == elf.PT_GNU_RELRO
	}
	if f.Type != elf.ET_DYN || !interp {
		lacks = append(lacks, "PIE")
	}
	if !relro {
		lacks = append(lacks, "RELRO")
	}
	flags, _ := f.DynValue(elf.DT_FLAGS)
	flags1, _ := f.DynValue(elf.DT_FLAGS_1)
	if !slices.ContainsFunc(flags, func(v uint64) bool { return v&uint64(elf.DF_BIND_NOW) != 0 }) &&
		!slices.ContainsFunc(flags1, func(v uint64) bool { return v&uint64(elf.DF_1_NOW) != 0 }) {
		lacks = append(lacks, "BIND_NOW")
	}
	if len(lacks) == 0 {
		return ""
	}
	return fmt.Sprintf("%s lacks %s", path, strings.Join(lacks, ", "))
}

// TestPackagedBinariesAreHardened: every program in the packages is PIE
// with full RELRO (lintian reports a missing BIND_NOW only as information).
func TestPackagedBinariesAreHardened(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// go test links its binary without -buildmode=pie or -bindnow.
	if why := hardening(self); !strings.Contains(why, "BIND_NOW") {
		t.Errorf("hardening(the test binary) = %q; want it to lack BIND_NOW", why)
	}
	for name, deb := range dist(t) {
		dir := t.TempDir()
		dpkgDeb(t, "-x", deb, dir)
		bins, _ := filepath.Glob(filepath.Join(dir, "usr/bin/*"))
		if len(bins) == 0 {
			t.Errorf("%s holds no /usr/bin program", name)
		}
		for _, b := range bins {
			if why := hardening(b); why != "" {
				t.Errorf("%s: %s", name, strings.TrimPrefix(why, dir))
			} else {
				t.Logf("%s: %s is PIE with full RELRO", name, strings.TrimPrefix(b, dir))
			}
		}
	}
}
