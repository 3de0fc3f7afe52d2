package ui

import "testing"

func TestGlideDistance(t *testing.T) {
	for _, tt := range []struct{ v, want float32 }{
		{0, 0}, {299, 0}, {-299, 0}, // a finger that stopped before it lifted: stay
		{1000, 200}, {-1000, -200}, // a flick: a fifth of a second on
		{10000, 900}, {-10000, -900}, // at most most of a screen
	} {
		if got := glideDistance(tt.v); got != tt.want {
			t.Errorf("glideDistance(%v) = %v; want %v", tt.v, got, tt.want)
		}
	}
}
