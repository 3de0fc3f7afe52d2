package ui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

// linesLayout keeps room for n lines of body text whether or not its object
// shows anything, so a message that appears (a wrong PIN, an invalid CPR
// number) takes space that was already there and nothing below it moves
// under a finger on its way to the next key.
type linesLayout struct{ n int }

func (l linesLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	th := fynetheme.Current()
	line := fyne.MeasureText("Åg", th.Size(fynetheme.SizeNameText), fyne.TextStyle{Bold: true}).Height
	h := float32(l.n)*line + float32(l.n-1)*th.Size(fynetheme.SizeNameLineSpacing) + 2*th.Size(fynetheme.SizeNameInnerPadding)
	var w float32
	for _, o := range objects {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, h)
}

func (linesLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// reserveLines puts obj in a space n lines of text tall.
func reserveLines(n int, obj fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: linesLayout{n}, Objects: []fyne.CanvasObject{obj}}
}
