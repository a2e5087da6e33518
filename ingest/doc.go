// Package ingest owns reading sales data files: streaming CSV, NDJSON and JSON-array
// records (gzip or not), parsing times and amounts, converting records into the domain
// types of package salesrecipe with file/line/column errors, and YAML mappings that turn
// CRM exports (Salesforce, HubSpot or any other) into the canonical schemas.
//
// It is pure: it reads from io.Readers it is given and never opens files, databases or
// network connections. It imports the standard library, package salesrecipe and
// gopkg.in/yaml.v3 only, and must not import storage, query, model or command packages.
package ingest
