package main

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Copyright is /usr/share/doc/PKG/copyright in Debian's machine-readable
// format, from the repository's LICENSE: its copyright line and its full
// text (the MIT licence is not in /usr/share/common-licenses, so Debian
// wants the text itself).
func Copyright(license string) (string, error) {
	lines := strings.Split(strings.TrimSpace(license), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "MIT License" {
		return "", fmt.Errorf("the first line is %q; mkdeb knows how to describe only the MIT License", lines[0])
	}
	holder := ""
	for _, l := range lines {
		if m := copyrightLine.FindStringSubmatch(l); m != nil {
			holder = m[1]
			break
		}
	}
	if holder == "" {
		return "", fmt.Errorf("no line \"Copyright (c) YEAR HOLDER\"")
	}
	var b strings.Builder
	b.WriteString("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
	b.WriteString("Upstream-Name: borgerkiosk\n")
	b.WriteString("Source: https://github.com/borgerkiosk/borgerkiosk\n\n")
	b.WriteString("Files: *\n")
	b.WriteString("Copyright: " + holder + "\n")
	b.WriteString("License: Expat\n")
	// The body, as the format wants it: every line indented, empty ones ".".
	var body []string
	for _, l := range lines[1:] {
		if !copyrightLine.MatchString(l) {
			body = append(body, strings.TrimRight(l, " \t"))
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(strings.Join(body, "\n")), "\n") {
		if l == "" {
			l = "."
		}
		b.WriteString(" " + l + "\n")
	}
	return b.String(), nil
}

var copyrightLine = regexp.MustCompile(`^Copyright \([cC]\) (\d{4}.*)$`)

// Changelog is a native package's /usr/share/doc/PKG/changelog: one entry
// for this version, dated by the commit, so it follows from the version
// rather than being kept by hand.
func Changelog(pkg, version, maintainer string, when time.Time) []byte {
	return fmt.Appendf(nil, "%s (%s) unstable; urgency=medium\n\n  * Built from the Borgerkiosk source at version %s.\n\n -- %s  %s\n",
		pkg, version, version, maintainer, when.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"))
}

// writeGzip writes data gzipped at the best compression, with no name and
// the given time in the header, so the bytes depend on the data alone.
func writeGzip(path string, data []byte, mtime time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.ModTime = mtime
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// LibcDepends is the Depends entry for the glibc a binary needs: the newest
// GLIBC_x.y symbol version it imports, as "libc6 (>= x.y)". A binary that
// imports nothing from glibc (Go without cgo) needs none: "".
func LibcDepends(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	defer f.Close()
	syms, err := f.ImportedSymbols()
	if err != nil && len(syms) == 0 {
		return "", nil // no dynamic symbols at all
	}
	var newest []int
	for _, s := range syms {
		v, ok := strings.CutPrefix(s.Version, "GLIBC_")
		if !ok {
			continue
		}
		n, ok := versionNumbers(v)
		if ok && less(newest, n) {
			newest = n
		}
	}
	if newest == nil {
		return "", nil
	}
	parts := make([]string, len(newest))
	for i, n := range newest {
		parts[i] = strconv.Itoa(n)
	}
	return "libc6 (>= " + strings.Join(parts, ".") + ")", nil
}

// newestLibc is the stricter of two LibcDepends results.
func newestLibc(a, b string) string {
	va, _ := versionNumbers(strings.TrimSuffix(strings.TrimPrefix(a, "libc6 (>= "), ")"))
	vb, _ := versionNumbers(strings.TrimSuffix(strings.TrimPrefix(b, "libc6 (>= "), ")"))
	if a == "" || (b != "" && less(va, vb)) {
		return b
	}
	return a
}

func versionNumbers(v string) ([]int, bool) {
	var out []int
	for _, p := range strings.Split(v, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

func less(a, b []int) bool {
	if a == nil {
		return true
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}
