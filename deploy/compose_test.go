package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// composeEnv is the environment the operator sets in .env (deploy/env.example).
var composeEnv = map[string]string{
	"CLICKHOUSE_PASSWORD":         "test-password",
	"GRAFANA_ADMIN_PASSWORD":      "test-admin",
	"SALESRECIPE_MANAGER_EMAILS":  "managers@example.org",
	"SALESRECIPE_OPERATOR_EMAILS": "ops@example.org",
}

// loadCompose loads docker-compose.yml with the demo profile and env, without the process environment.
func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	var list []string
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{repoPath(t, "docker-compose.yml")},
		cli.WithWorkingDirectory(root(t)), cli.WithEnv(list), cli.WithProfiles([]string{"demo"}),
		cli.WithResolvedPaths(true), cli.WithConsistency(true))
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(context.Background())
}

// project loads the compose file with the full environment, failing the test on error.
func project(t *testing.T) *types.Project {
	t.Helper()
	p, err := loadCompose(t, composeEnv)
	if err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	return p
}

func TestComposeLoads(t *testing.T) {
	p := project(t)
	want := []string{"clickhouse", "demo", "grafana", "prometheus", "salesrecipe"}
	if got := p.ServiceNames(); !slices.Equal(sorted(got), want) {
		t.Fatalf("services %v, want %v", got, want)
	}
	if p.Name != "salesrecipe" {
		t.Errorf("project name %q, want salesrecipe", p.Name)
	}
}

// TestComposeNeedsSecrets checks that a missing secret stops the load with a message naming it.
func TestComposeNeedsSecrets(t *testing.T) {
	for name := range composeEnv {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range composeEnv {
				if k != name {
					env[k] = v
				}
			}
			_, err := loadCompose(t, env)
			if err == nil || !strings.Contains(err.Error(), "set "+name) {
				t.Fatalf("load without %s: %v, want an error asking to set it", name, err)
			}
		})
	}
}

// TestComposeImagesResolve checks every service's build context and Dockerfile, or a pinned image.
func TestComposeImagesResolve(t *testing.T) {
	p := project(t)
	pinned := map[string]string{
		"clickhouse": "clickhouse/clickhouse-server:25.8",
		"prometheus": "prom/prometheus:v3.",
		"grafana":    "grafana/grafana:12.",
	}
	for _, s := range p.Services {
		t.Run(s.Name, func(t *testing.T) {
			if s.Build == nil {
				if s.Image == "" {
					t.Fatal("neither image nor build")
				}
				if !strings.HasPrefix(s.Image, pinned[s.Name]) || pinned[s.Name] == "" {
					t.Errorf("image %q, want the pinned %s", s.Image, pinned[s.Name])
				}
				return
			}
			if fi, err := os.Stat(s.Build.Context); err != nil || !fi.IsDir() {
				t.Fatalf("build context %s: %v", s.Build.Context, err)
			}
			dockerfile := filepath.Join(s.Build.Context, s.Build.Dockerfile)
			if _, err := os.Stat(dockerfile); err != nil {
				t.Fatalf("Dockerfile: %v", err)
			}
			if s.Image != "salesrecipe:local" {
				t.Errorf("built image is tagged %q, want salesrecipe:local so every service of the image shares one build", s.Image)
			}
		})
	}
}

// TestComposeHealthchecks checks that long-running services have healthchecks on their own port
// and that every dependency that must be healthy has one.
func TestComposeHealthchecks(t *testing.T) {
	p := project(t)
	for _, s := range p.Services {
		t.Run(s.Name, func(t *testing.T) {
			oneShot := s.Restart == types.RestartPolicyNo
			hc := s.HealthCheck
			switch {
			case oneShot:
			case hc == nil || hc.Disable || len(hc.Test) == 0:
				t.Fatal("no healthcheck")
			case listenPorts[s.Name] != 0 && !strings.Contains(strings.Join(hc.Test, " "), fmt.Sprintf(":%d/", listenPorts[s.Name])):
				t.Errorf("healthcheck %v does not probe port %d", hc.Test, listenPorts[s.Name])
			}
			for dep, d := range s.DependsOn {
				target, err := p.GetService(dep)
				if err != nil {
					t.Fatalf("depends on %s: %v", dep, err)
				}
				if d.Condition == types.ServiceConditionHealthy && (target.HealthCheck == nil || target.HealthCheck.Disable) {
					t.Errorf("waits for %s to be healthy, which has no healthcheck", dep)
				}
			}
		})
	}
}

