package fake

import (
	"strings"
	"sync"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// Printer is the fake receipt printer; it keeps what it printed.
type Printer struct {
	k        *Kiosk
	mu       sync.Mutex
	paper    bool
	receipts []string
}

// SetPaper loads paper (true) or runs out of it (false).
func (p *Printer) SetPaper(ok bool) {
	p.mu.Lock()
	p.paper = ok
	p.mu.Unlock()
	p.k.emitStatus()
}

// Receipts returns every receipt printed, one string each.
func (p *Printer) Receipts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.receipts...)
}

// print prints lines; spoken is the receipt read aloud (the printed lines
// without what is no use to a listener, such as an action id or a code).
// The text is returned whether or not the paper ran out: a person who got
// no paper can still hear what it would have said.
func (p *Printer) print(lines, spoken []string) bk.Receipt {
	p.mu.Lock()
	defer p.mu.Unlock()
	text := sentences(spoken)
	if !p.paper {
		return bk.Receipt{Err: bk.Errorf(bk.EUnavailable, "The printer is out of paper."), Text: text}
	}
	p.receipts = append(p.receipts, strings.Join(lines, "\n"))
	return bk.Receipt{Printed: true, Text: text}
}

// sentences joins lines into text for reading aloud, one sentence a line.
func sentences(lines []string) string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			if !strings.HasSuffix(l, ".") {
				l += "."
			}
			out = append(out, l)
		}
	}
	return strings.Join(out, " ")
}
