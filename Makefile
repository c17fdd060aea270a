# chemtwin — make run starts the demo plant; make test runs every test.
GO          ?= go
BIN         ?= bin/chemtwin
DATA        ?= data
FUZZTIME    ?= 5s
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
LDFLAGS     ?= -X github.com/chemtwin/chemtwin.Version=$(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: build run test lint unit fuzz e2e bench generate clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/chemtwin

run: build
	./$(BIN) serve --demo --data $(DATA)

test: lint unit fuzz

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

bench: build
	./$(BIN) bench index --json
	./$(BIN) bench ingest --json

generate:
	$(GO) generate ./...

clean:
	rm -rf bin
