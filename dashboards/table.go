package dashboards

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// table is a table shown beside a chart and downloadable as CSV.
type table struct {
	// ID names the table in ?csv=ID and the CSV file name.
	ID string
	// Columns are the headers.
	Columns []column
	// Rows are the cells, one per column.
	Rows [][]cell
	// Foot is an optional totals row.
	Foot []cell
	// CSVLink downloads the table; set when the page is built.
	CSVLink string
}

// column is one header; Num columns sort numerically and align right.
type column struct {
	Label string
	Num   bool
}

// cell is one value: Text is shown, Raw goes into the CSV and Sort orders the column.
type cell struct {
	Text string
	Raw  string
	Sort string
	Link string
	Num  bool
}

// textCell is a plain text cell.
func textCell(s string) cell { return cell{Text: s, Raw: s, Sort: s} }

// linkCell is a text cell linking to a page.
func linkCell(s, href string) cell { return cell{Text: s, Raw: s, Sort: s, Link: href} }

// moneyCell shows an amount rounded to whole units, with thousands separators.
func moneyCell(v float64) cell {
	return cell{Text: formatMoney(v), Raw: strconv.FormatFloat(round2(v), 'f', 2, 64), Sort: sortKey(v), Num: true}
}

// knownMoneyCell is moneyCell, or a dash when the amount is NaN (unknown).
func knownMoneyCell(v float64) cell {
	if math.IsNaN(v) {
		return optMoneyCell(nil)
	}
	return moneyCell(v)
}

// optMoneyCell is moneyCell, or a dash when the amount is undefined.
func optMoneyCell(v *float64) cell {
	if v == nil {
		return cell{Text: "—", Sort: sortKey(math.Inf(-1)), Num: true}
	}
	return moneyCell(*v)
}

// numCell shows a count.
func numCell(v float64, decimals int) cell {
	return cell{Text: formatNumber(v, decimals), Raw: strconv.FormatFloat(v, 'f', decimals, 64), Sort: sortKey(v), Num: true}
}

// pctCell shows a ratio as a percentage; nil shows a dash.
func pctCell(v *float64) cell {
	if v == nil {
		return cell{Text: "—", Sort: sortKey(math.Inf(-1)), Num: true}
	}
	return cell{Text: formatNumber(100**v, 0) + "%", Raw: strconv.FormatFloat(*v, 'f', 4, 64), Sort: sortKey(*v), Num: true}
}

// timesCell shows a multiple such as coverage (3.1×); nil shows a dash.
func timesCell(v *float64) cell {
	if v == nil {
		return cell{Text: "—", Sort: sortKey(math.Inf(-1)), Num: true}
	}
	return cell{Text: formatNumber(*v, 1) + "×", Raw: strconv.FormatFloat(*v, 'f', 3, 64), Sort: sortKey(*v), Num: true}
}

// dateCell shows a day.
func dateCell(t time.Time) cell {
	if t.IsZero() {
		return cell{Text: "—"}
	}
	d := t.UTC().Format(time.DateOnly)
	return cell{Text: d, Raw: d, Sort: d}
}

// sortKey is a numeric sort key the table script compares as a number.
func sortKey(v float64) string {
	if math.IsInf(v, -1) {
		return "-1e308"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// round2 rounds to cents.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// round4 rounds a ratio to four decimals.
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// roundRatio returns an optional ratio rounded to four decimals (nil stays nil).
func roundRatio(v *float64) *float64 {
	if v == nil {
		return nil
	}
	return ptr(round4(*v))
}

// ptr returns a pointer to v.
func ptr(v float64) *float64 { return &v }

// formatMoney renders whole units with thousands separators: 1,234,567.
func formatMoney(v float64) string { return formatNumber(v, 0) }

// formatNumber renders v with the given decimals and thousands separators.
func formatNumber(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// writeCSV writes the table: a header line, then the raw values.
func (t *table) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Label
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	rec := make([]string, len(t.Columns))
	for _, row := range append(t.Rows, t.Foot) {
		if row == nil {
			continue
		}
		for i, c := range row {
			rec[i] = csvSafe(c.Raw)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a text value as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+@\t\r", rune(s[0])) {
		return "'" + s
	}
	if s != "" && s[0] == '-' {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}
