# chemtwin — make run starts the demo plant; make test runs every test.
GO          ?= go
BIN         ?= bin/chemtwin
DATA        ?= data
# FUZZTIME is each fuzz target's burst (the seed corpora run in unit anyway).
FUZZTIME    ?= 1s
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
LDFLAGS     ?= -s -w -X github.com/chemtwin/chemtwin.Version=$(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: build run test lint unit fuzz e2e browser bench generate web clean

# The viewer's CesiumJS comes from npm (pinned in web/package-lock.json) and is
# copied into web/cesium/vendor for embedding; both happen once per lock change.
CESIUM_STAMP = web/cesium/vendor/cesium/package.json

build: web
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/chemtwin

web: $(CESIUM_STAMP) web/cesium/vendor/leaflet/package.json web/cesium/vendor/jsqr/package.json

$(CESIUM_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	scripts/vendor-cesium.sh

# The phone page's (/m/) Leaflet and jsQR come from the same npm install,
# copied after Cesium (whose stamp says npm ci ran for this lock); each
# copied package.json, written last, is that library's stamp.
web/cesium/vendor/leaflet/package.json: $(CESIUM_STAMP)
	rm -rf web/cesium/vendor/leaflet && mkdir -p web/cesium/vendor/leaflet
	cd web/node_modules/leaflet && cp -R dist/leaflet.js dist/leaflet.css dist/images LICENSE ../../cesium/vendor/leaflet/
	cp web/node_modules/leaflet/package.json $@

web/cesium/vendor/jsqr/package.json: $(CESIUM_STAMP)
	rm -rf web/cesium/vendor/jsqr && mkdir -p web/cesium/vendor/jsqr
	cd web/node_modules/jsqr && cp dist/jsQR.js LICENSE ../../cesium/vendor/jsqr/
	cp web/node_modules/jsqr/package.json $@

run: build
	./$(BIN) serve --demo --data $(DATA)

test: lint unit fuzz browser

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 -timeout 15m ./...

fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

e2e:
	$(GO) test -count=1 -v -run . ./e2e

# Browser tests: Debian's chromium driven by playwright-core against the
# built binary (CHROMIUM overrides the browser path). Two files at a time:
# each starts its own server and browser, and much of a test is waiting on
# the plant (CI stays under its 20 minutes).
browser: build
	cd web && node --test --test-concurrency=2 --test-reporter=spec test/*.test.mjs

bench: build
	./$(BIN) bench index --json
	./$(BIN) bench ingest --json

# Regenerates the demo plant and re-bakes its basemap (tiles/demo.pmtiles).
generate:
	$(GO) generate ./...
	$(GO) test ./tiles -run TestDemoGolden -update

clean:
	rm -rf bin web/cesium/vendor/cesium
