// Package ingest owns reading sales data files: streaming CSV, NDJSON and JSON-array
// records (gzip or not), parsing times and amounts, converting records into the domain
// types of package salesrecipe with file/line/column errors, and YAML mappings that turn
// CRM exports (Salesforce, HubSpot or any other) into the canonical schemas.
//
// The readers, mappings and converters are pure: they read from the io.Readers they are
// given and never open files, databases or network connections. The pipeline (Run), which
// also reads a mapping file a job names, its storage retries and the HTTP upload handler load
// the converted rows through package queries.
//
// Package ingest must not import the model, forecast, dashboards or cmd packages.
package ingest
