package deploy

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// renderEnv names the PNG the end-to-end test renders the provisioned dashboard into, when set.
// Grafana cannot run here (no Debian or npm package), so this draws the dashboard's own panels
// from the same queries against the test's real Prometheus and screenshots it with Chromium.
const renderEnv = "SALESRECIPE_DASHBOARD_PNG"

// dashPanel is the part of a provisioned panel the renderer reads.
type dashPanel struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	GridPos struct {
		X, Y, W, H int
	} `json:"gridPos"`
	Targets []struct {
		RefID        string `json:"refId"`
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Unit string `json:"unit"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Transformations []struct {
		ID      string `json:"id"`
		Options struct {
			RenameByName map[string]string `json:"renameByName"`
		} `json:"options"`
	} `json:"transformations"`
}

// series is one result series of a Prometheus query.
type series struct {
	labels map[string]string
	points [][2]float64 // unix seconds, value
}

// renderDashboard draws the provisioned dashboard with data from Prometheus at addr into png.
func renderDashboard(t *testing.T, addr, png string) {
	t.Helper()
	chromium := requireTool(t, "chromium")
	b, err := os.ReadFile(repoPath(t, "dashboards", "grafana", "dashboards", "salesrecipe.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string      `json:"title"`
		Panels []dashPanel `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	for _, p := range d.Panels {
		body.WriteString(renderPanel(t, addr, p))
	}
	page := fmt.Sprintf(pageTemplate, html.EscapeString(d.Title), time.Now().UTC().Format(time.RFC3339), body.String())
	dir := t.TempDir()
	file := filepath.Join(dir, "dashboard.html")
	writeFile(t, file, page)
	run(t, exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--window-size=1600,2280", "--screenshot="+png, "file://"+file))
	t.Logf("rendered the dashboard into %s", png)
}

// renderPanel draws one panel at its grid position.
func renderPanel(t *testing.T, addr string, p dashPanel) string {
	style := fmt.Sprintf("grid-column:%d/span %d;grid-row:%d/span %d", p.GridPos.X+1, p.GridPos.W, p.GridPos.Y+1, p.GridPos.H)
	if p.Type == "row" {
		return fmt.Sprintf(`<h2 style="%s">%s</h2>`, style, html.EscapeString(p.Title))
	}
	var inner string
	switch p.Type {
	case "stat":
		inner = renderStat(t, addr, p)
	case "bargauge":
		inner = renderBars(t, addr, p)
	case "table":
		inner = renderTable(t, addr, p)
	case "timeseries":
		inner = renderLines(t, addr, p)
	case "alertlist":
		inner = renderAlerts(t, addr)
	}
	return fmt.Sprintf(`<section style="%s"><h3>%s</h3>%s</section>`, style, html.EscapeString(p.Title), inner)
}

// dashboardVars replaces the dashboard's variables: the firm the test loaded, every team and rep.
var dashboardVars = strings.NewReplacer("$firm", "default", "$team", ".*", "$rep", ".*", "$__rate_interval", "1m")

// query runs a panel query, instant or over the last five minutes.
func query(t *testing.T, addr, expr string, ranged bool) []series {
	t.Helper()
	expr = dashboardVars.Replace(expr)
	u := "http://" + addr + "/api/v1/query?query=" + url.QueryEscape(expr)
	if ranged {
		now := time.Now()
		u = fmt.Sprintf("http://%s/api/v1/query_range?query=%s&start=%d&end=%d&step=2", addr, url.QueryEscape(expr), now.Add(-5*time.Minute).Unix(), now.Unix())
	}
	var res struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  []any             `json:"value"`
				Values [][]any           `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	getJSON(t, u, &res)
	var out []series
	for _, r := range res.Data.Result {
		s := series{labels: r.Metric}
		if r.Value != nil {
			r.Values = [][]any{r.Value}
		}
		for _, v := range r.Values {
			ts, _ := v[0].(float64)
			val, _ := strconv.ParseFloat(fmt.Sprint(v[1]), 64)
			s.points = append(s.points, [2]float64{ts, val})
		}
		out = append(out, s)
	}
	return out
}

// legend fills a legend format such as "{{team}} quota" from the labels.
func legend(format string, labels map[string]string) string {
	return regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`).ReplaceAllStringFunc(format, func(m string) string {
		return labels[strings.Trim(m, "{} ")]
	})
}

