package ingest

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// ParseAmount reads a non-negative plain decimal such as 1200 or 1200.50.
//
// A currency symbol or code, a thousands separator, a decimal comma, an exponent, a negative
// sign, NaN or Inf is an error (*ValueError) that says so and, when it can, what to write instead.
func ParseAmount(s string) (float64, error) {
	v := trimSpace(s)
	if plainDecimal(v) {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			return f, nil
		}
		return 0, &ValueError{What: "amount", Value: s, Reason: "too large"}
	}
	return 0, &ValueError{What: "amount", Value: s, Reason: amountProblem(v)}
}

// plainDecimal reports whether s is digits with at most one '.', and at least one digit.
func plainDecimal(s string) bool {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// amountProblem explains why s is not a plain decimal; it runs only on rejected values.
func amountProblem(s string) string {
	if s == "" {
		return "empty"
	}
	lower := strings.ToLower(strings.TrimLeft(s, "+-"))
	if lower == "nan" || strings.HasPrefix(lower, "inf") {
		return "not a finite number"
	}
	body, currency := stripCurrency(s)
	body, negative := stripSign(body)
	fixed, problem := interpretSeparators(body)
	switch {
	case negative:
		return "negative amount not allowed"
	case currency:
		return "currency symbol not allowed" + suggest(fixed)
	case strings.HasPrefix(s, "+") && plainDecimal(body):
		return "leading + not allowed" + suggest(body)
	case problem != "":
		return problem + suggest(fixed)
	}
	return "not a number (want a plain decimal like 1200.50)"
}

// stripCurrency removes currency symbols and a leading or trailing three-letter code such as USD.
func stripCurrency(s string) (string, bool) {
	found := false
	body := strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Sc, r) {
			found = true
			return -1
		}
		return r
	}, s)
	body = strings.TrimSpace(body)
	if len(body) > 3 && isUpperWord(body[:3]) && !isLetter(body[3]) {
		body, found = strings.TrimSpace(body[3:]), true
	}
	if n := len(body); n > 3 && isUpperWord(body[n-3:]) && !isLetter(body[n-4]) {
		body, found = strings.TrimSpace(body[:n-3]), true
	}
	return body, found
}

func isUpperWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// stripSign removes a leading or trailing minus or accounting parentheses.
func stripSign(s string) (string, bool) {
	switch {
	case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"):
		return strings.TrimSpace(s[1 : len(s)-1]), true
	case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "\u2212"):
		return strings.TrimLeft(s, "-\u2212 "), true
	case strings.HasSuffix(s, "-"):
		return strings.TrimRight(s, "- "), true
	case strings.HasPrefix(s, "+"):
		return s[1:], false
	}
	return s, false
}

// interpretSeparators guesses the plain decimal meant by s and names the convention it broke.
func interpretSeparators(s string) (string, string) {
	grouped := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\'', '_', '\u00a0', '\u202f', '\u2009':
			return -1
		}
		return r
	}, s)
	problem := ""
	if grouped != s {
		problem = "thousands separator not allowed"
	}
	comma, dot := strings.LastIndexByte(grouped, ','), strings.LastIndexByte(grouped, '.')
	var fixed string
	switch {
	case comma >= 0 && dot > comma:
		fixed, problem = ungroup(grouped[:dot], ',')+grouped[dot:], "thousands separator not allowed"
	case dot >= 0 && comma > dot:
		fixed = ungroup(grouped[:comma], '.') + "." + grouped[comma+1:]
		problem = "thousands separator and decimal comma not allowed"
	case comma >= 0 && strings.Count(grouped, ",") == 1 && len(grouped)-comma-1 != 3:
		fixed = strings.Replace(grouped, ",", ".", 1)
		problem = cmp.Or(problem, "decimal comma not allowed")
	case comma >= 0:
		fixed, problem = ungroup(grouped, ','), "thousands separator not allowed"
	case strings.Count(grouped, ".") > 1:
		if fixed = ungroup(grouped, '.'); fixed != "" {
			problem = "thousands separator not allowed"
		}
	default:
		fixed = grouped
	}
	if strings.ContainsAny(fixed, "eE") {
		if f, err := strconv.ParseFloat(fixed, 64); err == nil && !math.IsInf(f, 0) && problem == "" {
			return strconv.FormatFloat(f, 'f', -1, 64), "exponent not allowed"
		}
	}
	return fixed, problem
}

// ungroup removes the separator from digit groups like 1,234,567, or returns "" when the
// groups are not one to three digits followed by groups of exactly three.
func ungroup(s string, sep byte) string {
	groups := strings.Split(s, string(sep))
	for i, g := range groups {
		if !isDigits(g) || (i == 0 && len(g) > 3) || (i > 0 && len(g) != 3) {
			return ""
		}
	}
	return strings.Join(groups, "")
}

// suggest renders "; write 1200.00" when fixed is a plain decimal, else a generic hint.
func suggest(fixed string) string {
	if !plainDecimal(fixed) {
		return "; write a plain decimal like 1200.50"
	}
	f, err := strconv.ParseFloat(fixed, 64)
	if err != nil {
		return "; write a plain decimal like 1200.50"
	}
	out := strconv.FormatFloat(f, 'f', -1, 64)
	switch dot := strings.IndexByte(out, '.'); {
	case dot < 0:
		out += ".00"
	case len(out)-dot == 2:
		out += "0"
	}
	return "; write " + out
}
