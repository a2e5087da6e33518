// Package deploy holds the checks of salesrecipe's deployment files: docker-compose.yml and the
// Dockerfile at the repository root, deploy/prometheus.yml, the Prometheus rules in
// dashboards/prometheus/ and the Grafana provisioning in dashboards/grafana/. It has no code of its
// own; its tests load the compose file with the compose-spec loader, parse every PromQL expression
// with Prometheus's parser, run promtool's rule tests, and run a real Prometheus against a real
// `salesrecipe serve` until the shortfall alert fires.
package deploy
