package dashboards

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/forecast"
	"github.com/salesrecipe/salesrecipe/queries"
)

// storedRecipe is the latest model fitted on data known at the as-of time,
// and its recipe as the fit command prints it.
type storedRecipe struct {
	model  *forecast.Model
	recipe forecast.Recipe
	ok     bool // false when the model has no recipe (too little history)
}

// recipeOf reads the model of the period's grain (or the monthly one) fitted
// on data known at the as-of time; nil when none is stored.
func (s *Server) recipeOf(ctx context.Context, firm string, q params) (*storedRecipe, error) {
	key := "recipe\x00" + firm + "\x00" + q.key() + "\x00" + s.cfg.Refits.Generation(firm)
	return cached(ctx, s, key, func(ctx context.Context) (*storedRecipe, error) {
		for _, g := range []salesrecipe.Grain{q.period.Grain, salesrecipe.GrainMonth} {
			m, ok, err := forecast.Latest(ctx, s.cfg.Store, firm, g, q.asOf)
			if err != nil {
				return nil, err
			}
			if ok {
				rc, has := m.View()
				return &storedRecipe{model: m, recipe: rc, ok: has}, nil
			}
		}
		return nil, nil
	})
}

// noRecipeText says why there is no recipe to show (sr is nil or has none) and
// how to get one; when names the as-of moment ("this time" on the page).
func noRecipeText(sr *storedRecipe, when string) string {
	if sr == nil {
		return "No recipe was fitted on the data known at " + when + ": the first forecast fits and stores one (open the Team page), or pick a later as-of day."
	}
	return "The model fitted at " + asOfLabel(sr.model.FittedAt) + " has no recipe: " + sr.model.Thin
}

// recipePage shows what each activity is worth, when it lands, and how well the fit did.
func (s *Server) recipePage(ctx context.Context, req *request) (*page, error) {
	sr, err := s.recipeOf(ctx, req.firm, req.q)
	if err != nil {
		return nil, err
	}
	pg := &page{Title: "Recipe", Subtitle: "What one more activity of each kind is worth in won revenue, and when it lands (as of " + asOfLabel(req.q.asOf) + ")"}
	switch {
	case sr == nil || !sr.ok:
		pg.Notes = append(pg.Notes, noRecipeText(sr, "this time"))
	default:
		rc := sr.recipe
		pg.Tiles = []tile{
			{Label: "Out-of-sample error (CV WAPE)", Value: formatNumber(100*rc.CVWAPE, 1) + "%", Sub: "rolling origin, lower is better"},
			{Label: "In-sample R²", Value: formatNumber(rc.R2, 2), Sub: "for information only"},
			{Label: "Observations", Value: formatNumber(float64(rc.Observations), 0), Sub: "rep-" + rc.Grain + "s in the fit"},
			{Label: "Fitted", Value: ago(s.cfg.Now().Sub(rc.FittedAt)), Sub: "at " + asOfLabel(rc.FittedAt) + " on data up to " + asOfLabel(sr.model.AsOf)},
			{Label: "Data", Value: rc.DataFrom.UTC().Format("2006-01") + " – " + rc.DataTo.UTC().AddDate(0, 0, -1).Format("2006-01"), Sub: "method " + rc.Method},
		}
		pg.Notes = append(pg.Notes, s.fitAgeNote(rc.FittedAt, sr.model.AsOf))
		if n := sr.model.InputsNote(); n != "" {
			pg.Notes = append(pg.Notes, capitalize(n)+".")
		}
		for _, build := range []func(forecast.Recipe) (section, error){valueSection, delaySection} {
			sec, err := build(rc)
			if err != nil {
				return nil, err
			}
			pg.Sections = append(pg.Sections, sec)
		}
	}
	fits, err := s.cfg.Store.Recipes(ctx, req.firm)
	if err != nil {
		return nil, err
	}
	pg.Sections = append(pg.Sections, fitsSection(fits))
	return pg, nil
}

// fitAgeNote says how old the fit is, on what data, and how it is kept current.
func (s *Server) fitAgeNote(fittedAt, asOf time.Time) string {
	note := "Fitted " + ago(s.cfg.Now().Sub(fittedAt)) + " on data up to " + asOfLabel(asOf) + "."
	if s.cfg.Refits != nil {
		note += " The server refits the recipe daily and a few minutes after each load through the API; an admin can ask for a refit now (POST /api/v1/fit)."
	}
	return note
}

