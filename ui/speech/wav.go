package speech

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// WAV is a decoded 16-bit PCM WAV file: enough for Detect to check that
// espeak-ng produced speech, not silence.
type WAV struct {
	SampleRate int
	Channels   int
	Samples    []int16 // interleaved
}

// ReadWAV reads a 16-bit PCM WAV file.
func ReadWAV(path string) (*WAV, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeWAV(f)
}

// DecodeWAV reads a RIFF/WAVE stream of 16-bit PCM. A data chunk whose size
// says more than is there (espeak-ng --stdout streams write a placeholder
// size) is read to the end of the stream.
func DecodeWAV(r io.Reader) (*WAV, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("wav: header: %w", err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, errors.New("wav: not a RIFF/WAVE file")
	}
	w := &WAV{}
	var bits int
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, fmt.Errorf("wav: no data chunk: %w", err)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "fmt ":
			if size < 16 || size > 1<<16 {
				return nil, fmt.Errorf("wav: fmt chunk of %d bytes", size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, fmt.Errorf("wav: fmt: %w", err)
			}
			if format := binary.LittleEndian.Uint16(b[0:2]); format != 1 {
				return nil, fmt.Errorf("wav: format %d, want PCM (1)", format)
			}
			w.Channels = int(binary.LittleEndian.Uint16(b[2:4]))
			w.SampleRate = int(binary.LittleEndian.Uint32(b[4:8]))
			bits = int(binary.LittleEndian.Uint16(b[14:16]))
			if bits != 16 || w.Channels < 1 {
				return nil, fmt.Errorf("wav: %d-bit, %d channels; want 16-bit", bits, w.Channels)
			}
		case "data":
			if bits == 0 {
				return nil, errors.New("wav: data before fmt")
			}
			data, err := io.ReadAll(io.LimitReader(r, int64(size)))
			if err != nil {
				return nil, fmt.Errorf("wav: data: %w", err)
			}
			w.Samples = make([]int16, len(data)/2)
			for i := range w.Samples {
				w.Samples[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
			}
			return w, nil
		default:
			if _, err := io.CopyN(io.Discard, r, int64(size+size%2)); err != nil {
				return nil, fmt.Errorf("wav: chunk %q: %w", id, err)
			}
		}
	}
}

// Duration is the length in seconds.
func (w *WAV) Duration() float64 {
	if w.SampleRate == 0 || w.Channels == 0 {
		return 0
	}
	return float64(len(w.Samples)) / float64(w.Channels) / float64(w.SampleRate)
}

// Peak is the largest absolute sample, scaled to 0..1.
func (w *WAV) Peak() float64 {
	var p float64
	for _, s := range w.Samples {
		p = max(p, math.Abs(float64(s)/32768))
	}
	return p
}
