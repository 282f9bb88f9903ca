package respfile

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// Dates in CSV files as analysts' tools write them. The record's date (the date column) is read into
// Response.Date as an ISO date, YYYY-MM-DD:
//
//   - an ISO date, also with a time (2026-01-05T10:30:00Z, or REDCap's 2026-01-05 10:30): its date;
//   - DD.MM.YYYY (05.01.2026, as European locales write it);
//   - MM/DD/YYYY or DD/MM/YYYY: CSVOptions.DateFormat says which; without it, the file's slash dates are
//     sniffed (from the first 64 KiB after the header, the read buffer): when some have a first
//     part above 12 and none a second part above 12, they are DD/MM/YYYY, and the other way round
//     MM/DD/YYYY; a date whose own parts settle it (13/01/2026) needs nothing. Anything else is ambiguous and
//     is never guessed.
//
// A date cell that cannot be read so (ambiguous, not a calendar date, another layout) does not stop the row:
// the record is read without a date and Record.DateErr says why (the CLI reports it as an error of the
// record, code invalid_date). Empty and NA cells are no date.

// The date layouts of CSVOptions.DateFormat.
const (
	DateISO      = "YYYY-MM-DD"
	DateDotDMY   = "DD.MM.YYYY"
	DateSlashMDY = "MM/DD/YYYY"
	DateSlashDMY = "DD/MM/YYYY"
)

// DateFormats lists the layouts CSVOptions.DateFormat accepts.
var DateFormats = []string{DateISO, DateDotDMY, DateSlashMDY, DateSlashDMY}

// slashOrder is how slash dates are read.
type slashOrder uint8

const (
	slashUnknown  slashOrder = iota // not settled: only dates whose parts settle it are read
	slashMDY                        // MM/DD/YYYY
	slashDMY                        // DD/MM/YYYY
	slashMixed                      // the file has both: no slash date is guessed
	slashRejected                   // the format names a layout without slashes: slash dates are not read
)

// validDateFormat reports whether f is "" or one of DateFormats.
func validDateFormat(f string) bool {
	if f == "" {
		return true
	}
	for _, g := range DateFormats {
		if f == g {
			return true
		}
	}
	return false
}

// orderOf is the slash order a DateFormat sets.
func orderOf(format string) slashOrder {
	switch format {
	case DateSlashMDY:
		return slashMDY
	case DateSlashDMY:
		return slashDMY
	case "":
		return slashUnknown
	}
	return slashRejected
}

// readDate reads a date cell as an ISO date. format is CSVOptions.DateFormat; order how slash dates are
// read. It returns the date, or a message saying why it is not one (never the cell's text: a visit date
// is health data).
func readDate(cell []byte, format string, order slashOrder) (string, string) {
	s := string(bytes.TrimSpace(cell))
	if y, m, d, ok := isoDate(s); ok {
		return calendar(y, m, d)
	}
	if format == DateISO {
		return "", "is not an ISO date (YYYY-MM-DD, --date-format " + DateISO + ")"
	}
	if a, b, y, ok := threeParts(s, '.'); ok {
		if format != "" && format != DateDotDMY {
			return "", "is not a date in the layout " + format + " (--date-format)"
		}
		return calendar(y, b, a)
	}
	a, b, y, ok := threeParts(s, '/')
	if !ok {
		return "", "is not a date (YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY or DD/MM/YYYY)"
	}
	switch order {
	case slashMDY:
		return calendar(y, a, b)
	case slashDMY:
		return calendar(y, b, a)
	case slashRejected:
		return "", "is not a date in the layout " + format + " (--date-format)"
	}
	switch {
	case a > 12 && b <= 12 && order == slashUnknown:
		return calendar(y, b, a)
	case b > 12 && a <= 12 && order == slashUnknown:
		return calendar(y, a, b)
	case order == slashMixed:
		return "", "is a slash date in a file whose slash dates are both DD/MM/YYYY and MM/DD/YYYY: give the layout with --date-format"
	}
	return "", "is ambiguous (DD/MM/YYYY or MM/DD/YYYY): give the layout with --date-format"
}

