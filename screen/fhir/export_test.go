package fhir

import "github.com/painscreen/painscreen/screen"

// AppendBundleStd is AppendBundle through encoding/json, the reference the hand-written encoder must match.
func (w *Writer) AppendBundleStd(b []byte, rep *screen.Report, in Input) []byte {
	return appendJSON(b, w.NewBundle(rep, in))
}

// EncodeBundle is the hand-written encoder alone, and whether it wrote the Bundle itself (false: it fell
// back to encoding/json).
func EncodeBundle(dst []byte, bd *Bundle) ([]byte, bool) {
	e := encoder{b: dst}
	e.bundle(bd)
	return e.b, !e.bad
}

// AppendJSONStd is encoding/json's compact output with HTML escaping off.
func AppendJSONStd(b []byte, v any) []byte { return appendJSON(b, v) }

// EntryURL is entryURL.
var EntryURL = entryURL

// AppendString is appendString.
var AppendString = appendString

// AppendBundleDirect is AppendBundle's writer alone, and whether it wrote the Bundle itself (false: it
// gave up and the Bundle would be written from NewBundle's structs).
func (w *Writer) AppendBundleDirect(b []byte, rep *screen.Report, in Input) ([]byte, bool) {
	e := bw{encoder: encoder{b: b}}
	e.bundle(w, rep, in)
	return e.b, !e.bad
}
