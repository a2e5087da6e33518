package synth

import (
	"fmt"
	"strings"
)

// Shape is which of the firm's rows the files hold, as different CRM exports do; the firm and its Truth are the same
// whatever the shape.
type Shape string

// The shapes of a synthetic firm's files.
const (
	// ShapeFull writes every activity and every version of every deal (the zero Shape means this too).
	ShapeFull Shape = "full"
	// ShapeDealsOnly writes activities.csv with its header and no rows, as a CRM export without an activity log.
	ShapeDealsOnly Shape = "deals-only"
	// ShapeSnapshot writes one row per deal, its latest version (as of End), as a CRM opportunity export does, and
	// no activity rows (an opportunity report has none).
	ShapeSnapshot Shape = "snapshot"
)

// Shapes lists the shapes in the order the command line names them.
func Shapes() []Shape { return []Shape{ShapeFull, ShapeDealsOnly, ShapeSnapshot} }

// ParseShape reads a shape name.
func ParseShape(s string) (Shape, error) {
	for _, sh := range Shapes() {
		if string(sh) == s {
			return sh, nil
		}
	}
	names := make([]string, 0, 3)
	for _, sh := range Shapes() {
		names = append(names, string(sh))
	}
	return "", fmt.Errorf("shape %q: want one of %s", s, strings.Join(names, ", "))
}

func (s Shape) validate() error {
	if s == "" {
		return nil
	}
	_, err := ParseShape(string(s))
	return err
}

// writesActivities reports whether the shape writes activity rows.
func (s Shape) writesActivities() bool { return s == "" || s == ShapeFull }

// latestOnly reports whether the shape writes only each deal's latest version.
func (s Shape) latestOnly() bool { return s == ShapeSnapshot }
