// Package dashboards serves what people see of salesrecipe: the web pages,
// the JSON API, the users file and the rules of who sees what, and the
// Prometheus collector; Grafana dashboards and Prometheus alert rules are
// files beside it. Its Refitter keeps each firm's stored fit current in the
// background (after loads, daily, and on an admin's POST /api/v1/fit).
//
// It may import every other salesrecipe package except cmd; nothing but cmd
// imports it.
package dashboards