// calendar checks a calendar date and formats it as YYYY-MM-DD.
func calendar(y, m, d int) (string, string) {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return "", "is not a calendar date"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return "", "is not a calendar date"
	}
	return t.Format("2006-01-02"), ""
}

// isoDate reads YYYY-MM-DD, alone or followed by a time (T or a space, then hh:mm, as ISO 8601 and REDCap
// write date-times).
func isoDate(s string) (y, m, d int, ok bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, 0, 0, false
	}
	if rest := s[10:]; rest != "" {
		if (rest[0] != 'T' && rest[0] != ' ') || !isoTime(rest[1:]) {
			return 0, 0, 0, false
		}
	}
	return y, m, d, true
}

// isoTime reads hh:mm[:ss[.fff]] optionally followed by Z or an offset ±hh:mm / ±hhmm.
func isoTime(s string) bool {
	if len(s) < 5 || s[2] != ':' {
		return false
	}
	h, ok1 := digits(s[0:2])
	mi, ok2 := digits(s[3:5])
	if !ok1 || !ok2 || h > 24 || mi > 59 {
		return false
	}
	s = s[5:]
	if len(s) >= 3 && s[0] == ':' {
		if sec, ok := digits(s[1:3]); !ok || sec > 60 {
			return false
		}
		s = s[3:]
		if len(s) > 1 && (s[0] == '.' || s[0] == ',') {
			i := 1
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			if i == 1 {
				return false
			}
			s = s[i:]
		}
	}
	switch {
	case s == "" || s == "Z":
		return true
	case s[0] == '+' || s[0] == '-':
		z := strings.Replace(s[1:], ":", "", 1)
		_, ok := digits(z)
		return ok && len(z) == 4
	}
	return false
}

// threeParts reads A<sep>B<sep>YYYY with A and B of one or two digits.
func threeParts(s string, sep byte) (a, b, y int, ok bool) {
	i := strings.IndexByte(s, sep)
	if i < 1 || i > 2 {
		return 0, 0, 0, false
	}
	j := strings.IndexByte(s[i+1:], sep)
	if j < 1 || j > 2 {
		return 0, 0, 0, false
	}
	j += i + 1
	if len(s)-j-1 != 4 {
		return 0, 0, 0, false
	}
	a, ok1 := digits(s[:i])
	b, ok2 := digits(s[i+1 : j])
	y, ok3 := digits(s[j+1:])
	return a, b, y, ok1 && ok2 && ok3
}

// digits reads a non-empty run of ASCII digits.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// sniffSlashOrder looks at the date column of the rows after the header that the reader has buffered
// (rows with quotes are passed over: a quoted field may hold the delimiter) and says how slash dates read.
func sniffSlashOrder(buf []byte, delim byte, col int) slashOrder {
	dmy, mdy := false, false
	for len(buf) > 0 {
		line := buf
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil // a partial last line: not read
			break
		}
		if bytes.IndexByte(line, '"') >= 0 {
			continue
		}
		fields := bytes.Split(bytes.TrimSuffix(line, []byte("\r")), []byte{delim})
		if col >= len(fields) {
			continue
		}
		a, b, _, ok := threeParts(string(bytes.TrimSpace(fields[col])), '/')
		if !ok {
			continue
		}
		dmy = dmy || (a > 12 && b <= 12)
		mdy = mdy || (b > 12 && a <= 12)
	}
	switch {
	case dmy && mdy:
		return slashMixed
	case dmy:
		return slashDMY
	case mdy:
		return slashMDY
	}
	return slashUnknown
}

// dateOfDateTime is, for an ISO date-time (2026-01-05T10:30:00Z) of a JSON or YAML record, its calendar date;
// any other text is returned as written, for follow-up to check.
func dateOfDateTime(s string) string {
	if len(s) <= 10 {
		return s
	}
	if y, m, d, ok := isoDate(s); ok {
		if date, problem := calendar(y, m, d); problem == "" {
			return date
		}
	}
	return s
}
