package main

import (
	"github.com/painscreen/painscreen/internal/textfmt"
)

// textBuf is the text wrapping of score's text format (internal/textfmt), for help, listings and
// messages.
type textBuf struct {
	b          []byte
	col, width int
}

// textWidth is the width text wraps at when none is given.
const textWidth = textfmt.DefaultWidth

func (t *textBuf) do(f func(*textfmt.Buf)) {
	buf := textfmt.Buf{B: t.b, Col: t.col, Width: t.width}
	f(&buf)
	t.b, t.col = buf.B, buf.Col
}

func (t *textBuf) raw(s string)               { t.do(func(b *textfmt.Buf) { b.Raw(s) }) }
func (t *textBuf) nl()                        { t.do(func(b *textfmt.Buf) { b.NL() }) }
func (t *textBuf) padTo(col int)              { t.do(func(b *textfmt.Buf) { b.PadTo(col) }) }
func (t *textBuf) words(s string, indent int) { t.do(func(b *textfmt.Buf) { b.Words(s, indent) }) }
