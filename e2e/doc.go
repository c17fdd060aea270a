// Package e2e holds the black-box suite: it builds the chemtwin binary,
// starts `chemtwin serve --demo` on free ports and probes it from outside
// with the tools integrators use — HTTP, GDAL's ogrinfo, mosquitto_pub and
// a websocket client.
package e2e
