package respfile

import (
	"bufio"
	"io"
	"strconv"
)

// isBlank reports whether b holds only spaces, tabs and line-end bytes.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// trimEOL drops a trailing "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// readLine reads the next physical line and returns it without its line end. A line whose content is
// longer than max is not kept: it is read to its end and tooLarge is true (blank then tells whether it held
// only white space). At the end of the input it returns io.EOF with no line; a last line without a line
// end is returned as usual. The line is valid until the next read.
func (d *Decoder) readLine(max int) (line []byte, tooLarge, blank bool, err error) {
	b, err := d.br.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(b) > 0) {
		d.line++
		line = trimEOL(b)
		if len(line) > max {
			return nil, true, isBlank(line), nil
		}
		return line, false, false, nil
	}
	if err != bufio.ErrBufferFull {
		return nil, false, false, err
	}
	d.line++
	d.lineBuf = append(d.lineBuf[:0], b...)
	for err == bufio.ErrBufferFull && len(d.lineBuf) <= max+2 {
		b, err = d.br.ReadSlice('\n')
		d.lineBuf = append(d.lineBuf, b...)
	}
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, false, false, err
	}
	if err == nil || err == io.EOF {
		line = trimEOL(d.lineBuf)
		if len(line) <= max {
			return line, false, false, nil
		}
	}
	// Too large: read to the end of the line without keeping it.
	blank = isBlank(d.lineBuf)
	d.lineBuf = d.lineBuf[:0]
	for err == bufio.ErrBufferFull {
		b, err = d.br.ReadSlice('\n')
		blank = blank && isBlank(b)
	}
	if err != nil && err != io.EOF {
		return nil, false, false, err
	}
	if cap(d.lineBuf) > 2*bufSize {
		d.lineBuf = nil // do not keep a huge buffer for the rest of the input
	}
	return nil, true, blank, nil
}

func (d *Decoder) nextJSONL() (Record, error) {
	if !d.begun {
		d.begun = true
		if err := d.skipBOM(); err != nil {
			return Record{}, d.ioError(err, 1)
		}
	}
	for {
		line, tooLarge, blank, err := d.readLine(d.lim.MaxRecordBytes)
		if err != nil {
			if err == io.EOF {
				return Record{}, io.EOF
			}
			return Record{}, d.ioError(err, d.line+1)
		}
		if tooLarge {
			if blank {
				continue
			}
			rec := d.newRecord(d.line)
			rec.Err = &Error{Line: d.line, Col: 1, Code: CodeTooLarge,
				Msg: "record: line is longer than " + strconv.Itoa(d.lim.MaxRecordBytes) + " bytes"}
			return rec, nil
		}
		if isBlank(line) {
			continue
		}
		rec := d.newRecord(d.line)
		rec.Response, rec.Err, _ = d.parseBuffered(line, d.line, 1, true)
		return rec, nil
	}
}
