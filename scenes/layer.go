package scenes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// rawFeature is one feature of a layer file, not yet decoded.
type rawFeature struct {
	index  int   // position in the file, from 0
	offset int64 // byte offset of the feature in the file
	raw    json.RawMessage
}

// acceptedCRS are the crs names (lower case) that mean WGS84 lon/lat: OGC
// CRS84 and EPSG:4326, which GeoJSON writers (QGIS, GDAL) emit in lon/lat
// order despite EPSG's lat/lon axis definition.
var acceptedCRS = map[string]bool{
	"urn:ogc:def:crs:ogc:1.3:crs84":                true,
	"urn:ogc:def:crs:ogc::crs84":                   true,
	"urn:ogc:def:crs:epsg::4326":                   true,
	"urn:ogc:def:crs:epsg:6.6:4326":                true,
	"epsg:4326":                                    true,
	"crs84":                                        true,
	"http://www.opengis.net/def/crs/ogc/1.3/crs84": true,
	"http://www.opengis.net/def/crs/epsg/0/4326":   true,
}

// decodeLayer splits a GeoJSON FeatureCollection into its features and
// checks the collection's type and crs. On malformed JSON it reports the
// byte offset and returns the features read before it.
func decodeLayer(r report, data []byte) []rawFeature {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, data, '{'); err != nil {
		r.add("", "%s", err)
		return nil
	}
	var typ string
	var feats []rawFeature
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			r.add("", "%s", streamReason(data, err))
			return feats
		}
		switch key, _ := tok.(string); key {
		case "type":
			var raw json.RawMessage
			if err = dec.Decode(&raw); err == nil && json.Unmarshal(raw, &typ) != nil {
				typ = clip(string(raw))
			}
		case "crs":
			var crs json.RawMessage
			if err = dec.Decode(&crs); err == nil {
				checkCRS(r, crs)
			}
		case "features":
			feats, err = decodeFeatures(dec, data)
		default: // "name", "bbox" and other foreign members
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			r.add("", "%s", streamReason(data, err))
			return feats
		}
	}
	if err := expectDelim(dec, data, '}'); err != nil {
		r.add("", "%s", err)
		return feats
	}
	if _, err := dec.Token(); err != io.EOF {
		r.add("", "trailing data after the feature collection at byte %d", dec.InputOffset())
	}
	if typ != "FeatureCollection" {
		r.add("", "type %q: want a GeoJSON FeatureCollection", typ)
	}
	return feats
}

func expectDelim(dec *json.Decoder, data []byte, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s", streamReason(data, err))
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("at byte %d: want %q, got %v", dec.InputOffset(), want, tok)
	}
	return nil
}

// decodeFeatures reads the features array (null counts as empty).
func decodeFeatures(dec *json.Decoder, data []byte) ([]rawFeature, error) {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("features: want an array, got %v", tok)
	}
	var feats []rawFeature
	for dec.More() {
		off := skipSeparators(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return feats, err
		}
		feats = append(feats, rawFeature{index: len(feats), offset: off, raw: raw})
	}
	_, err = dec.Token() // ']'
	return feats, err
}

// skipSeparators moves off past whitespace and commas to where the next
// value starts.
func skipSeparators(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

func checkCRS(r report, raw json.RawMessage) {
	if string(raw) == "null" {
		return
	}
	var crs struct {
		Type       string `json:"type"`
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &crs); err != nil || crs.Type != "name" {
		r.add("", "unsupported crs %s: export the layer as EPSG:4326 (WGS 84, lon/lat)", clip(string(raw)))
		return
	}
	if !acceptedCRS[strings.ToLower(crs.Properties.Name)] {
		r.add("", "unsupported crs %q: export the layer as EPSG:4326 (WGS 84, lon/lat)", clip(crs.Properties.Name))
	}
}

// clip shortens text quoted from a scene file for a problem message.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
