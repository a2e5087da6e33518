package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/salesrecipe/salesrecipe/ingest/synth"
	"github.com/salesrecipe/salesrecipe/queries/querytest"
)

// The end-to-end test overrides two things of dashboards/prometheus/rules.yml so it finishes in
// seconds on any day of the month: every alert's `for` becomes e2eFor, and the period-elapsed
// recording rule is clamped to 1 (the "late enough in the period" condition is covered by the
// promtool unit tests). Everything else runs as deployed.
const (
	e2eFor           = "5s"
	elapsedRecord    = "firm:salesrecipe_period_elapsed:ratio"
	e2eIngestToken   = "e2e-ingest-token-0123456789abcdef"
	e2eScrapeToken   = "e2e-scrape-token-0123456789abcdef"
	e2eAlertDeadline = 3 * time.Minute
)

// TestShortfallAlertEndToEnd runs a real Prometheus (Debian's package) against a real
// `salesrecipe serve` on loopback, loads a synthetic firm with a planted shortfall through the
// ingest API, and reads the firing SalesrecipeRepShortfall alert from Prometheus's HTTP API.
func TestShortfallAlertEndToEnd(t *testing.T) {
	promBin := requireTool(t, "prometheus")
	lib := querytest.LibraryPath()
	if _, err := os.Stat(lib); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("embedded engine %s missing; make test fetches it (make chdb): %v", lib, err)
		}
		t.Skipf("embedded engine %s missing: run `make chdb`", lib)
	}
	dir := t.TempDir()
	bin := buildSalesrecipe(t, dir)

	firm := filepath.Join(dir, "firm")
	run(t, exec.Command(bin, "synth", "--out", firm, "--reps", "10", "--months", "9", "--shortfall"))
	users := filepath.Join(dir, "users.yaml")
	writeFile(t, users, fmt.Sprintf("users:\n  - name: E2E Loader\n    token: %q\n    role: ingest\n    firm: default\n"+
		"  - name: E2E Prometheus\n    token: %q\n    role: operator\n", e2eIngestToken, e2eScrapeToken))
	scrapeToken := filepath.Join(dir, "salesrecipe-token")
	writeFile(t, scrapeToken, e2eScrapeToken)

	srAddr := freeAddr(t)
	serve := start(t, dir, "salesrecipe", exec.Command(bin, "serve", "--addr", srAddr, "--data", filepath.Join(dir, "store"),
		"--chdb-lib", lib, "--users", users, "--metrics-refresh", "1s"))
	waitHTTP(t, "http://"+srAddr+"/readyz", serve)
	res, err := http.Get("http://" + srAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/metrics without a token: %d, want 401", res.StatusCode)
	}
	for _, kind := range []string{"reps", "quotas", "stages", "activities", "deals"} {
		postCSV(t, "http://"+srAddr+"/api/v1/ingest/"+kind, filepath.Join(firm, kind+".csv"))
	}

	promAddr := freeAddr(t)
	rules := filepath.Join(dir, "rules.yml")
	writeFile(t, rules, string(e2eRules(t)))
	config := filepath.Join(dir, "prometheus.yml")
	writeFile(t, config, fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: salesrecipe
    authorization:
      credentials_file: %q
    static_configs:
      - targets: [%q]
`, rules, scrapeToken, srAddr))
	prom := start(t, dir, "prometheus", exec.Command(promBin, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr, "--log.level=warn"))
	waitHTTP(t, "http://"+promAddr+"/-/ready", prom)

	alert, sawPending := waitForAlert(t, promAddr, "SalesrecipeRepShortfall", synth.ShortfallRep, serve, prom)
	if !sawPending {
		t.Errorf("the alert never showed as pending before firing (for: %s)", e2eFor)
	}
	if want := synth.ShortfallRep + " ("; !strings.HasPrefix(alert.Annotations["summary"], want) {
		t.Errorf("summary %q, want it to name %s", alert.Annotations["summary"], synth.ShortfallRep)
	}
	for _, l := range []string{"firm", "team", "rep", "severity"} {
		if alert.Labels[l] == "" {
			t.Errorf("firing alert lacks label %s: %v", l, alert.Labels)
		}
	}
	// The ingest API's counters and route histogram reached Prometheus too.
	for _, q := range []string{
		`salesrecipe_ingest_rows_total{firm="default",kind="deals",outcome="loaded"} > 0`,
		`salesrecipe_http_request_duration_seconds_count{route="POST /api/v1/ingest/{kind}",code="200"} >= 5`,
		`salesrecipe_refresh_up{firm="default"} == 1`,
	} {
		if n := queryCount(t, promAddr, q); n == 0 {
			log, _ := os.ReadFile(serve.log)
			t.Errorf("Prometheus has no series for %s; salesrecipe's log:\n%s", q, log)
		}
	}
	if png := os.Getenv(renderEnv); png != "" {
		time.Sleep(30 * time.Second) // a little history for the time series panels
		renderDashboard(t, promAddr, png)
	}
}

// buildSalesrecipe builds the command into dir, as `make build` does.
func buildSalesrecipe(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "salesrecipe")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/salesrecipe")
	cmd.Dir = root(t)
	run(t, cmd)
	return bin
}

// e2eRules is rules.yml with short pending periods and the period-elapsed record clamped to 1.
func e2eRules(t *testing.T) []byte {
	t.Helper()
	type rule struct {
		Record      string            `yaml:"record,omitempty"`
		Alert       string            `yaml:"alert,omitempty"`
		Expr        string            `yaml:"expr"`
		For         string            `yaml:"for,omitempty"`
		Labels      map[string]string `yaml:"labels,omitempty"`
		Annotations map[string]string `yaml:"annotations,omitempty"`
	}
	var f struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []rule `yaml:"rules"`
		} `yaml:"groups"`
	}
	b, err := os.ReadFile(repoPath(t, "dashboards", "prometheus", "rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a field this copy would drop fails the test instead
	if err := dec.Decode(&f); err != nil {
		t.Fatal(err)
	}
	overridden := false
	for _, g := range f.Groups {
		for i := range g.Rules {
			r := &g.Rules[i]
			if r.Alert != "" {
				r.For = e2eFor
			}
			if r.Record == elapsedRecord {
				r.Expr = "clamp_min(" + strings.TrimSpace(r.Expr) + ", 1)"
				overridden = true
			}
		}
	}
	if !overridden {
		t.Fatalf("rules.yml has no %s to override", elapsedRecord)
	}
	out, err := yaml.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// promAlert is one alert of Prometheus's /api/v1/alerts.
type promAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
}

// waitForAlert polls /api/v1/alerts until the named alert fires for rep, and reports whether it
// was seen pending first.
func waitForAlert(t *testing.T, addr, name, rep string, procs ...*process) (promAlert, bool) {
	t.Helper()
	deadline := time.Now().Add(e2eAlertDeadline)
	sawPending := false
	for time.Now().Before(deadline) {
		var res struct {
			Data struct {
				Alerts []promAlert `json:"alerts"`
			} `json:"data"`
		}
		getJSON(t, "http://"+addr+"/api/v1/alerts", &res)
		for _, a := range res.Data.Alerts {
			if a.Labels["alertname"] != name || a.Labels["rep"] != rep {
				continue
			}
			if a.State == "firing" {
				return a, sawPending
			}
			sawPending = sawPending || a.State == "pending"
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, p := range procs {
		t.Logf("%s log:\n%s", p.name, p.logTail())
	}
	t.Fatalf("%s for %s did not fire within %s", name, rep, e2eAlertDeadline)
	return promAlert{}, false
}

// queryCount runs an instant query and returns the number of series in the result.
func queryCount(t *testing.T, addr, q string) int {
	t.Helper()
	var res struct {
		Status string `json:"status"`
		Data   struct {
			Result []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	getJSON(t, "http://"+addr+"/api/v1/query?query="+url.QueryEscape(q), &res)
	if res.Status != "success" {
		t.Fatalf("query %s: status %s", q, res.Status)
	}
	return len(res.Data.Result)
}

// getJSON decodes a GET answer.
func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// postCSV loads one file through the ingest API.
func postCSV(t *testing.T, u, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	req, err := http.NewRequest(http.MethodPost, u, f)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e2eIngestToken)
	req.Header.Set("Content-Type", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s %s", u, res.Status, body)
	}
}

// process is a server the test started; it is stopped when the test ends.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// start runs cmd in the background with its output in a log file under dir.
func start(t *testing.T, dir, name string, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{name: name, cmd: cmd, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	f, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { cmd.Wait(); f.Close(); close(p.done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// logTail returns the end of the process's log.
func (p *process) logTail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// waitHTTP waits up to a minute for u to answer 200.
func waitHTTP(t *testing.T, u string, p *process) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for ctx.Err() == nil && !p.exited() {
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %s:\n%s", p.name, u, p.logTail())
}

// run runs a command to completion, failing the test with its output on error.
func run(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}

// writeFile writes a test file.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