// format shows a value in a Grafana unit.
func format(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case unit == "percentunit":
		return fmt.Sprintf("%.1f%%", 100*v)
	case unit == "x":
		return fmt.Sprintf("%.2fx", v)
	case unit == "s":
		return (time.Duration(v) * time.Second).String()
	case math.Abs(v) >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case math.Abs(v) >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// last is a series' latest value.
func last(s series) float64 {
	if len(s.points) == 0 {
		return math.NaN()
	}
	return s.points[len(s.points)-1][1]
}

// renderStat shows the first series' value.
func renderStat(t *testing.T, addr string, p dashPanel) string {
	v := math.NaN()
	if res := query(t, addr, p.Targets[0].Expr, false); len(res) > 0 {
		v = last(res[0])
	}
	return `<div class="stat">` + format(v, p.FieldConfig.Defaults.Unit) + `</div>`
}

// renderBars shows one bar per series, longest first.
func renderBars(t *testing.T, addr string, p dashPanel) string {
	res := query(t, addr, p.Targets[0].Expr, false)
	sort.Slice(res, func(i, j int) bool { return last(res[i]) > last(res[j]) })
	top := 0.0
	for _, s := range res {
		top = math.Max(top, last(s))
	}
	var b strings.Builder
	for _, s := range res {
		w := 0.0
		if top > 0 {
			w = 100 * last(s) / top
		}
		fmt.Fprintf(&b, `<div class="bar"><span>%s</span><i style="width:%.0f%%"></i><b>%s</b></div>`,
			html.EscapeString(legend(p.Targets[0].LegendFormat, s.labels)), w, format(last(s), p.FieldConfig.Defaults.Unit))
	}
	return b.String()
}

// renderTable merges the targets by team and rep, one column per target, largest shortfall first.
func renderTable(t *testing.T, addr string, p dashPanel) string {
	names := map[string]string{}
	for _, tr := range p.Transformations {
		for k, v := range tr.Options.RenameByName {
			names[k] = v
		}
	}
	rows := map[string]map[string]float64{}
	var cols []string
	for _, tg := range p.Targets {
		col := names["Value #"+tg.RefID]
		cols = append(cols, col)
		for _, s := range query(t, addr, tg.Expr, false) {
			key := s.labels["team"] + "\x00" + s.labels["rep"]
			if rows[key] == nil {
				rows[key] = map[string]float64{}
			}
			rows[key][col] = last(s)
		}
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return rows[keys[i]]["Shortfall"] > rows[keys[j]]["Shortfall"] })
	var b strings.Builder
	b.WriteString("<table><tr><th>Team</th><th>Rep</th>")
	for _, c := range cols {
		b.WriteString("<th>" + html.EscapeString(c) + "</th>")
	}
	b.WriteString("</tr>")
	units := map[string]string{"Coverage": "x", "Required coverage": "x", "Attainment": "percentunit"}
	for _, k := range keys {
		team, rep, _ := strings.Cut(k, "\x00")
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td>", html.EscapeString(team), html.EscapeString(rep))
		for _, c := range cols {
			v, ok := rows[k][c]
			if !ok {
				v = math.NaN()
			}
			fmt.Fprintf(&b, "<td>%s</td>", format(v, units[c]))
		}
		b.WriteString("</tr>")
	}
	return b.String() + "</table>"
}

