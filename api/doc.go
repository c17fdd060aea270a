// Package api is chemtwin's HTTP face: OGC API – Features (Part 1 core and
// GeoJSON) at /ogc for GIS tools, the REST API at /api/v1 (login, entities,
// alarms), /healthz and /metrics, and the mounts for the stream (/ws), the
// tiles (/tiles/) and the viewer (/).
//
// The API reads the twin through twin.Scene (a read transaction per request,
// clones out) and the alarm engine through the Alarms interface; users,
// sessions and the audit log live in a store.Store. Errors leave through one
// writeError as {"error":{"code","message","id"}}, the id also logged; bad
// input is counted in chemtwin_api_rejected_total{reason}.
//
// A Server is safe for concurrent use. It starts no goroutines; HTTP server
// settings (timeouts, shutdown) are the caller's.
package api
