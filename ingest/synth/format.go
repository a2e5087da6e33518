package synth

import (
	"io"
	"strconv"
)

const sinkSize = 1 << 16

// sink is a buffered CSV writer whose rows are appended in place to buf.
type sink struct {
	w   io.Writer
	buf []byte
	err error
}

func newSink(w io.Writer) *sink {
	return &sink{w: w, buf: make([]byte, 0, sinkSize+4096)}
}

// endRow terminates the row in buf and flushes a full buffer.
func (s *sink) endRow() {
	s.buf = append(s.buf, '\n')
	if len(s.buf) >= sinkSize {
		s.flush()
	}
}

func (s *sink) flush() {
	if s.err == nil && len(s.buf) > 0 {
		_, s.err = s.w.Write(s.buf)
	}
	s.buf = s.buf[:0]
}

func append2(b []byte, v int64) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

// appendPadded appends a non-negative v with at least width digits.
func appendPadded(b []byte, v int64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for n := len(tmp) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date (Hinnant's algorithm).
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendDate appends the UTC date of unix as YYYY-MM-DD.
func appendDate(b []byte, unix int64) []byte {
	y, m, d := civil(floorDiv(unix, daySec))
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

// appendTimestamp appends unix as RFC 3339 UTC with second precision.
func appendTimestamp(b []byte, unix int64) []byte {
	b = appendDate(b, unix)
	s := unix - dayStart(unix)
	b = append(b, 'T')
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s/60%60)
	b = append(b, ':')
	b = append2(b, s%60)
	return append(b, 'Z')
}

// appendCents appends a non-negative amount in cents as a decimal with two places.
func appendCents(b []byte, cents int64) []byte {
	b = strconv.AppendInt(b, cents/100, 10)
	b = append(b, '.')
	return append2(b, cents%100)
}

func appendProb(b []byte, p float64) []byte {
	return strconv.AppendFloat(b, p, 'f', 2, 64)
}
