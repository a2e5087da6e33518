package synth

import (
	"io"
	"slices"
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
	return append(b, digitPairs[2*v], digitPairs[2*v+1])
}

// digitPairs holds "00" to "99" for formatting two digits at a time.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// appendPadded appends a non-negative v with at least width digits.
func appendPadded(b []byte, v int64, width int) []byte {
	u, n := uint64(v), 1
	for x := u; x >= 10; x /= 10 {
		n++
	}
	n = max(n, width)
	b = slices.Grow(b, n)
	at := len(b)
	b = b[:at+n]
	i := at + n
	for ; u >= 100; u /= 100 {
		i -= 2
		j := u % 100 * 2
		b[i], b[i+1] = digitPairs[j], digitPairs[j+1]
	}
	if u >= 10 {
		i -= 2
		b[i], b[i+1] = digitPairs[2*u], digitPairs[2*u+1]
	} else {
		i--
		b[i] = byte('0' + u)
	}
	for i > at {
		i--
		b[i] = '0'
	}
	return b
}

// counter is a decimal id kept as text and incremented in place.
type counter struct {
	text []byte
}

func newCounter(prefix byte, width int) counter {
	return counter{text: appendPadded([]byte{prefix}, 0, width)}
}

// next increments the id and returns its text, valid until the next call.
func (c *counter) next() []byte {
	for i := len(c.text) - 1; i >= 1; i-- {
		if c.text[i] < '9' {
			c.text[i]++
			return c.text
		}
		c.text[i] = '0'
	}
	c.text = append(c.text[:1], append([]byte{'1'}, c.text[1:]...)...)
	return c.text
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

// stamper formats RFC 3339 timestamps, remembering the last date, since consecutive rows mostly share it.
type stamper struct {
	day  int64
	date []byte
}

func (c *stamper) append(b []byte, unix int64) []byte {
	day := floorDiv(unix, daySec)
	if c.date == nil || day != c.day {
		c.day, c.date = day, appendDate(c.date[:0], unix)
	}
	b = append(b, c.date...)
	s := unix - day*daySec
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