// capitalize returns a sentence of ASCII words with its first letter upper case.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ago renders a fit's age: "just now", "12 min ago", "3 h ago", "4 days ago".
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min ago"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h ago"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days ago"
}

// valueSection is the value per activity kind with its interval.
func valueSection(rc forecast.Recipe) (section, error) {
	t := &table{ID: "values", Columns: []column{{Label: "Activity"}, {Label: "Value per activity", Num: true}, {Label: "Interval low", Num: true},
		{Label: "Interval high", Num: true}, {Label: "Peak lag (" + rc.Grain + "s)", Num: true}}}
	var x []string
	var v, lo, hi []float64
	for _, k := range rc.Kinds {
		x = append(x, k.Kind)
		v, lo, hi = append(v, k.ValuePerActivity), append(lo, k.CILow), append(hi, k.CIHigh)
		t.Rows = append(t.Rows, []cell{textCell(k.Kind), moneyCell(k.ValuePerActivity), moneyCell(k.CILow), moneyCell(k.CIHigh), peakLag(k.Lags)})
	}
	ss := append([]series{{name: "Value per activity", kind: types.ChartBar, values: v, color: colClosed}}, interval("Interval", lo, hi)...)
	c, err := categoryChart("values", "Won revenue one more activity of each kind brings, with its interval", "revenue per activity", x, ss)
	return section{ID: "values", Title: "Value per activity", Note: "Total won revenue one more activity brings over all lags, with the bootstrap interval over reps.", Chart: c, Table: t}, err
}

// peakLag is the lag where most of a kind's value lands.
func peakLag(lags []forecast.LagShare) cell {
	best, at := -1.0, -1
	for _, l := range lags {
		if l.Share > best {
			best, at = l.Share, l.Lag
		}
	}
	if at < 0 || best <= 0 {
		return cell{Text: "—", Sort: "-1", Num: true}
	}
	return numCell(float64(at), 0)
}

// delaySection is each kind's delay profile: the share of its value landing after each lag.
func delaySection(rc forecast.Recipe) (section, error) {
	maxLag := 0
	for _, k := range rc.Kinds {
		for _, l := range k.Lags {
			maxLag = max(maxLag, l.Lag)
		}
	}
	cols := []column{{Label: "Activity"}}
	var x []string
	for lag := 0; lag <= maxLag; lag++ {
		x = append(x, strconv.Itoa(lag))
		cols = append(cols, column{Label: "Lag " + strconv.Itoa(lag), Num: true})
	}
	t := &table{ID: "delays", Columns: cols}
	var ss []series
	for _, k := range rc.Kinds {
		shares := make([]float64, maxLag+1)
		row := []cell{textCell(k.Kind)}
		for _, l := range k.Lags {
			if l.Lag >= 0 && l.Lag <= maxLag {
				shares[l.Lag] = 100 * l.Share
			}
		}
		for _, sh := range shares {
			row = append(row, pctCell(ptr(sh/100)))
		}
		t.Rows = append(t.Rows, row)
		ss = append(ss, series{name: k.Kind, kind: types.ChartLine, values: shares})
	}
	c, err := categoryChart("delays", "Share of each activity's value landing after each lag", "% of value", x, ss)
	note := fmt.Sprintf("Lag 0 is the %s of the activity, lag 1 the next one, and so on.", rc.Grain)
	return section{ID: "delays", Title: "Delay profile", Note: note, Chart: c, Table: t}, err
}

// fitsSection lists every stored fit: when it ran and on what data.
func fitsSection(fits []queries.StoredRecipe) section {
	t := &table{ID: "fits", Columns: []column{{Label: "Fitted at"}, {Label: "Data as of"}, {Label: "Grain"}, {Label: "Data from"}, {Label: "Data to"},
		{Label: "Method"}, {Label: "Observations", Num: true}, {Label: "CV WAPE", Num: true}}}
	for _, f := range fits {
		t.Rows = append(t.Rows, []cell{textCell(asOfLabel(f.FittedAt)), textCell(asOfLabel(f.AsOf)), textCell(f.Grain), dateCell(f.DataFrom),
			dateCell(f.DataTo.AddDate(0, 0, -1)), textCell(f.Method), numCell(float64(f.Observations), 0), pctCell(ptr(f.CVWAPE))})
	}
	return section{ID: "fits", Title: "Fits", Note: "Every stored fit, newest first; pages use the newest fitted on data known at the as-of time.", Table: t}
}
