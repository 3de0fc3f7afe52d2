package badgerfix

import (
	"fmt"
	"os"
	"path/filepath"
)

// Leftover is a file a SIGKILL can leave while Badger creates a memtable or
// value log: created but not yet sized, or sized but without its header.
// The tests of each store that calls Repair plant every one of them.
type Leftover struct {
	Name, Ext string
	Content   []byte
}

// Leftovers are all the kinds Repair removes.
var Leftovers = []Leftover{
	{"empty memtable log", ".mem", nil},
	{"short memtable log", ".mem", []byte{1, 2, 3}},
	{"memtable log without header", ".mem", make([]byte, 8<<20)},
	{"empty value log", ".vlog", nil},
	{"short value log", ".vlog", []byte{1, 2, 3}},
	{"value log without header", ".vlog", make([]byte, 2<<20)},
}

// Plant writes l in dir as the file after the newest of its kind, the name
// Badger would have given it, and returns that name.
func (l Leftover) Plant(dir string) (string, error) {
	next := 1
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for _, e := range ents {
		var n int
		if filepath.Ext(e.Name()) == l.Ext {
			if _, err := fmt.Sscanf(e.Name(), "%d", &n); err == nil && n >= next {
				next = n + 1
			}
		}
	}
	name := fmt.Sprintf("%05d%s", next, l.Ext) // badger's mtFilePath
	if l.Ext == ".vlog" {
		name = fmt.Sprintf("%06d%s", next, l.Ext) // badger's vlog.fpath
	}
	return name, os.WriteFile(filepath.Join(dir, name), l.Content, 0o600)
}
