package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/salesrecipe/salesrecipe"
	"github.com/salesrecipe/salesrecipe/dashboards/metrics"
	"github.com/salesrecipe/salesrecipe/ingest"
)

// datasourceUID is the uid of the provisioned Prometheus data source.
const datasourceUID = "salesrecipe-prometheus"

// expression is one PromQL expression found in a file.
type expression struct {
	where string // file and the rule, panel or variable that holds it
	expr  string
}

// promRule is one rule of dashboards/prometheus/rules.yml.
type promRule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// prometheusRules reads the Prometheus rule file.
func prometheusRules(t *testing.T) []promRule {
	var f struct {
		Groups []struct {
			Name  string     `yaml:"name"`
			Rules []promRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	readYAML(t, &f, "dashboards", "prometheus", "rules.yml")
	var out []promRule
	for _, g := range f.Groups {
		out = append(out, g.Rules...)
	}
	return out
}

// grafanaRule is one Grafana-managed alert rule of the provisioning file.
type grafanaRule struct {
	UID       string `yaml:"uid"`
	Title     string `yaml:"title"`
	Condition string `yaml:"condition"`
	Data      []struct {
		RefID         string         `yaml:"refId"`
		DatasourceUID string         `yaml:"datasourceUid"`
		Model         map[string]any `yaml:"model"`
	} `yaml:"data"`
	For         string            `yaml:"for"`
	NoDataState string            `yaml:"noDataState"`
	Labels      map[string]string `yaml:"labels"`
}

// grafanaRules reads the Grafana alert rule provisioning file.
func grafanaRules(t *testing.T) []grafanaRule {
	var f struct {
		Groups []struct {
			Folder string        `yaml:"folder"`
			Rules  []grafanaRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	readYAML(t, &f, "dashboards", "grafana", "provisioning", "alerting", "rules.yml")
	var out []grafanaRule
	for _, g := range f.Groups {
		out = append(out, g.Rules...)
	}
	return out
}

// dashboardExpressions returns the PromQL of every panel target and template variable.
func dashboardExpressions(t *testing.T) []expression {
	b, err := os.ReadFile(repoPath(t, "dashboards", "grafana", "dashboards", "salesrecipe.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title      string `json:"title"`
			Type       string `json:"type"`
			Datasource *struct {
				UID string `json:"uid"`
			} `json:"datasource"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var out []expression
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != datasourceUID {
			t.Errorf("panel %q does not use the provisioned data source %s", p.Title, datasourceUID)
		}
		if len(p.Targets) == 0 && p.Type != "alertlist" {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			out = append(out, expression{"dashboard panel " + p.Title, tg.Expr})
		}
	}
	labelValues := regexp.MustCompile(`^label_values\((.+), (\w+)\)$`)
	for _, v := range d.Templating.List {
		m := labelValues.FindStringSubmatch(v.Definition)
		if m == nil {
			t.Errorf("variable %s: %q is not label_values(SELECTOR, LABEL)", v.Name, v.Definition)
			continue
		}
		out = append(out, expression{"dashboard variable " + v.Name, m[1]})
	}
	return out
}

// allExpressions gathers the PromQL of the rules, the Grafana alerts and the dashboard.
func allExpressions(t *testing.T) []expression {
	var out []expression
	for _, r := range prometheusRules(t) {
		out = append(out, expression{"rules.yml " + r.Record + r.Alert, r.Expr})
	}
	for _, r := range grafanaRules(t) {
		for _, d := range r.Data {
			if d.DatasourceUID == datasourceUID {
				expr, _ := d.Model["expr"].(string)
				out = append(out, expression{"grafana alert " + r.Title + " " + d.RefID, expr})
			}
		}
	}
	return append(out, dashboardExpressions(t)...)
}

// grafanaVariables maps Grafana's built-in interval variables to durations the parser accepts;
// $firm, $team and $rep appear only inside label matcher strings.
var grafanaVariables = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1d")

// TestPromQLParses parses every expression with Prometheus's own PromQL parser and checks each
// selector against the series salesrecipe exports and the recording rules define.
func TestPromQLParses(t *testing.T) {
	known := exportedSeries(t)
	for _, r := range prometheusRules(t) {
		if r.Record != "" {
			known[r.Record] = nil // any labels
		}
	}
	for _, builtin := range []string{"ALERTS", "ALERTS_FOR_STATE", "up"} {
		known[builtin] = nil
	}
	exprs := allExpressions(t)
	if len(exprs) < 40 {
		t.Fatalf("found %d expressions, want every rule, alert and panel", len(exprs))
	}
	p := parser.NewParser(parser.Options{})
	for _, e := range exprs {
		src := grafanaVariables.Replace(e.expr)
		if i := strings.IndexByte(strings.NewReplacer(`"$firm"`, "", `"$team"`, "", `"$rep"`, "").Replace(src), '$'); i >= 0 {
			t.Errorf("%s: unknown Grafana variable in %q", e.where, src)
			continue
		}
		ast, err := p.ParseExpr(src)
		if err != nil {
			t.Errorf("%s: %v\n%s", e.where, err, e.expr)
			continue
		}
		for _, problem := range checkSelectors(ast, known) {
			t.Errorf("%s: %s", e.where, problem)
		}
	}
}

// checkSelectors reports selectors of unknown metrics or with labels the metric does not have.
func checkSelectors(ast parser.Expr, known map[string][]string) []string {
	var problems []string
	parser.Inspect(ast, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		labels, ok := known[vs.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("selector %s: no such series", vs))
			return nil
		}
		for _, m := range vs.LabelMatchers {
			if labels != nil && m.Name != "__name__" && !slices.Contains(labels, m.Name) {
				problems = append(problems, fmt.Sprintf("selector %s: %s has no label %s", vs, vs.Name, m.Name))
			}
		}
		return nil
	})
	return problems
}

// exportedSeries gathers, from a real collector with every family populated, each series name
// Prometheus stores and its label names (with the target labels job and instance).
func exportedSeries(t *testing.T) map[string][]string {
	t.Helper()
	reg := prometheus.NewRegistry()
	src := staticSource{metrics.Snapshot{
		Firm: "f", Currency: "EUR", Period: salesrecipe.NewPeriod(salesrecipe.GrainMonth, time.Now()),
		Reps:         []metrics.Row{{Team: "t", Rep: "r", Forecast: 1, Quota: 2, PipelineOpen: 1, RequiredCoverage: 3}},
		Teams:        []metrics.Row{{Team: "t", Forecast: 1, Quota: 2, PipelineOpen: 1, RequiredCoverage: 3, Call: &metrics.Call{Commit: 1, BestCase: 2, SubmittedAt: time.Now()}}},
		RecipeCVWAPE: 0.3, FitDuration: time.Second, LastFit: time.Now(), LastForecast: time.Now(),
	}}
	m, err := metrics.New(metrics.Config{Registerer: reg, Source: src, PerRep: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.ObserveIngest("f", ingest.KindDeals, ingest.Result{Read: 1, Loaded: 1}, nil)
	m.InstrumentHTTP(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string][]string{}
	for _, mf := range mfs {
		labels := []string{"job", "instance"}
		for _, l := range mf.GetMetric()[0].GetLabel() {
			labels = append(labels, l.GetName())
		}
		name := mf.GetName()
		if mf.GetType().String() == "HISTOGRAM" {
			known[name+"_bucket"] = append(slices.Clone(labels), "le")
			known[name+"_sum"], known[name+"_count"] = labels, labels
			continue
		}
		known[name] = labels
	}
	return known
}

// staticSource serves one snapshot.
type staticSource struct{ snap metrics.Snapshot }

// Firms lists the snapshot's firm.
func (s staticSource) Firms(context.Context) ([]string, error) { return []string{s.snap.Firm}, nil }

// Snapshot returns the snapshot.
func (s staticSource) Snapshot(context.Context, string, time.Time) (metrics.Snapshot, error) {
	return s.snap, nil
}

// TestGrafanaAlertsMatchPrometheus checks that Grafana has one rule per Prometheus alert with the
// same name, pending period and severity, and that each rule is well formed.
func TestGrafanaAlertsMatchPrometheus(t *testing.T) {
	grafana := map[string]grafanaRule{}
	uids := map[string]bool{}
	for _, r := range grafanaRules(t) {
		grafana[r.Title] = r
		if uids[r.UID] {
			t.Errorf("uid %s used twice", r.UID)
		}
		uids[r.UID] = true
		refs := map[string]bool{}
		for _, d := range r.Data {
			refs[d.RefID] = true
			if d.DatasourceUID != datasourceUID && d.DatasourceUID != "__expr__" {
				t.Errorf("%s %s: unknown data source %s", r.Title, d.RefID, d.DatasourceUID)
			}
			if expr, ok := d.Model["expression"].(string); ok && !refs[expr] {
				t.Errorf("%s %s: reads %s, which is not defined before it", r.Title, d.RefID, expr)
			}
		}
		if !refs[r.Condition] {
			t.Errorf("%s: condition %s is not among its queries", r.Title, r.Condition)
		}
	}
	alerts := 0
	for _, p := range prometheusRules(t) {
		if p.Alert == "" {
			continue
		}
		alerts++
		g, ok := grafana[p.Alert]
		switch {
		case !ok:
			t.Errorf("Prometheus alert %s has no Grafana rule", p.Alert)
		case g.For != p.For:
			t.Errorf("%s: Grafana waits %s, Prometheus %s", p.Alert, g.For, p.For)
		case g.Labels["severity"] != p.Labels["severity"]:
			t.Errorf("%s: Grafana severity %s, Prometheus %s", p.Alert, g.Labels["severity"], p.Labels["severity"])
		}
	}
	if alerts != len(grafana) {
		t.Errorf("%d Prometheus alerts, %d Grafana rules", alerts, len(grafana))
	}
}
