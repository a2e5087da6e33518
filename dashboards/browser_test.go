package dashboards

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

var updateDocs = flag.Bool("update-docs", false, "write the README's screenshots into ../docs/")

// chromium returns the Chromium binary, skipping the test when there is none
// outside CI and failing it in CI (where `make test` installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; scripts/install-chromium.sh (make chromium) installs Debian's package")
	}
	t.Skip("chromium is not installed: run `make chromium` (scripts/install-chromium.sh) to run the browser tests")
	return ""
}

// screenshotDir is where screenshots go: $SALESRECIPE_SCREENSHOTS or a folder in the temp dir.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("SALESRECIPE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "salesrecipe-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tab is one headless Chromium tab that records every request it makes and
// every console error, exception and browser log error.
type tab struct {
	ctx  context.Context
	host string

	mu       sync.Mutex
	requests []string
	problems []string
}

// newTab starts Chromium with the flags that keep it off the network.
func newTab(t *testing.T, execPath, host string) *tab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tb := &tab{host: host}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(tb.listen))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	tb.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return tb
}

// listen records requests and problems; it runs in the tab's event loop.
func (tb *tab) listen(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		tb.requests = append(tb.requests, ev.Request.URL)
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		tb.problems = append(tb.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			tb.problems = append(tb.problems, "console error: "+strings.Join(parts, " "))
		}
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			tb.problems = append(tb.problems, fmt.Sprintf("log error (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// take returns and clears what was recorded.
func (tb *tab) take() (requests, problems []string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	requests, problems = tb.requests, tb.problems
	tb.requests, tb.problems = nil, nil
	return requests, problems
}

// do runs actions with a time limit.
func (tb *tab) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 45*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// chartCheck is what the page says about one chart's canvas.
type chartCheck struct {
	ID      string `json:"id"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Painted int    `json:"painted"`
}

// checkCharts counts the painted pixels of every chart's canvas.
const checkCharts = `Array.from(document.querySelectorAll("div.chart")).map(function (el) {
  var c = el.querySelector("canvas");
  if (!c) { return {id: el.id, width: 0, height: 0, painted: 0}; }
  var d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data, n = 0;
  for (var i = 3; i < d.length; i += 4) { if (d[i] !== 0) { n++; } }
  return {id: el.id, width: c.width, height: c.height, painted: n};
})`

// open loads a page and waits until it and its charts are done.
func (tb *tab) open(t *testing.T, path string) {
	t.Helper()
	tb.do(t, chromedp.Navigate(tb.host+path), chromedp.WaitReady(chromedp.CSS("body")))
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete" && document.querySelectorAll("div.chart:not([data-rendered])").length === 0`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("%s: charts did not render: %v", path, err)
	}
}

// visit loads a page, checks every chart painted its canvas, that no request
// left the host and nothing logged an error, and saves a screenshot.
func (tb *tab) visit(t *testing.T, path, shot string) {
	t.Helper()
	tb.open(t, path)
	charts := eval[[]chartCheck](t, tb, checkCharts)
	for _, c := range charts {
		if c.Width == 0 || c.Height == 0 || c.Painted < 500 {
			t.Errorf("%s: chart %s drew nothing: %+v", path, c.ID, c)
		}
	}
	tb.expectClean(t, path)
	if shot != "" {
		tb.screenshot(t, shot)
	}
}

// screenshot saves a full-page PNG among the test artifacts.
func (tb *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	tb.capture(t, name, chromedp.FullScreenshot(100))
}

// capture saves what a screenshot action returns among the test artifacts.
func (tb *tab) capture(t *testing.T, name string, shot chromedp.Action[[]byte]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 45*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(t), name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// expectClean fails on any request to another host and any recorded problem.
func (tb *tab) expectClean(t *testing.T, path string) {
	t.Helper()
	requests, problems := tb.take()
	for _, u := range requests {
		if !strings.HasPrefix(u, tb.host+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("%s: request left the host: %s", path, u)
		}
	}
	for _, p := range problems {
		t.Errorf("%s: %s", path, p)
	}
}

// login signs the browser in through the link form /login?token=T&next=PATH.
func (tb *tab) login(t *testing.T, role, next string) {
	t.Helper()
	if _, err := chromedp.Call(tb.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	tb.do(t, chromedp.Navigate(tb.host+withQuery("/login", "token", tokens[role], "next", next)), chromedp.WaitReady(chromedp.CSS("body")))
	if href := eval[string](t, tb, `location.href`); strings.Contains(href, "token=") {
		t.Fatalf("the token stayed in the address bar: %s", href)
	}
}

// download clicks a CSV link and returns the file the browser saved.
func (tb *tab) download(t *testing.T, selector string) string {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	tb.do(t, chromedp.Click(chromedp.CSS(selector)))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("no download from %s: %v", selector, err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no download from %s", selector)
	return ""
}

// ptrTo returns a pointer to v.
func ptrTo[T any](v T) *T { return &v }

// browserPages are the pages a manager visits, with their screenshot names.
var browserPages = []struct{ path, shot string }{
	{"/team", "team.png"},
	{"/reps/r0003", "rep.png"},
	{"/recipe", "recipe.png"},
	{"/accuracy", "accuracy.png"},
	{"/pipeline", "pipeline.png"},
	{"/review", "review-team.png"},
	{"/review/r0003", "review-rep.png"},
}

// docShots are the screenshots the README shows, copied into docs/ with -update-docs.
var docShots = map[string]string{"manager-team.png": "dashboard-team.png", "phone-reps-r0003-screen.png": "dashboard-rep-phone.png",
	"manager-team-calls-section.png": "dashboard-team-calls.png", "manager-contest-standings.png": "dashboard-contest.png"}

func TestBrowser(t *testing.T) {
	execPath := chromium(t)
	f := newFixture(t)
	if !*updateDocs {
		f.lightBacktests(t) // the README's accuracy screenshot shows three periods
	}
	f.fit(t, testNow.Add(-24*time.Hour))
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	tb := newTab(t, execPath, ts.URL)

	t.Run("manager sees every page", func(t *testing.T) {
		tb.login(t, "manager", "/team")
		if path := eval[string](t, tb, `location.pathname`); path != "/team" {
			t.Fatalf("after login the manager is on %s", path)
		}
		for _, p := range browserPages {
			tb.visit(t, p.path, "manager-"+p.shot)
		}
	})
	t.Run("rep sees their own pages only", func(t *testing.T) {
		tb.login(t, "rep", "")
		if path := eval[string](t, tb, `location.pathname`); path != "/reps/r0003" {
			t.Fatalf("the rep landed on %s, want their own page", path)
		}
		tb.visit(t, "/reps/r0003", "rep-rep.png")
		tb.visit(t, "/pipeline", "rep-pipeline.png")
		for _, other := range []string{"/reps/r0005", "/reps/r0002", "/review/r0005", "/api/v1/reps/r0002"} {
			tb.do(t, chromedp.Navigate(tb.host+other), chromedp.WaitReady(chromedp.CSS("body")))
			if text := eval[string](t, tb, `document.body.innerText`); !strings.Contains(text, "not found") || strings.Contains(text, "r0005") || strings.Contains(text, "r0002") {
				t.Errorf("the rep reached %s:\n%.300s", other, text)
			}
			tb.take() // the 404 is logged by the browser as a failed load, which is the point
		}
		tb.do(t, chromedp.Navigate(tb.host+"/team"), chromedp.WaitReady(chromedp.CSS("body")))
		if path := eval[string](t, tb, `location.pathname`); path != "/reps/r0003" {
			t.Errorf("the team page took the rep to %s", path)
		}
		tb.expectClean(t, "/team as rep")
	})
	t.Run("rep submits a call, the manager sees it", func(t *testing.T) {
		tb.login(t, "rep", "/reps/r0003")
		tb.open(t, "/reps/r0003")
		tb.do(t, chromedp.SetValue(chromedp.CSS(`#calls input[name=commit]`), "12345"),
			chromedp.SetValue(chromedp.CSS(`#calls input[name=best_case]`), "23456"),
			chromedp.SetValue(chromedp.CSS(`#calls input[name=note]`), "Browser call: Acme signs"),
			chromedp.Click(chromedp.CSS(`#calls button[type=submit]`)))
		// The form's answer is a redirect back to the rep page, showing the call.
		tb.do(t, chromedp.WaitReady(chromedp.CSS(`#table-call-history tbody tr`)))
		if href := eval[string](t, tb, `location.pathname + location.search`); href != "/reps/r0003?period=2026-03" {
			t.Errorf("after the call the rep is on %s", href)
		}
		if text := eval[string](t, tb, `document.querySelector("#table-call-history").innerText`); !strings.Contains(text, "Browser call: Acme signs") || !strings.Contains(text, "12,345") {
			t.Errorf("the rep's call history:\n%s", text)
		}
		tb.expectClean(t, "/reps/r0003 call")
		tb.login(t, "manager", "/team")
		tb.visit(t, "/team", "manager-team-calls.png")
		tb.capture(t, "manager-team-calls-section.png", chromedp.Screenshot(chromedp.CSS(`section#calls`)))
		row := eval[string](t, tb, `Array.from(document.querySelectorAll("#table-calls tbody tr")).map(function (r) { return r.innerText; }).filter(function (t) { return t.indexOf("Browser call") >= 0; }).join("\n")`)
		if !strings.Contains(row, "12,345") || !strings.Contains(row, "23,456") || !strings.Contains(row, "Ray Rep") {
			t.Errorf("the manager's Team page shows the rep's call as %q", row)
		}
	})
	t.Run("rep writes a plan the manager reviews", func(t *testing.T) { browserPlan(t, tb) })
	t.Run("csv download", func(t *testing.T) {
		tb.login(t, "manager", "/team")
		tb.open(t, "/team")
		csv := tb.download(t, `#reps a.csv`)
		if !strings.HasPrefix(csv, "Rep,Team,Quota,Closed won,+ Pipeline,+ New business,= Forecast") || strings.Count(csv, "\n") < 3 {
			t.Errorf("downloaded CSV:\n%s", csv)
		}
		tb.expectClean(t, "/team csv")
	})
	t.Run("contest", func(t *testing.T) { browseContest(t, tb) })
	t.Run("phone width", func(t *testing.T) {
		tb.login(t, "manager", "/team")
		tb.do(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		defer tb.do(t, chromedp.ResetViewport())
		for _, p := range []string{"/team", "/reps/r0003"} {
			name := "phone" + strings.ReplaceAll(p, "/", "-")
			tb.visit(t, p, name+".png")
			tb.capture(t, name+"-screen.png", chromedp.CaptureScreenshot())
			if eval[bool](t, tb, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
				t.Errorf("%s is wider than a phone screen", p)
			}
		}
	})
	dir := screenshotDir(t)
	t.Logf("screenshots in %s", dir)
	if *updateDocs {
		for from, to := range docShots {
			b, err := os.ReadFile(filepath.Join(dir, from))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("..", "docs", to), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