// renderLines draws every series of every target over the last five minutes as SVG lines.
func renderLines(t *testing.T, addr string, p dashPanel) string {
	var all []series
	var names []string
	for _, tg := range p.Targets {
		for _, s := range query(t, addr, tg.Expr, true) {
			all = append(all, s)
			names = append(names, legend(tg.LegendFormat, s.labels))
		}
	}
	lo, hi, t0, t1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range all {
		for _, pt := range s.points {
			t0, t1, lo, hi = math.Min(t0, pt[0]), math.Max(t1, pt[0]), math.Min(lo, pt[1]), math.Max(hi, pt[1])
		}
	}
	if len(all) == 0 {
		return `<div class="empty">no data</div>`
	}
	lo = math.Min(lo, 0)
	if hi == lo {
		hi = lo + 1
	}
	if t1 == t0 {
		t1 = t0 + 1
	}
	colors := []string{"#73bf69", "#f2cc0c", "#8ab8ff", "#ff9830", "#f2495c", "#b877d9", "#56a64b", "#fade2a"}
	var b strings.Builder
	b.WriteString(`<svg viewBox="0 0 1000 300" preserveAspectRatio="none">`)
	for i, s := range all {
		var pts []string
		for _, pt := range s.points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", 1000*(pt[0]-t0)/(t1-t0), 290-280*(pt[1]-lo)/(hi-lo)))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="3" points="%s"/>`, colors[i%len(colors)], strings.Join(pts, " "))
	}
	b.WriteString(`</svg><div class="legend">`)
	for i, n := range names {
		if i == 12 {
			fmt.Fprintf(&b, "<span>+%d more</span>", len(names)-i)
			break
		}
		fmt.Fprintf(&b, `<span><i style="background:%s"></i>%s %s</span>`, colors[i%len(colors)], html.EscapeString(n), format(last(all[i]), p.FieldConfig.Defaults.Unit))
	}
	return b.String() + fmt.Sprintf(`<span class="axis">%s – %s</span></div>`, format(lo, p.FieldConfig.Defaults.Unit), format(hi, p.FieldConfig.Defaults.Unit))
}

// renderAlerts lists Prometheus's firing and pending alerts.
func renderAlerts(t *testing.T, addr string) string {
	var res struct {
		Data struct {
			Alerts []promAlert `json:"alerts"`
		} `json:"data"`
	}
	getJSON(t, "http://"+addr+"/api/v1/alerts", &res)
	sort.Slice(res.Data.Alerts, func(i, j int) bool {
		return res.Data.Alerts[i].Annotations["summary"] < res.Data.Alerts[j].Annotations["summary"]
	})
	var b strings.Builder
	for i, a := range res.Data.Alerts {
		if i == 9 {
			fmt.Fprintf(&b, `<div class="alert">+%d more</div>`, len(res.Data.Alerts)-i)
			break
		}
		fmt.Fprintf(&b, `<div class="alert %s"><b>%s</b> %s: %s</div>`, a.State, a.State, html.EscapeString(a.Labels["alertname"]), html.EscapeString(a.Annotations["summary"]))
	}
	return b.String()
}

// pageTemplate lays the panels on Grafana's 24-column grid in a dark theme.
const pageTemplate = `<!doctype html><html><head><meta charset="utf-8"><style>
body{background:#111217;color:#ccccdc;font:13px sans-serif;margin:16px}
header{display:flex;justify-content:space-between;margin-bottom:8px}
header h1{font-size:18px;margin:0}
main{display:grid;grid-template-columns:repeat(24,1fr);grid-auto-rows:30px;gap:8px}
h2{font-size:15px;margin:8px 0 0;align-self:end}
section{background:#181b1f;border:1px solid #2c3235;border-radius:2px;padding:6px 8px;overflow:hidden}
h3{font-size:13px;margin:0 0 6px;font-weight:500}
.stat{font-size:34px;font-weight:600;color:#73bf69;text-align:center;margin-top:18px}
.bar{display:grid;grid-template-columns:120px 1fr 70px;align-items:center;gap:6px;margin:4px 0}
.bar i{display:block;height:14px;background:linear-gradient(90deg,#f2495c,#ff9830)}
.bar b{text-align:right}
table{border-collapse:collapse;width:100%%}td,th{padding:3px 6px;border-bottom:1px solid #2c3235;text-align:right}
td:nth-child(-n+2),th:nth-child(-n+2){text-align:left}
svg{width:100%%;height:150px;background:#111217}
.legend span{display:inline-block;margin:2px 10px 0 0}.legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
.axis{color:#8e8e8e}
.alert{padding:3px 0;border-bottom:1px solid #2c3235}.alert.firing b{color:#f2495c}.alert.pending b{color:#ff9830}
</style></head><body><header><h1>%s</h1><span>firm default · rendered %s from Prometheus</span></header><main>%s</main></body></html>`