// listenPorts is the port each published service listens on inside its container.
var listenPorts = map[string]uint32{"salesrecipe": 8080, "prometheus": 9090, "grafana": 3000}

// metricsPort is where salesrecipe serves /metrics without a token: on the compose network only.
const metricsPort = 9464

// TestComposePorts checks that published ports are unique, on loopback, and reach the port the
// service is configured to listen on.
func TestComposePorts(t *testing.T) {
	p := project(t)
	published := map[string]string{}
	for _, s := range p.Services {
		for _, port := range s.Ports {
			key := port.HostIP + ":" + port.Published
			if other, ok := published[key]; ok {
				t.Errorf("%s and %s both publish %s", other, s.Name, key)
			}
			published[key] = s.Name
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s on %q, want loopback only", s.Name, port.Published, port.HostIP)
			}
			if want := listenPorts[s.Name]; port.Target != want {
				t.Errorf("%s publishes container port %d, want %d", s.Name, port.Target, want)
			}
		}
	}
	args := func(name string) string {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(s.Command, " ")
	}
	if a := args("salesrecipe"); !strings.Contains(a, "--addr 0.0.0.0:8080") || !strings.Contains(a, fmt.Sprintf("--metrics-addr 0.0.0.0:%d", metricsPort)) {
		t.Errorf("salesrecipe command %q does not listen on 0.0.0.0:8080 and serve /metrics on 0.0.0.0:%d", a, metricsPort)
	}
	for _, s := range p.Services {
		for _, port := range s.Ports {
			if port.Target == metricsPort {
				t.Errorf("%s publishes the token-free /metrics port %d", s.Name, metricsPort)
			}
		}
	}
	if a := args("prometheus"); !strings.Contains(a, "--web.listen-address=:9090") {
		t.Errorf("prometheus command %q does not listen on :9090", a)
	}
	if g, _ := p.GetService("grafana"); g.Environment["GF_SERVER_HTTP_PORT"] != nil {
		t.Errorf("grafana sets GF_SERVER_HTTP_PORT; the checks assume its default 3000")
	}
}

// TestComposeVolumes checks bind sources exist and named volumes are declared and used.
func TestComposeVolumes(t *testing.T) {
	p := project(t)
	used := map[string]bool{}
	for _, s := range p.Services {
		targets := map[string]bool{}
		for _, v := range s.Volumes {
			if targets[v.Target] {
				t.Errorf("%s mounts two volumes at %s", s.Name, v.Target)
			}
			targets[v.Target] = true
			switch v.Type {
			case types.VolumeTypeBind:
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("%s mounts %s, which does not exist: %v", s.Name, v.Source, err)
				}
				if !v.ReadOnly {
					t.Errorf("%s mounts %s read-write; configuration is mounted read-only", s.Name, v.Source)
				}
				if !strings.HasPrefix(v.Source, root(t)+string(filepath.Separator)) {
					t.Errorf("%s mounts %s from outside the repository", s.Name, v.Source)
				}
			case types.VolumeTypeVolume:
				if _, ok := p.Volumes[v.Source]; !ok {
					t.Errorf("%s uses volume %s, which is not declared", s.Name, v.Source)
				}
				used[v.Source] = true
			default:
				t.Errorf("%s: unexpected volume type %s", s.Name, v.Type)
			}
		}
	}
	for name := range p.Volumes {
		if !used[name] {
			t.Errorf("volume %s is declared and unused", name)
		}
	}
}

