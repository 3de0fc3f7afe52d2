package speech

import "math"

// RMS is the root mean square of the samples, scaled to 0..1.
func (w *WAV) RMS() float64 {
	if len(w.Samples) == 0 {
		return 0
	}
	var sum float64
	for _, s := range w.Samples {
		v := float64(s) / 32768
		sum += v * v
	}
	return math.Sqrt(sum / float64(len(w.Samples)))
}
