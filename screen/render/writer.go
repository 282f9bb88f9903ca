package render

import (
	"bufio"
	"io"

	"github.com/painscreen/painscreen/screen"
)

// Writer writes the records of one output in order, with the format's framing: the CSV header before the
// first record, the brackets of a JSON array around the records. It is for one goroutine; to encode on
// several, give each an Appender and hand the bytes to WriteEncoded in order.
type Writer struct {
	e       *Encoder
	w       *bufio.Writer
	app     *Appender
	buf     []byte
	begun   bool // the header is written
	started bool // a record was written (JSON: the array is open)
}

// NewWriter returns a writer of e's format to w. Nothing is written before the first record or Close.
func (e *Encoder) NewWriter(w io.Writer) *Writer {
	return &Writer{e: e, w: bufio.NewWriterSize(w, 256<<10)}
}

// NewWriter returns a writer of format f for the reports of eng to w (NewEncoder, then Encoder.NewWriter).
func NewWriter(w io.Writer, eng *screen.Engine, f Format, opts Options) (*Writer, error) {
	e, err := NewEncoder(eng, f, opts)
	if err != nil {
		return nil, err
	}
	return e.NewWriter(w), nil
}

// Write encodes rec and writes it, buffered: Flush or Close writes out what is buffered.
func (w *Writer) Write(rec *Record) error {
	if w.app == nil {
		w.app = w.e.NewAppender()
	}
	w.buf = w.app.Append(w.buf[:0], rec)
	return w.write(w.buf)
}

// Begin writes the output's header (a CSV header row) if it is not written yet. Write, WriteEncoded and
// Close begin the output themselves; Begin is for a caller that wants the header out before any record.
func (w *Writer) Begin() error {
	if w.begun {
		return nil
	}
	w.begun = true
	if h := w.e.header(); h != nil {
		_, err := w.w.Write(h)
		return err
	}
	return nil
}

// WriteEncoded writes the encoding of whole records, as Appenders of the writer's encoder appended them,
// and flushes it, so that a reader at the other end of a pipe sees the records at once.
func (w *Writer) WriteEncoded(b []byte) error {
	if err := w.write(b); err != nil {
		return err
	}
	return w.w.Flush()
}

func (w *Writer) write(b []byte) error {
	if err := w.Begin(); err != nil {
		return err
	}
	if w.e.format == JSON && len(b) > 0 && !w.started {
		if _, err := w.w.WriteString("[\n"); err != nil {
			return err
		}
		b = b[2:] // the first record's ",\n"
	}
	if len(b) > 0 {
		w.started = true
	}
	_, err := w.w.Write(b)
	return err
}

// Flush writes what is buffered, without closing the framing (an interrupted JSON array stays
// unterminated: it must not look complete).
func (w *Writer) Flush() error { return w.w.Flush() }

// Close ends the framing (the JSON array's bracket) and flushes. It does not close the underlying writer.
func (w *Writer) Close() error {
	if err := w.Begin(); err != nil {
		return err
	}
	if w.e.format == JSON {
		s := "\n]\n"
		if !w.started {
			s = "[]\n"
		}
		if _, err := w.w.WriteString(s); err != nil {
			return err
		}
	}
	return w.w.Flush()
}

// Encoder returns the writer's encoder (for Appenders that encode on other goroutines).
func (w *Writer) Encoder() *Encoder { return w.e }
