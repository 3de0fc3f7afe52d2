package fynelang

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
)

// Fyne's own strings: our Danish file covers every key Fyne's English has,
// and Fyne uses it when the process locale is Danish.
func TestFyneDanish(t *testing.T) {
	ours := readKeys(t, fyneFS, "fyne/base.da.json")
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "fyne.io/fyne/v2").Output()
	if err != nil {
		t.Fatalf("go list fyne module: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	theirs := readKeys(t, os.DirFS(filepath.Join(dir, "lang", "translations")), "base.en.json")
	for k := range theirs {
		if v, ok := ours[k]; !ok || v == "" {
			t.Errorf("fyne/base.da.json lacks Fyne key %q", k)
		}
	}

	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANGUAGE", "")
	t.Setenv("LANG", "da_DK.UTF-8")
	if err := Register(); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	for in, want := range map[string]string{"Cancel": "Annuller", "Yes": "Ja", "No": "Nej", "Confirm": "Bekræft", "OK": "OK"} {
		if got := lang.L(in); got != want {
			t.Errorf("lang.L(%q) = %q; want %q", in, got, want)
		}
	}
}

func readKeys(t *testing.T, fsys fs.FS, name string) map[string]string {
	t.Helper()
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[string]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = v
		case map[string]any:
			s, _ := v["other"].(string)
			out[k] = s
		}
	}
	return out
}
