package main

import "testing"

func TestLevelled(t *testing.T) {
	rss := func(m memSample) float64 { return m.rssMB }
	series := func(mb ...float64) []memSample {
		s := make([]memSample, len(mb))
		for i, v := range mb {
			s[i] = memSample{actions: 40 * (i + 1), rssMB: v}
		}
		return s
	}
	for _, tc := range []struct {
		name    string
		samples []memSample
		ok      bool
	}{
		{"flat", series(210, 212, 211, 213, 212), true},
		{"levels off", series(210, 230, 240, 244, 245), true},
		{"falls", series(215, 212, 210, 209, 208), true},
		{"noise near zero", series(210, 208, 211, 207, 214), true},
		{"steady leak", series(210, 222, 234, 246, 258), false},
		{"leak starts late", series(210, 210, 211, 225, 240), false},
		{"steady leak, 1,000 actions", series(213, 221, 236, 248, 265, 275, 286, 303, 312, 327, 339), false},
		{"too few samples", series(210, 300), true},
	} {
		if msg := levelled(tc.samples, rss, 8); (msg == "") != tc.ok {
			t.Errorf("%s: levelled = %q, want ok=%v", tc.name, msg, tc.ok)
		}
	}
}

func TestCHeapMB(t *testing.T) {
	if got := cHeapMB("inuse=27262976 free=4256368 mmap=5722112"); got != 26 {
		t.Errorf("cHeapMB = %v, want 26", got)
	}
	if got := cHeapMB("err unknown command malloc"); got != 0 {
		t.Errorf("cHeapMB of an error = %v, want 0", got)
	}
}