// TestComposeSalesrecipeDSN checks that salesrecipe and the demo loader reach the ClickHouse service.
func TestComposeSalesrecipeDSN(t *testing.T) {
	p := project(t)
	ch, err := p.GetService("clickhouse")
	if err != nil {
		t.Fatal(err)
	}
	user, db := *ch.Environment["CLICKHOUSE_USER"], *ch.Environment["CLICKHOUSE_DB"]
	want := fmt.Sprintf("http://%s:%s@clickhouse:8123/%s", user, composeEnv["CLICKHOUSE_PASSWORD"], db)
	for _, name := range []string{"salesrecipe", "demo"} {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Environment["SALESRECIPE_CLICKHOUSE"]; got == nil || *got != want {
			t.Errorf("%s SALESRECIPE_CLICKHOUSE = %v, want %s", name, got, want)
		}
	}
}

// mountTarget returns where a service mounts the repository file or directory rel.
func mountTarget(t *testing.T, p *types.Project, service, rel string) string {
	t.Helper()
	s, err := p.GetService(service)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeBind && v.Source == repoPath(t, rel) {
			return v.Target
		}
	}
	t.Fatalf("%s does not mount %s", service, rel)
	return ""
}

// TestPrometheusConfigMatchesCompose checks the scrape target and rule files against the compose file.
func TestPrometheusConfigMatchesCompose(t *testing.T) {
	p := project(t)
	var cfg struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	readYAML(t, &cfg, "deploy", "prometheus.yml")
	if got := mountTarget(t, p, "prometheus", "deploy/prometheus.yml"); got != "/etc/prometheus/prometheus.yml" {
		t.Errorf("prometheus.yml mounted at %s", got)
	}
	rules := mountTarget(t, p, "prometheus", "dashboards/prometheus/rules.yml")
	matched := false
	for _, glob := range cfg.RuleFiles {
		if ok, _ := filepath.Match(glob, rules); ok {
			matched = true
		}
	}
	if !matched {
		t.Errorf("rules mounted at %s match no rule_files entry %v", rules, cfg.RuleFiles)
	}
	found := false
	for _, sc := range cfg.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			if slices.Contains(st.Targets, fmt.Sprintf("salesrecipe:%d", metricsPort)) {
				found = sc.MetricsPath == "/metrics" && sc.JobName == "salesrecipe"
			}
		}
	}
	if !found {
		t.Errorf("no scrape job salesrecipe of salesrecipe:%d/metrics", metricsPort)
	}
}

// TestGrafanaProvisioningMatchesCompose checks data source, dashboard path and alert addresses.
func TestGrafanaProvisioningMatchesCompose(t *testing.T) {
	p := project(t)
	var ds struct {
		Datasources []struct {
			UID, Type, URL string
		} `yaml:"datasources"`
	}
	readYAML(t, &ds, "dashboards", "grafana", "provisioning", "datasources", "prometheus.yml")
	want := fmt.Sprintf("http://prometheus:%d", listenPorts["prometheus"])
	if len(ds.Datasources) != 1 || ds.Datasources[0].URL != want || ds.Datasources[0].UID != datasourceUID {
		t.Errorf("data sources %+v, want one %s at %s", ds.Datasources, datasourceUID, want)
	}
	if got := mountTarget(t, p, "grafana", "dashboards/grafana/provisioning"); got != "/etc/grafana/provisioning" {
		t.Errorf("provisioning mounted at %s", got)
	}
	var prov struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, &prov, "dashboards", "grafana", "provisioning", "dashboards", "salesrecipe.yml")
	if got := mountTarget(t, p, "grafana", "dashboards/grafana/dashboards"); len(prov.Providers) != 1 || prov.Providers[0].Options.Path != got {
		t.Errorf("dashboard provider %+v does not read the mounted %s", prov.Providers, got)
	}
	g, _ := p.GetService("grafana")
	b, err := os.ReadFile(repoPath(t, "dashboards", "grafana", "provisioning", "alerting", "notifications.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\$\{(\w+)\}`).FindAllStringSubmatch(string(b), -1) {
		if v := g.Environment[m[1]]; v == nil || *v == "" {
			t.Errorf("notifications.yml reads %s, which the grafana service does not set", m[1])
		}
	}
}

// sorted returns a sorted copy.
func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
