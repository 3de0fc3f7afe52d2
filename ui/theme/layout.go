package theme

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// minLayout gives its objects at least the theme sizes named, looked up at
// layout time so a theme switch (large text) takes effect on the next refresh.
type minLayout struct {
	width, height fyne.ThemeSizeName
}

func (l minLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	th := fynetheme.Current()
	min := fyne.NewSize(th.Size(l.width), th.Size(l.height))
	for _, o := range objects {
		if o.Visible() {
			min = min.Max(o.MinSize())
		}
	}
	return min
}

func (l minLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// TouchTarget wraps obj so it is never smaller than the touch target
// (SizeNameTouchTarget square) of the current theme. Use it for anything
// tappable whose own minimum may be small, such as a one-letter button.
func TouchTarget(obj fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: minLayout{SizeNameTouchTarget, SizeNameTouchTarget}, Objects: []fyne.CanvasObject{obj}}
}

// PrimaryButton makes b the screen's main action: high importance and at
// least SizeNamePrimaryButtonHeight tall (64 px normally, 96 px in large text).
func PrimaryButton(b *widget.Button) *fyne.Container {
	b.Importance = widget.HighImportance
	b.Refresh()
	return &fyne.Container{Layout: minLayout{SizeNameTouchTarget, SizeNamePrimaryButtonHeight}, Objects: []fyne.CanvasObject{b}}
}
