package main

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestServeRefusesProxyHeaderWithoutTrustedProxies(t *testing.T) {
	_, stderr, err := runCmd(t, nil, "serve", "--auth-proxy-header", "X-Forwarded-Email")
	if !errors.Is(err, errUsage) || !strings.Contains(stderr, "needs --trusted-proxies") {
		t.Fatalf("err %v, stderr %s", err, stderr)
	}
	_, stderr, err = runCmd(t, nil, "serve", "--trusted-proxies", "10.0.0.0/33")
	if !errors.Is(err, errUsage) || !strings.Contains(stderr, `trusted proxy "10.0.0.0/33"`) {
		t.Fatalf("err %v, stderr %s", err, stderr)
	}
}

// serveUsers is the users file of TestServeProtectsMetrics.
const serveUsers = `users:
  - {name: Admin, token: "serve-admin-token-0000000", role: admin}
  - {name: Scraper, token: "serve-metrics-token-00000", role: metrics}
  - {name: Other Scraper, token: "serve-other-metrics-00000", role: metrics, firm: other}
  - {name: Ops, token: "serve-operator-token-0000", role: operator}
`

func TestServeProtectsMetrics(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(users, []byte(serveUsers), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	defer startServe(t, addr, "--data", filepath.Join(dir, "store"), "--users", users, "--metrics-addr", metricsAddr, "--metrics-refresh", "1s")()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(waitFor(t, "http://"+metricsAddr+"/metrics", 200), `salesrecipe_refresh_up{firm="default"}`) {
		if time.Now().After(deadline) {
			t.Fatal("/metrics never showed the first refresh")
		}
		time.Sleep(100 * time.Millisecond)
	}
	tests := []struct {
		url, token string
		code       int
		has, lacks string
	}{
		{"http://" + addr + "/metrics", "", http.StatusUnauthorized, "", "salesrecipe_"},
		{"http://" + addr + "/metrics", "guess-guess-guess-guess-0", http.StatusUnauthorized, "", "salesrecipe_"},
		{"http://" + addr + "/metrics", "serve-admin-token-0000000", http.StatusForbidden, "", "salesrecipe_"},
		{"http://" + addr + "/metrics", "serve-metrics-token-00000", http.StatusOK, `firm="default"`, "go_goroutines"},
		{"http://" + addr + "/metrics", "serve-other-metrics-00000", http.StatusOK, "", `firm="default"`},
		{"http://" + addr + "/metrics", "serve-operator-token-0000", http.StatusOK, "go_goroutines", ""},
		{"http://" + metricsAddr + "/metrics", "", http.StatusOK, "go_goroutines", ""},
		{"http://" + addr + "/healthz", "", http.StatusOK, "ok", ""},
		{"http://" + addr + "/readyz", "", http.StatusOK, "ready", ""},
		{"http://" + addr + "/api/v1/ingest/deals", "", http.StatusUnauthorized, "", ""},
	}
	for _, tt := range tests {
		method := http.MethodGet
		if strings.Contains(tt.url, "/ingest/") {
			method = http.MethodPost
		}
		req, _ := http.NewRequest(method, tt.url, nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		b := string(raw)
		if res.StatusCode != tt.code || (tt.has != "" && !strings.Contains(b, tt.has)) || (tt.lacks != "" && strings.Contains(b, tt.lacks)) {
			t.Errorf("%s with token %q: %d, want %d with %q and without %q:\n%.400s", tt.url, tt.token, res.StatusCode, tt.code, tt.has, tt.lacks, b)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s lacks the security headers: %v", tt.url, res.Header)
		}
	}
}

// startServe starts `salesrecipe serve` with args and waits until it is ready; stop ends it.
func startServe(t *testing.T, addr string, args ...string) (stop func()) {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = func() {
		cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve: %v\n%s", err, logs.String())
		}
	}
	waitFor(t, "http://"+addr+"/readyz", 200)
	return stop
}

func TestLogoutOutlivesRestart(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(users, []byte(serveUsers), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	args := []string{"--data", filepath.Join(dir, "store"), "--users", users, "--session-key", strings.Repeat("s", 32)}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, c *http.Cookie) (*http.Response, string) {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		if c != nil {
			req.AddCookie(c)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	stop := startServe(t, addr, args...)
	res, _ := get("/login?token=serve-admin-token-0000000", nil)
	var ses *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "salesrecipe_session" {
			ses = c
		}
	}
	if ses == nil {
		t.Fatalf("no session cookie: %d", res.StatusCode)
	}
	_, page := get("/pipeline", ses)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no logout form:\n%.500s", page)
	}
	req, _ := http.NewRequest("POST", "http://"+addr+"/logout", strings.NewReader(url.Values{"csrf": {m[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(ses)
	if res, err := client.Do(req); err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %v %v", res, err)
	}
	stop()
	stop = startServe(t, addr, args...)
	defer stop()
	if res, _ := get("/pipeline", ses); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("the logged-out cookie after a restart with the same --session-key: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}
